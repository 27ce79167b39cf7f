import Foundation

// timestamptz ↔ Date, and date ↔ CalendarDate.
//
// Every connection runs with DateStyle=ISO and TimeZone=UTC (see
// PostgresConfiguration.sessionOptions), so timestamptz arrives as
// "2024-02-29 13:45:01.123456+00" and is parsed here without Calendar or
// DateFormatter (both slow and locale-sensitive). Microseconds round-trip.

/// A date without a time or zone: PostgreSQL's `date`, Xero's DateString days.
public struct CalendarDate: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    public init?(iso text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month), (1...CalendarDate.daysIn(month: month, year: year)).contains(day) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    public var description: String {
        let y = year < 0 ? "-" + pad(-year, 4) : pad(year, 4)
        return "\(y)-\(pad(month, 2))-\(pad(day, 2))"
    }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// Days since 1970-01-01 (proleptic Gregorian; Howard Hinnant's days_from_civil).
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    public init(daysSinceEpoch days: Int) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yoe + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

private func pad(_ value: Int, _ width: Int) -> String {
    let text = String(value)
    return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
}

extension CalendarDate: PostgresEncodable, PostgresDecodable {
    public var postgresBind: PostgresBind {
        // Years before 1 are written with the BC suffix PostgreSQL expects (year 0 = 1 BC).
        let text = year >= 1 ? description : CalendarDate(year: 1 - year, month: month, day: day).description + " BC"
        return PostgresBind(type: .date, text: text)
    }

    public static func decode(from cell: PostgresCell) throws -> CalendarDate {
        try cell.requireType([.date], for: CalendarDate.self)
        var text = Substring(try cell.requireText(as: CalendarDate.self))
        let bc = text.hasSuffix(" BC")
        if bc { text = text.dropLast(3) }
        guard var date = CalendarDate(iso: text) else { throw cell.invalid(CalendarDate.self) }
        if bc { date.year = 1 - date.year }
        return date
    }
}

extension Date: PostgresEncodable, PostgresDecodable {
    public var postgresBind: PostgresBind {
        let totalMicros = (timeIntervalSince1970 * 1_000_000).rounded()
        var seconds = Int((totalMicros / 1_000_000).rounded(.down))
        var micros = Int(totalMicros - Double(seconds) * 1_000_000)
        if micros >= 1_000_000 { seconds += 1; micros -= 1_000_000 }
        let days = Int((Double(seconds) / 86_400).rounded(.down))
        let secondOfDay = seconds - days * 86_400
        let date = CalendarDate(daysSinceEpoch: days)
        let dateText = date.year >= 1 ? date.description : CalendarDate(year: 1 - date.year, month: date.month, day: date.day).description
        let time = "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2)).\(pad(micros, 6))"
        return PostgresBind(type: .timestamptz, text: "\(dateText) \(time)+00\(date.year >= 1 ? "" : " BC")")
    }

    public static func decode(from cell: PostgresCell) throws -> Date {
        try cell.requireType([.timestamptz], for: Date.self)
        let text = try cell.requireText(as: Date.self)
        switch text {
        case "infinity": return .distantFuture
        case "-infinity": return .distantPast
        default: break
        }
        guard let date = parseTimestampTZ(text) else { throw cell.invalid(Date.self) }
        return date
    }

    /// "YYYY-MM-DD HH:MM:SS[.ffffff]+HH[:MM[:SS]][ BC]"
    static func parseTimestampTZ(_ text: String) -> Date? {
        var rest = Substring(text)
        let bc = rest.hasSuffix(" BC")
        if bc { rest = rest.dropLast(3) }
        guard let space = rest.firstIndex(of: " "), var day = CalendarDate(iso: rest[..<space]) else { return nil }
        if bc { day.year = 1 - day.year }
        let clock = rest[rest.index(after: space)...]
        guard let signIndex = clock.lastIndex(where: { $0 == "+" || $0 == "-" }) else { return nil }
        let timeParts = clock[..<signIndex].split(separator: ":")
        guard timeParts.count == 3, let hour = Int(timeParts[0]), let minute = Int(timeParts[1]) else { return nil }
        let secondParts = timeParts[2].split(separator: ".", omittingEmptySubsequences: false)
        guard let second = Int(secondParts[0]) else { return nil }
        var micros = 0
        if secondParts.count == 2 {
            let fraction = secondParts[1].prefix(6)
            guard let value = Int(fraction) else { return nil }
            micros = value * Int(pow(10, Double(6 - fraction.count)))
        }
        let offsetParts = clock[clock.index(after: signIndex)...].split(separator: ":")
        var offsetSeconds = 0
        for (index, part) in offsetParts.enumerated() {
            guard let value = Int(part), index < 3 else { return nil }
            offsetSeconds += value * [3600, 60, 1][index]
        }
        if clock[signIndex] == "-" { offsetSeconds = -offsetSeconds }
        let seconds = day.daysSinceEpoch * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds) + Double(micros) / 1_000_000)
    }
}
