import CAllocator

/// Which allocator serves this process, for the start-up log line: the worker links jemalloc
/// (see `Sources/CAllocator`), and a build or an environment that loses it should show.
enum Allocator {
    /// "jemalloc 5.3.0, 1 arena", or where `malloc` comes from instead ("libc.so.6"; the
    /// executable itself under a sanitizer, which brings its own).
    static var description: String {
        guard let provider = otp_allocator_malloc_provider().map({ String(cString: $0) }) else { return "unknown" }
        let library = provider.split(separator: "/").last.map(String.init) ?? provider
        guard library.hasPrefix("libjemalloc"), let version = otp_allocator_jemalloc_version() else {
            return "malloc from \(library)"
        }
        let arenas = otp_allocator_jemalloc_arenas()
        // "5.3.0-0-g54eaed1d...": the release is enough.
        let release = String(cString: version).prefix { $0 != "-" }
        return "jemalloc \(release), \(arenas) arena\(arenas == 1 ? "" : "s")"
    }
}
