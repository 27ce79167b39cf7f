import Foundation

/// The date shapes Xero sends and accepts (../shared/reference/xero-api.md §4):
/// `/Date(ms+0000)/` in the Accounting API, ISO with seven fractional digits
/// and no zone in the identity API.
public enum XeroDateFormat {
    /// `/Date(1552327126117+0000)/`
    public static func msDate(_ date: Date) -> String {
        "/Date(\(Int64((date.timeIntervalSince1970 * 1000).rounded(.down)))+0000)/"
    }

    /// The envelope's `DateTimeUTC`: `/Date(1550793549392)/`, no offset.
    public static func msDateNoOffset(_ date: Date) -> String {
        "/Date(\(Int64((date.timeIntervalSince1970 * 1000).rounded(.down))))/"
    }

    /// `2019-12-07T18:46:19.5165400`: UTC, seven fractional digits, no zone.
    public static func connectionDate(_ date: Date) -> String {
        let components = utcCalendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond], from: date)
        let ticks = (components.nanosecond ?? 0) / 100
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%07d", components.year!, components.month!, components.day!,
                      components.hour!, components.minute!, components.second!, ticks)
    }

    /// `04/09/2023 05:16:59` as in Xero's TokenExpired detail.
    static func expiryStamp(_ date: Date) -> String {
        let c = utcCalendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%02d/%02d/%04d %02d:%02d:%02d", c.month!, c.day!, c.year!, c.hour!, c.minute!, c.second!)
    }

    /// Parses what Xero accepts in requests: `/Date(ms)/`, `/Date(ms±hhmm)/`,
    /// `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SS[.fff][Z|±hh:mm]` (no zone = UTC).
    public static func parse(_ text: String) -> Date? {
        if text.hasPrefix("/Date(") && text.hasSuffix(")/") {
            let inner = text.dropFirst(6).dropLast(2)
            let digits = inner.prefix { $0.isNumber || $0 == "-" }
            guard let ms = Int64(digits.count > 1 && digits.last == "-" ? digits.dropLast() : digits) else { return nil }
            return Date(timeIntervalSince1970: Double(ms) / 1000)
        }
        return parseISO(text)
    }

    static func parseISO(_ text: String) -> Date? {
        ISODate.parse(text)
    }

    /// `If-Modified-Since`: ISO (what the SDK sends) or RFC 1123 (what HTTP means).
    public static func parseIfModifiedSince(_ text: String) -> Date? {
        if let date = parseISO(text) { return date }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE',' dd MMM yyyy HH':'mm':'ss 'GMT'"
        return formatter.date(from: text)
    }

    static var utcCalendar: Calendar { ISODate.utcCalendar }
}
