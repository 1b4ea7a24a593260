/// The provider's three answer shapes as the document shows them (`timeout` a string,
/// `responseCode` a number at the top and a string in `data`, the validate answer's id spelt
/// `verficationId`), and what the client reads from each.
enum Answers {
    static let token = #"{"status": 200, "token": "eyJhbGciOiJIUzUxMiJ9.eyJzdWIiOiJDLTEyMzQ1Njc4OTAxMjM0NSIsImlhdCI6MTc5NTcyMDAwMCwiZXhwIjoxODI3MjU2MDAwfQ.c2lnbmF0dXJlLW9mLXRoZS1zYW5kYm94"}"#

    static let send = """
        {"responseCode": 200, "message": "SUCCESS", "data": {"verificationId": "1234567", "mobileNumber": "9999999999", \
        "responseCode": "200", "errorMessage": null, "timeout": "60", "smCLI": null, "transactionId": "a1b2c3"}}
        """

    static let validate = """
        {"responseCode": 200, "message": "SUCCESS", "data": {"verficationId": "1234567", "mobileNumber": "9999999999", \
        "responseCode": "200", "errorMessage": null, "verificationStatus": "VERIFICATION_COMPLETED", "authToken": null, \
        "transactionId": null}}
        """
}

/// The fields the client takes from an answer, whichever way it was decoded.
struct Reading: Equatable {
    var code: Int?
    var dataCode: Int?
    var token: String?
    var verificationId: String?
    var timeoutSeconds: Int?
    var transactionId: String?
    var verificationStatus: String?
}
