import Testing

@testable import WorkerTracing

@Suite("The OpenTelemetry variables")
struct TracingConfigurationTests {
    @Test("off without an endpoint, with OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none")
    func off() throws {
        #expect(try TracingConfiguration(environment: [:]) == nil)
        #expect(try TracingConfiguration(environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": ""]) == nil)
        #expect(try TracingConfiguration(environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_SDK_DISABLED": "TRUE"]) == nil)
        #expect(try TracingConfiguration(environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_TRACES_EXPORTER": "none"]) == nil)
    }

    @Test("the base endpoint gets /v1/traces, the traces endpoint is used as it is and wins")
    func endpoints() throws {
        let base = try #require(try TracingConfiguration(environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318/"]))
        #expect(base.endpoint == OTLPEndpoint("http://collector:4318/v1/traces", signalSpecific: true))
        #expect(base.endpoint.description == "http://collector:4318/v1/traces")
        #expect(base.serviceName == "otp-worker" && base.sampler == .default)
        let both = try #require(try TracingConfiguration(environment: [
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318",
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://traces.example:443/custom/path",
        ]))
        #expect(both.endpoint.secure && both.endpoint.host == "traces.example" && both.endpoint.port == 443)
        #expect(both.endpoint.path == "/custom/path")
        let v6 = try #require(OTLPEndpoint("http://[::1]:4318", signalSpecific: false))
        #expect(v6.host == "::1" && v6.port == 4318 && v6.hostHeader == "[::1]:4318")
        #expect(OTLPEndpoint("grpc://c:4317", signalSpecific: false) == nil)
        #expect(OTLPEndpoint("http://c:99999", signalSpecific: false) == nil)
    }

    @Test("service name, resource attributes, headers, sampler and batch settings are read")
    func settings() throws {
        let configuration = try #require(try TracingConfiguration(environment: [
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_SERVICE_NAME": "otp-eu",
            "OTEL_RESOURCE_ATTRIBUTES": "service.name=ignored,deployment.environment=prod%20eu",
            "OTEL_EXPORTER_OTLP_HEADERS": "authorization=Bearer%20x,x-tenant=a",
            "OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.25",
            "OTEL_BSP_SCHEDULE_DELAY": "200", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json",
        ]))
        #expect(configuration.serviceName == "otp-eu")
        #expect(configuration.resource(instanceID: "w1", version: "1").map(\.key)
            == ["service.name", "service.instance.id", "service.version", "deployment.environment"])
        #expect(configuration.resourceAttributes == [SpanAttribute("deployment.environment", .string("prod eu"))])
        #expect(configuration.headers.map(\.name) == ["authorization", "x-tenant"])
        #expect(configuration.headers.first?.value == "Bearer x")
        #expect(configuration.sampler == Sampler(root: .traceIDRatio(0.25), parentBased: true))
        #expect(configuration.batch.scheduleDelay == .milliseconds(200))
    }

    @Test("a wrong value names its variable and never repeats the value")
    func refusals() {
        func problem(_ environment: [String: String]) -> String? {
            do {
                _ = try TracingConfiguration(environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"].merging(environment) { $1 })
                return nil
            } catch {
                return error.description
            }
        }
        #expect(problem(["OTEL_EXPORTER_OTLP_ENDPOINT": "c:4318"])?.hasPrefix("OTEL_EXPORTER_OTLP_ENDPOINT ") == true)
        #expect(problem(["OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"])?.hasPrefix("OTEL_EXPORTER_OTLP_PROTOCOL must be http/json") == true)
        #expect(problem(["OTEL_TRACES_SAMPLER": "xray"])?.hasPrefix("OTEL_TRACES_SAMPLER ") == true)
        #expect(problem(["OTEL_BSP_SCHEDULE_DELAY": "soon"])?.hasPrefix("OTEL_BSP_SCHEDULE_DELAY ") == true)
        let secret = problem(["OTEL_EXPORTER_OTLP_HEADERS": "authorization Bearer-s3cr3t"])
        #expect(secret?.hasPrefix("OTEL_EXPORTER_OTLP_HEADERS ") == true)
        #expect(secret?.contains("s3cr3t") == false)
    }
}
