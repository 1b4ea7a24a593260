import JSON

/// One span of an OTLP/JSON `ExportTraceServiceRequest`, as a test reads it back.
public struct ReceivedSpan: Sendable, Hashable {
    public var traceID: String
    public var spanID: String
    public var parentSpanID: String?
    public var name: String
    public var kind: Int?
    public var startTimeUnixNano: String?
    public var endTimeUnixNano: String?
    /// Attribute values as text, whatever their OTLP kind.
    public var attributes: [String: String]
    public var events: [ReceivedEvent]
    public var statusCode: Int?
    public var statusMessage: String?
    /// The resource's attributes, as text.
    public var resource: [String: String]

    /// Every span of a request body, in order; throws when the body is not the OTLP/JSON shape.
    public static func parse(_ body: some Collection<UInt8>) throws -> [ReceivedSpan] {
        guard let root = JSONValue(parsing: body)?.objectValue, case .array(let resourceSpans)? = root["resourceSpans"] else {
            throw MalformedOTLP(what: "no resourceSpans array")
        }
        var spans: [ReceivedSpan] = []
        for resourceSpan in resourceSpans {
            guard let resourceSpan = resourceSpan.objectValue else { throw MalformedOTLP(what: "a resourceSpans entry") }
            let resource = attributes(resourceSpan["resource"]?.objectValue?["attributes"])
            guard case .array(let scopeSpans)? = resourceSpan["scopeSpans"] else { throw MalformedOTLP(what: "no scopeSpans") }
            for scopeSpan in scopeSpans {
                guard case .array(let list)? = scopeSpan.objectValue?["spans"] else { throw MalformedOTLP(what: "no spans") }
                for item in list {
                    guard let span = item.objectValue, let traceID = span["traceId"]?.stringValue,
                        let spanID = span["spanId"]?.stringValue, let name = span["name"]?.stringValue
                    else { throw MalformedOTLP(what: "a span without traceId, spanId or name") }
                    var events: [ReceivedEvent] = []
                    if case .array(let list)? = span["events"] {
                        for event in list {
                            guard let event = event.objectValue, let name = event["name"]?.stringValue else {
                                throw MalformedOTLP(what: "an event without a name")
                            }
                            events.append(ReceivedEvent(
                                name: name, timeUnixNano: event["timeUnixNano"]?.stringValue, attributes: attributes(event["attributes"])))
                        }
                    }
                    let status = span["status"]?.objectValue
                    spans.append(ReceivedSpan(
                        traceID: traceID, spanID: spanID, parentSpanID: span["parentSpanId"]?.stringValue, name: name,
                        kind: span["kind"]?.integralValue, startTimeUnixNano: span["startTimeUnixNano"]?.stringValue,
                        endTimeUnixNano: span["endTimeUnixNano"]?.stringValue, attributes: attributes(span["attributes"]),
                        events: events, statusCode: status?["code"]?.integralValue, statusMessage: status?["message"]?.stringValue,
                        resource: resource))
                }
            }
        }
        return spans
    }

    /// An OTLP `KeyValue` list as text values: strings as they are, other kinds as their JSON text.
    static func attributes(_ value: JSONValue?) -> [String: String] {
        guard case .array(let list)? = value else { return [:] }
        var attributes: [String: String] = [:]
        for item in list {
            guard let pair = item.objectValue, let key = pair["key"]?.stringValue, let value = pair["value"]?.objectValue,
                let (_, typed) = value.first
            else { continue }
            switch typed {
            case .string(let text): attributes[key] = text
            case .bool(let flag): attributes[key] = "\(flag)"
            case .integer(let number): attributes[key] = "\(number)"
            case .double(let number): attributes[key] = "\(number)"
            default: attributes[key] = "?"
            }
        }
        return attributes
    }
}

/// One span event read back.
public struct ReceivedEvent: Sendable, Hashable {
    public var name: String
    public var timeUnixNano: String?
    public var attributes: [String: String]

    public init(name: String, timeUnixNano: String?, attributes: [String: String]) {
        self.name = name
        self.timeUnixNano = timeUnixNano
        self.attributes = attributes
    }
}

/// A body that is not an OTLP/JSON traces request.
public struct MalformedOTLP: Error, CustomStringConvertible {
    public var what: String
    public var description: String { "not an OTLP/JSON traces request: \(what)" }
}
