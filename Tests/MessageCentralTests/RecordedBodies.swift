/// Response bodies as the provider's document and public client code show them,
/// quirks included. Each is a literal so a test reads like the wire.
enum RecordedBodies {
    /// The document's send example: number at the top, string in `data`, `timeout` a string, nulls.
    static let sendSuccess = """
        {
          "responseCode": 200,
          "message": "SUCCESS",
          "data": {
            "verificationId": "1234567",
            "mobileNumber": "9999999999",
            "responseCode": "200",
            "errorMessage": null,
            "timeout": "60",
            "smCLI": null,
            "transactionId": "a1b2c3"
          }
        }
        """

    /// The document's validate example, with the id spelt `verficationId`.
    static let validateSuccess = """
        {
          "responseCode": 200,
          "message": "SUCCESS",
          "data": {
            "verficationId": "1234567",
            "mobileNumber": "9999999999",
            "responseCode": "200",
            "errorMessage": null,
            "verificationStatus": "VERIFICATION_COMPLETED",
            "authToken": null,
            "transactionId": null
          }
        }
        """

    /// 506 seen as HTTP 400 with the code in the body.
    static let requestAlreadyExists = """
        {"responseCode": 506, "message": "REQUEST_ALREADY_EXISTS", "data": null}
        """

    /// 506 naming the pending verification, in the send answer's `data` shape.
    static let requestAlreadyExistsNamingVerification = """
        {
          "responseCode": 506,
          "message": "REQUEST_ALREADY_EXISTS",
          "data": {
            "verificationId": "1234567",
            "mobileNumber": "9999999999",
            "responseCode": "506",
            "errorMessage": "REQUEST_ALREADY_EXISTS",
            "timeout": "42",
            "smCLI": null,
            "transactionId": "a1b2c3"
          }
        }
        """

    /// The token endpoint's HTTP 200 without a token.
    static let tokenStatus400 = """
        {"status": 400, "message": "Bad credentials"}
        """

    /// A good token answer.
    static func token(_ token: String) -> String {
        #"{"status": 200, "token": "\#(token)"}"#
    }

    /// Only `data.responseCode` carries the code, as a string.
    static let wrongOTPDataCodeOnly = """
        {"message": "WRONG_OTP_PROVIDED", "data": {"responseCode": "702", "verficationId": "77", "verificationStatus": null}}
        """

    /// Spring Boot's default error page: a wrong path or host.
    static let whitelabel = """
        <html><body><h1>Whitelabel Error Page</h1><p>This application has no explicit mapping for /error, \
        so you are seeing this as a fallback.</p><div>There was an unexpected error (type=Not Found, status=404).</div></body></html>
        """
}

extension String {
    /// The string's UTF-8 bytes, as a response body.
    var bytes: [UInt8] { Array(self.utf8) }
}
