import Hummingbird
import NIOCore

/// Hummingbird's basic context plus the connection, which the hang and
/// drop faults need in order to close it without answering.
struct SandboxRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}
