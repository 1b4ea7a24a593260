#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The answers as typed `Decodable` structs, as lenient as the client must be: a number or a
/// string holding one is accepted wherever the provider has been seen to send either.
struct TokenAnswer: Decodable {
    var status: LenientInt?
    var token: String?

    var reading: Reading { Reading(code: status?.value, token: token) }
}

/// The send and validate answers' envelope: the code at the top, the fields in `data`.
struct Answer<Payload: Decodable>: Decodable {
    var responseCode: LenientInt?
    var message: String?
    var data: Payload?
}

struct SendPayload: Decodable {
    var verificationId: LenientString?
    var mobileNumber: LenientString?
    var responseCode: LenientInt?
    var errorMessage: String?
    var timeout: LenientInt?
    var transactionId: LenientString?
}

/// The validate answer's fields; its id comes as `verificationId` or as `verficationId`.
struct ValidatePayload: Decodable {
    enum CodingKeys: String, CodingKey {
        case verificationId, verficationId, responseCode, verificationStatus, transactionId
    }

    var verificationId: LenientString?
    var responseCode: LenientInt?
    var verificationStatus: String?
    var transactionId: LenientString?

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        verificationId = try container.decodeIfPresent(LenientString.self, forKey: .verificationId)
            ?? container.decodeIfPresent(LenientString.self, forKey: .verficationId)
        responseCode = try container.decodeIfPresent(LenientInt.self, forKey: .responseCode)
        verificationStatus = try container.decodeIfPresent(String.self, forKey: .verificationStatus)
        transactionId = try container.decodeIfPresent(LenientString.self, forKey: .transactionId)
    }
}

extension Answer where Payload == SendPayload {
    var reading: Reading {
        Reading(
            code: responseCode?.value, dataCode: data?.responseCode?.value, verificationId: data?.verificationId?.value,
            timeoutSeconds: data?.timeout?.value, transactionId: data?.transactionId?.value)
    }
}

extension Answer where Payload == ValidatePayload {
    var reading: Reading {
        Reading(
            code: responseCode?.value, dataCode: data?.responseCode?.value, verificationId: data?.verificationId?.value,
            transactionId: data?.transactionId?.value, verificationStatus: data?.verificationStatus)
    }
}

/// An integer sent as a number or as a string holding one.
struct LenientInt: Decodable {
    var value: Int?

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            value = number
        } else if let text = try? container.decode(String.self) {
            value = Int(text)
        } else {
            value = nil
        }
    }
}

/// A string sent as a string or as a number; empty strings read as absent.
struct LenientString: Decodable {
    var value: String?

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            value = text.isEmpty ? nil : text
        } else if let number = try? container.decode(Int64.self) {
            value = String(number)
        } else {
            value = nil
        }
    }
}

/// The same answers with each field's type exactly as the document shows it: no misses and
/// no thrown errors inside the decoder, the cheapest `Decodable` can be. It breaks on the
/// first answer whose types drift, so the client could not use it; it bounds what leniency costs.
enum Exact {
    struct Token: Decodable {
        var status: Int
        var token: String

        var reading: Reading { Reading(code: status, token: token) }
    }

    /// The send and validate answers' envelope, typed as the document's examples are.
    struct Answer<Payload: Decodable>: Decodable {
        var responseCode: Int
        var message: String
        var data: Payload
    }

    struct Send: Decodable {
        var verificationId: String
        var mobileNumber: String
        var responseCode: String
        var errorMessage: String?
        var timeout: String
        var transactionId: String?
    }

    struct Validate: Decodable {
        var verficationId: String
        var responseCode: String
        var verificationStatus: String
        var transactionId: String?
    }
}

extension Exact.Answer where Payload == Exact.Send {
    var reading: Reading {
        Reading(
            code: responseCode, dataCode: Int(data.responseCode), verificationId: data.verificationId,
            timeoutSeconds: Int(data.timeout), transactionId: data.transactionId)
    }
}

extension Exact.Answer where Payload == Exact.Validate {
    var reading: Reading {
        Reading(
            code: responseCode, dataCode: Int(data.responseCode), verificationId: data.verficationId,
            transactionId: data.transactionId, verificationStatus: data.verificationStatus)
    }
}
