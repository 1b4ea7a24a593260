// json-bench: the provider's three answer shapes decoded two ways, in one run.
//
//   typed:        JSONDecoder (FoundationEssentials) into lenient `Decodable` structs, as the
//                 client would need them (a number or a string where either has been seen)
//   exact:        JSONDecoder into structs typed exactly as the document's examples (no
//                 leniency: the floor of what `Decodable` costs, unusable against drift)
//   hand-written: the JSON module's parser into JSONValue, read through ProviderResponseBody
//
// Both produce the same fields (checked before timing). Prints the time per decode and the
// ratio typed / hand-written per shape. `swift run -c release json-bench [--iterations N]`.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import MessageCentral

let arguments = CommandLine.arguments
let iterations = arguments.firstIndex(of: "--iterations").flatMap { Int(arguments[$0 + 1]) } ?? 50_000
let rounds = 7

/// Keeps results alive so the optimiser cannot drop the work.
nonisolated(unsafe) var sink = 0

func handWritten(_ bytes: [UInt8]) -> Reading {
    let body = ProviderResponseBody(bytes: bytes)
    return Reading(
        code: body.responseCode ?? body.status, dataCode: body.dataResponseCode, token: body.token,
        verificationId: body.verificationId, timeoutSeconds: body.timeoutSeconds, transactionId: body.transactionId,
        verificationStatus: body.verificationStatus)
}

struct Shape {
    let name: String
    let bytes: [UInt8]
    let typed: (JSONDecoder, Data) throws -> Reading
    let exact: (JSONDecoder, Data) throws -> Reading
}

let shapes = [
    Shape(
        name: "token", bytes: Array(Answers.token.utf8),
        typed: { try $0.decode(TokenAnswer.self, from: $1).reading },
        exact: { try $0.decode(Exact.Token.self, from: $1).reading }),
    Shape(
        name: "send", bytes: Array(Answers.send.utf8),
        typed: { try $0.decode(Answer<SendPayload>.self, from: $1).reading },
        exact: { try $0.decode(Exact.Answer<Exact.Send>.self, from: $1).reading }),
    Shape(
        name: "validate", bytes: Array(Answers.validate.utf8),
        typed: { try $0.decode(Answer<ValidatePayload>.self, from: $1).reading },
        exact: { try $0.decode(Exact.Answer<Exact.Validate>.self, from: $1).reading }),
]

/// Nanoseconds per call of `body` over one round.
func nanoseconds(_ body: () throws -> Reading) rethrows -> Double {
    let start = ContinuousClock.now
    for _ in 0..<iterations { sink &+= try body().code ?? 0 }
    let (seconds, attoseconds) = (ContinuousClock.now - start).components
    return (Double(seconds) * 1e9 + Double(attoseconds) / 1e9) / Double(iterations)
}

func format(_ value: Double) -> String {
    let tenths = Int((value * 10).rounded())
    return "\(tenths / 10).\(tenths % 10)"
}

let decoder = JSONDecoder()
print("json-bench: \(iterations) decodes per round, \(rounds) rounds alternating the three ways; ns per decode (median of rounds)")
print("shape      bytes      typed      exact       hand   typed/hand   exact/hand")
var failed = false
for shape in shapes {
    let data = Data(shape.bytes)
    let expected = handWritten(shape.bytes)
    let typedReading = try shape.typed(decoder, data)
    let exactReading = try shape.exact(decoder, data)
    guard typedReading == expected, exactReading == expected else {
        print("\(shape.name): the ways read different fields: \(typedReading), \(exactReading), \(expected)")
        failed = true
        continue
    }
    // One warm-up round each, then rounds that alternate the ways, so that drift in the
    // machine's speed falls on all alike.
    var typed: [Double] = [], exact: [Double] = [], hand: [Double] = []
    for round in 0...rounds {
        let t = try nanoseconds { try shape.typed(decoder, data) }
        let e = try nanoseconds { try shape.exact(decoder, data) }
        let h = nanoseconds { handWritten(shape.bytes) }
        guard round > 0 else { continue }
        typed.append(t)
        exact.append(e)
        hand.append(h)
    }
    let (t, e, h) = (typed.sorted()[rounds / 2], exact.sorted()[rounds / 2], hand.sorted()[rounds / 2])
    let columns = [String(shape.bytes.count), format(t), format(e), format(h), format(t / h), format(e / h)]
    print(shape.name + String(repeating: " ", count: max(0, 8 - shape.name.count))
          + columns.map { String(repeating: " ", count: max(0, 11 - $0.count)) + $0 }.joined())
}
if sink == 42 { print("") }
exit(failed ? 1 : 0)
