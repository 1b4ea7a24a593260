/// The standard OpenTelemetry variables the worker honours, read once at start.
///
/// Tracing is off unless `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or `OTEL_EXPORTER_OTLP_ENDPOINT`
/// is set (and `OTEL_SDK_DISABLED` is not `true`): ``init(environment:)`` is then `nil`.
public struct TracingConfiguration: Sendable {
    /// Where spans are posted.
    public var endpoint: OTLPEndpoint
    /// `OTEL_EXPORTER_OTLP_TRACES_HEADERS` or `OTEL_EXPORTER_OTLP_HEADERS`: `name=value,...`.
    public var headers: [(name: String, value: String)]
    /// `OTEL_EXPORTER_OTLP_TRACES_TIMEOUT` or `OTEL_EXPORTER_OTLP_TIMEOUT`, milliseconds; 10 s.
    public var exportTimeout: Duration
    /// `OTEL_SERVICE_NAME`, else `service.name` of `OTEL_RESOURCE_ATTRIBUTES`, else `otp-worker`.
    public var serviceName: String
    /// `OTEL_RESOURCE_ATTRIBUTES` without `service.name`.
    public var resourceAttributes: [SpanAttribute]
    /// `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG`.
    public var sampler: Sampler
    /// `OTEL_BSP_SCHEDULE_DELAY`, `OTEL_BSP_EXPORT_TIMEOUT` (milliseconds),
    /// `OTEL_BSP_MAX_QUEUE_SIZE`, `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`.
    public var batch: BatchSpanProcessor.Configuration

    /// Reads the variables; `nil` when tracing is off.
    /// - Throws: ``TracingConfigurationError`` naming the variable whose value is wrong.
    public init?(environment: [String: String]) throws(TracingConfigurationError) {
        func value(_ name: String) -> String? {
            guard let value = environment[name]?.trimmingSpaces, !value.isEmpty else { return nil }
            return value
        }
        if value("OTEL_SDK_DISABLED")?.lowercased() == "true" { return nil }
        if let disabled = value("OTEL_TRACES_EXPORTER")?.lowercased(), disabled == "none" { return nil }
        let endpoint: OTLPEndpoint
        if let url = value("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") {
            guard let parsed = OTLPEndpoint(url, signalSpecific: true) else {
                throw TracingConfigurationError(variable: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "must be an http:// or https:// URL")
            }
            endpoint = parsed
        } else if let url = value("OTEL_EXPORTER_OTLP_ENDPOINT") {
            guard let parsed = OTLPEndpoint(url, signalSpecific: false) else {
                throw TracingConfigurationError(variable: "OTEL_EXPORTER_OTLP_ENDPOINT", "must be an http:// or https:// URL")
            }
            endpoint = parsed
        } else {
            return nil
        }
        if let exporter = value("OTEL_TRACES_EXPORTER"), exporter != "otlp" {
            throw TracingConfigurationError(variable: "OTEL_TRACES_EXPORTER", "must be otlp or none")
        }
        for name in ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"] {
            if let given = value(name) {
                // Protobuf would bring SwiftProtobuf and with it Foundation and ICU.
                guard given == "http/json" else { throw TracingConfigurationError(variable: name, "must be http/json, the only protocol this worker sends") }
                break
            }
        }
        self.endpoint = endpoint

        let headersName = value("OTEL_EXPORTER_OTLP_TRACES_HEADERS") != nil ? "OTEL_EXPORTER_OTLP_TRACES_HEADERS" : "OTEL_EXPORTER_OTLP_HEADERS"
        headers = []
        for (key, value) in try Self.pairs(value(headersName), variable: headersName) {
            headers.append((name: key, value: value))
        }
        let timeoutName = value("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT") != nil ? "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT" : "OTEL_EXPORTER_OTLP_TIMEOUT"
        exportTimeout = .milliseconds(try Self.integer(value(timeoutName), variable: timeoutName, default: 10_000, range: 1...600_000))

        var resource: [SpanAttribute] = []
        var resourceName: String?
        for (key, value) in try Self.pairs(value("OTEL_RESOURCE_ATTRIBUTES"), variable: "OTEL_RESOURCE_ATTRIBUTES") {
            if key == "service.name" { resourceName = value } else { resource.append(SpanAttribute(key, .string(value))) }
        }
        serviceName = value("OTEL_SERVICE_NAME") ?? resourceName ?? "otp-worker"
        resourceAttributes = resource

        guard let sampler = Sampler(name: value("OTEL_TRACES_SAMPLER"), argument: value("OTEL_TRACES_SAMPLER_ARG")) else {
            throw TracingConfigurationError(
                variable: "OTEL_TRACES_SAMPLER",
                "must be always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off or parentbased_traceidratio, with OTEL_TRACES_SAMPLER_ARG a ratio from 0 to 1")
        }
        self.sampler = sampler

        var batch = BatchSpanProcessor.Configuration()
        batch.scheduleDelay = .milliseconds(try Self.integer(value("OTEL_BSP_SCHEDULE_DELAY"), variable: "OTEL_BSP_SCHEDULE_DELAY", default: 5_000, range: 1...600_000))
        batch.exportTimeout = .milliseconds(try Self.integer(value("OTEL_BSP_EXPORT_TIMEOUT"), variable: "OTEL_BSP_EXPORT_TIMEOUT", default: 30_000, range: 1...600_000))
        batch.maxQueueSize = try Self.integer(value("OTEL_BSP_MAX_QUEUE_SIZE"), variable: "OTEL_BSP_MAX_QUEUE_SIZE", default: 2048, range: 1...1_000_000)
        batch.maxExportBatchSize = try Self.integer(
            value("OTEL_BSP_MAX_EXPORT_BATCH_SIZE"), variable: "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", default: 512, range: 1...batch.maxQueueSize)
        self.batch = batch
    }

    /// The resource of every span: `service.name`, `service.instance.id`, then the rest.
    public func resource(instanceID: String, version: String?) -> [SpanAttribute] {
        var attributes = [SpanAttribute("service.name", .string(serviceName)), SpanAttribute("service.instance.id", .string(instanceID))]
        if let version { attributes.append(SpanAttribute("service.version", .string(version))) }
        return attributes + resourceAttributes.filter { $0.key != "service.instance.id" && $0.key != "service.version" }
    }

    /// `key=value` pairs separated by commas, values percent-decoded (W3C Baggage's format,
    /// which the specification uses for headers and resource attributes).
    static func pairs(_ text: String?, variable: String) throws(TracingConfigurationError) -> [(String, String)] {
        guard let text else { return [] }
        var pairs: [(String, String)] = []
        for item in text.split(separator: ",") {
            guard let equals = item.firstIndex(of: "=") else {
                throw TracingConfigurationError(variable: variable, "must be a list of key=value separated by commas")
            }
            let key = String(item[..<equals]).trimmingSpaces
            guard !key.isEmpty, let value = String(item[item.index(after: equals)...]).trimmingSpaces.percentDecoded else {
                throw TracingConfigurationError(variable: variable, "must be a list of key=value separated by commas")
            }
            pairs.append((key, value))
        }
        return pairs
    }

    static func integer(_ text: String?, variable: String, default fallback: Int, range: ClosedRange<Int>) throws(TracingConfigurationError) -> Int {
        guard let text else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw TracingConfigurationError(variable: variable, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }
}

/// A tracing variable whose value is wrong; names the variable, never repeats its value
/// (headers may hold credentials).
public struct TracingConfigurationError: Error, CustomStringConvertible, Sendable {
    /// The variable at fault.
    public var variable: String
    /// What its value must be.
    public var problem: String

    init(variable: String, _ problem: String) {
        self.variable = variable
        self.problem = problem
    }

    /// `VARIABLE must ...`, for the start-up error.
    public var description: String { "\(variable) \(problem)" }
}

extension String {
    fileprivate var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }),
            let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })
        else { return "" }
        return String(scalars[first...last])
    }

    /// `%XX` decoded; `nil` for a malformed escape or bytes that are not UTF-8.
    fileprivate var percentDecoded: String? {
        guard contains("%") else { return self }
        var bytes: [UInt8] = []
        var utf8 = Array(self.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%") {
                guard utf8.count >= 2, let value = Hex.uint64(utf8.prefix(2)) else { return nil }
                bytes.append(UInt8(value))
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
