import Foundation

/// ISO 8601 as both sandboxes accept it in requests: `YYYY-MM-DD`, or
/// `YYYY-MM-DDTHH:MM:SS` (a space also separates) with an optional fraction of
/// any length (kept to nanoseconds) and `Z`, `±hh:mm` or no zone, which means UTC.
/// Xero's and Cin7 Core's servers are both .NET and both read dates this way.
enum ISODate {
    static func parse(_ text: String) -> Date? {
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

    static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
