import Foundation

/// The date shapes Cin7 Core sends (../shared/reference/cin7-core-api.md §4).
/// The blueprint documents `yyyy-MM-ddTHH:mm:ss.fff` UTC; its examples show what
/// the .NET serializer really writes: timestamps with `Z` and trailing zeros of
/// the fraction dropped (`2018-01-30T06:07:43.46Z`, `2017-12-28T06:15:17.237Z`),
/// and dates as midnight without a zone (`2017-09-29T00:00:00`). The sandbox
/// keeps milliseconds, so a client must accept one to three fraction digits, or none.
public enum Cin7DateFormat {
    /// `2018-01-24T05:07:23.917Z`, `2018-01-30T06:07:43.46Z`, `2018-01-30T06:07:43Z`.
    public static func timestamp(_ date: Date) -> String {
        let c = ISODate.utcCalendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond], from: date)
        var text = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
        // Nanoseconds from a millisecond-truncated Date can read 916999999: round to the millisecond.
        let milliseconds = min(Int((Double(c.nanosecond ?? 0) / 1_000_000).rounded()), 999)
        if milliseconds > 0 {
            var fraction = String(format: "%03d", milliseconds)
            while fraction.hasSuffix("0") { fraction.removeLast() }
            text += "." + fraction
        }
        return text + "Z"
    }

    /// `2017-09-29T00:00:00`: a date, as midnight with no zone.
    public static func day(_ date: Date) -> String {
        let c = ISODate.utcCalendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02dT00:00:00", c.year!, c.month!, c.day!)
    }

    /// `29/01/2018`: how some webhook payloads write a date (apib:27600).
    static func webhookDay(_ date: Date) -> String {
        let c = ISODate.utcCalendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%02d/%02d/%04d", c.day!, c.month!, c.year!)
    }

    /// A request's date (`ModifiedSince`, a field): ISO 8601, no zone meaning UTC.
    public static func parse(_ text: String) -> Date? {
        ISODate.parse(text.trimmingCharacters(in: .whitespaces))
    }

    /// Cin7 keeps milliseconds; so does the sandbox, so that what it sends as
    /// `LastModifiedOn` compares equal when sent back as `ModifiedSince`.
    static func truncated(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }
}

/// A timestamp field (`LastModifiedOn`), encoded as Cin7 writes it.
struct Cin7Timestamp: Encodable, Sendable, Comparable, Hashable {
    let date: Date

    init(_ date: Date) {
        self.date = Cin7DateFormat.truncated(date)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Cin7DateFormat.timestamp(date))
    }

    static func < (a: Cin7Timestamp, b: Cin7Timestamp) -> Bool { a.date < b.date }

    /// Whether this stamp is at or after `date`, to the millisecond: the filter
    /// `ModifiedSince` applies. Whole milliseconds are compared, so the text a
    /// client got as `LastModifiedOn` and sends back matches the record exactly,
    /// whatever binary fraction the two dates carry.
    func isAtOrAfter(_ date: Date) -> Bool {
        Self.milliseconds(self.date) >= Self.milliseconds(date)
    }

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}

/// A date-only field (`OpeningBalanceDate`), encoded as midnight without a zone.
struct Cin7Day: Encodable, Sendable, Hashable {
    let date: Date

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Cin7DateFormat.day(date))
    }
}
