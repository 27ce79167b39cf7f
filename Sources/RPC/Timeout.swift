/// Request deadlines as the two protocols spell them.
enum Timeout {
    /// gRPC's `grpc-timeout`: up to 8 digits and a unit (H, M, S, m, u, n).
    static func parseGRPC(_ text: String) -> Duration? {
        guard let unit = text.last, text.count >= 2, text.count <= 9, let value = Int64(text.dropLast()), value >= 0 else { return nil }
        switch unit {
        case "H": return .seconds(value * 3600)
        case "M": return .seconds(value * 60)
        case "S": return .seconds(value)
        case "m": return .milliseconds(value)
        case "u": return .microseconds(value)
        case "n": return .nanoseconds(value)
        default: return nil
        }
    }

    /// Connect's `connect-timeout-ms`: up to 10 digits of milliseconds.
    static func parseConnect(_ text: String) -> Duration? {
        guard text.count <= 10, let value = Int64(text), value >= 0 else { return nil }
        return .milliseconds(value)
    }
}

/// gRPC's percent-encoding of `grpc-message` (RFC 3986 unreserved plus printable ASCII, except %).
enum PercentEncoding {
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if byte >= 0x20 && byte <= 0x7E && byte != UInt8(ascii: "%") {
                out.append(Character(UnicodeScalar(byte)))
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
