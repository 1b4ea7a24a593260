/// Masks phone numbers for logs, descriptions and errors.
///
/// A phone number is personal data: it may appear only masked, keeping the
/// country code and the last few digits so that an operator can still tell two
/// numbers apart (e.g. `+91******9999`).
public enum PhoneNumberMask {
    /// Masks a national number, keeping between 0 and 4 trailing digits.
    ///
    /// The number of digits kept shrinks with the length so that a short number
    /// never shows more than a third of its digits:
    /// 10 or more digits keep 4, 8–9 keep 3, 6–7 keep 2, shorter ones keep none.
    ///
    /// - Parameters:
    ///   - countryCode: The country calling code without `+`, shown in full; `nil` omits it.
    ///   - nationalNumber: The number without its country code.
    /// - Returns: A string such as `+91******9999`.
    public static func mask(countryCode: String?, nationalNumber: String) -> String {
        let count = nationalNumber.count
        let kept: Int
        switch count {
        case 10...: kept = 4
        case 8...9: kept = 3
        case 6...7: kept = 2
        default: kept = 0
        }
        let prefix = countryCode.map { "+" + $0 } ?? ""
        return prefix + String(repeating: "*", count: count - kept) + String(nationalNumber.suffix(kept))
    }
}
