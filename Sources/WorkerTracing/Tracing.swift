import Logging

/// The worker's tracing, assembled: a ``Tracer`` for the record path and the
/// ``BatchSpanProcessor`` to run as a service, exporting through OTLP/HTTP JSON.
public struct Tracing: Sendable {
    /// What the record path starts spans with.
    public let tracer: Tracer
    /// The service to run beside the worker (first in its `ServiceGroup`).
    public let processor: BatchSpanProcessor

    /// Builds the tracing of one process from `configuration`.
    /// - Throws: when TLS cannot be set up for an `https` endpoint.
    public init(configuration: TracingConfiguration, instanceID: String, version: String?, logger: Logger) throws {
        let encoder = OTLPJSONEncoder(
            resource: configuration.resource(instanceID: instanceID, version: version), scopeName: "otp-worker", scopeVersion: version)
        let exporter = try OTLPHTTPExporter(
            endpoint: configuration.endpoint, headers: configuration.headers, timeout: configuration.exportTimeout, encoder: encoder)
        processor = BatchSpanProcessor(exporter: exporter, configuration: configuration.batch, logger: logger)
        tracer = Tracer(sampler: configuration.sampler, processor: processor)
    }

    /// Assembles tracing from parts (tests: an exporter of their own).
    public init(tracer: Tracer, processor: BatchSpanProcessor) {
        self.tracer = tracer
        self.processor = processor
    }
}
