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
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[range] {
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard bytes.count >= 10, bytes[4] == 0x2d, bytes[7] == 0x2d,
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        var components = DateComponents(timeZone: TimeZone(identifier: "UTC"), year: year, month: month, day: day, hour: 0, minute: 0, second: 0)
        var index = 10
        var offsetSeconds = 0
        if bytes.count > 10 {
            guard bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " "), bytes.count >= 19, bytes[13] == 0x3a, bytes[16] == 0x3a,
                  let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
                  hour < 24, minute < 60, second < 61 else { return nil }
            components.hour = hour
            components.minute = minute
            components.second = second
            index = 19
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                var end = index + 1
                while end < bytes.count, bytes[end] >= 0x30, bytes[end] <= 0x39 { end += 1 }
                guard end > index + 1 else { return nil }
                let fraction = String(decoding: bytes[(index + 1)..<min(end, index + 10)], as: UTF8.self)
                components.nanosecond = Int(fraction.padding(toLength: 9, withPad: "0", startingAt: 0))
                index = end
            }
            if index < bytes.count {
                if bytes[index] == UInt8(ascii: "Z") && index == bytes.count - 1 {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                    let sign = bytes[index] == UInt8(ascii: "+") ? 1 : -1
                    let rest = Array(bytes[(index + 1)...].filter { $0 != 0x3a })
                    guard rest.count == 4, let hh = Int(String(decoding: rest[0..<2], as: UTF8.self)),
                          let mm = Int(String(decoding: rest[2..<4], as: UTF8.self)) else { return nil }
                    offsetSeconds = sign * (hh * 3600 + mm * 60)
                    index = bytes.count
                }
            }
        }
        guard index == bytes.count, let date = utcCalendar.date(from: components) else { return nil }
        return date.addingTimeInterval(Double(-offsetSeconds))
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

    static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
