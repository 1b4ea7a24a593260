import Logging

/// The logger of one provider call: what the call is about is kept in typed fields and turned
/// into metadata only for the messages that are logged at all.
///
/// Setting a call's keys (phone or verification id, operation, attempt) on a `Logger` for
/// every request, logged or not, would copy the handler's metadata each time, then build a
/// dictionary, a masked phone number and a string per value. Few calls log anything at the
/// default level, so none of that is built until a line is written.
struct CallLogger: Sendable {
    let base: Logger
    /// The number the code goes to; masked when written.
    var phone: (countryCode: String, nationalNumber: String)?
    /// The verification being checked.
    var verificationID: String?
    var operation: Operation?
    /// The attempt within the call, from 1.
    var attempt: Int?

    init(_ base: Logger) {
        self.base = base
    }

    /// The fields that are set, as metadata.
    var metadata: Logger.Metadata {
        var metadata: Logger.Metadata = [:]
        if let phone {
            metadata[MessageCentralLogKey.phone.key] = "\(PhoneNumberMask.mask(countryCode: phone.countryCode, nationalNumber: phone.nationalNumber))"
        }
        if let verificationID { metadata[MessageCentralLogKey.verificationId.key] = "\(verificationID)" }
        if let operation { metadata[MessageCentralLogKey.operation.key] = "\(operation.rawValue)" }
        if let attempt { metadata[MessageCentralLogKey.attempt.key] = "\(attempt)" }
        return metadata
    }

    func log(
        level: Logger.Level, _ message: @autoclosure () -> Logger.Message,
        metadata extra: @autoclosure () -> Logger.Metadata? = nil,
        file: String = #fileID, function: String = #function, line: UInt = #line
    ) {
        guard base.logLevel <= level else { return }
        var merged = metadata
        if let extra = extra() { merged.merge(extra) { _, new in new } }
        base.log(level: level, message(), metadata: merged, file: file, function: function, line: line)
    }

    func trace(_ message: @autoclosure () -> Logger.Message, metadata: @autoclosure () -> Logger.Metadata? = nil,
               file: String = #fileID, function: String = #function, line: UInt = #line) {
        log(level: .trace, message(), metadata: metadata(), file: file, function: function, line: line)
    }

    func debug(_ message: @autoclosure () -> Logger.Message, metadata: @autoclosure () -> Logger.Metadata? = nil,
               file: String = #fileID, function: String = #function, line: UInt = #line) {
        log(level: .debug, message(), metadata: metadata(), file: file, function: function, line: line)
    }

    func info(_ message: @autoclosure () -> Logger.Message, metadata: @autoclosure () -> Logger.Metadata? = nil,
              file: String = #fileID, function: String = #function, line: UInt = #line) {
        log(level: .info, message(), metadata: metadata(), file: file, function: function, line: line)
    }

    func notice(_ message: @autoclosure () -> Logger.Message, metadata: @autoclosure () -> Logger.Metadata? = nil,
                file: String = #fileID, function: String = #function, line: UInt = #line) {
        log(level: .notice, message(), metadata: metadata(), file: file, function: function, line: line)
    }

    func warning(_ message: @autoclosure () -> Logger.Message, metadata: @autoclosure () -> Logger.Metadata? = nil,
                 file: String = #fileID, function: String = #function, line: UInt = #line) {
        log(level: .warning, message(), metadata: metadata(), file: file, function: function, line: line)
    }
}
