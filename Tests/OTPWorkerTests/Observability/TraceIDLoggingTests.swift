import Logging
import Testing

@testable import OTPWorker

/// `trace_id` on the lines logged while a traced record is handled, and only on those.
@Suite struct TraceIDLoggingTests {
    @Test("inside a record's scope every line carries its trace id; outside, none does", arguments: [LogFormat.json, .human])
    func traceIDOnRecordLines(format: LogFormat) async {
        let stream = MemoryStream()
        let logger = Logger(label: "otp-worker.test") { label in
            LoggingSetup.makeHandler(label: label, format: format, level: .info, stream: stream,
                                     metadataProvider: RecordLogContext.metadataProvider)
        }
        logger.info("before")
        await RecordLogContext.$traceID.withValue("4bf92f3577b34da6a3ce929d0e0e4736") {
            await Task.yield()
            logger.info("during")
        }
        logger.info("after")
        let lines = stream.lines
        #expect(lines.count == 3)
        #expect(lines.filter { $0.contains("4bf92f3577b34da6a3ce929d0e0e4736") && $0.contains("trace_id") }.count == 1)
        #expect(lines.first { $0.contains("during") }?.contains("trace_id") == true)
    }
}
