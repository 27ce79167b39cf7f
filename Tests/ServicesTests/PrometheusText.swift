import Foundation

/// A strict reader of the Prometheus text exposition format (0.0.4), so tests
/// check what a scraper would accept rather than grep for substrings: every
/// sample belongs to a family declared by `# TYPE` before it, names and labels
/// are well formed, no series appears twice, histogram buckets are cumulative
/// and end in `+Inf` equal to `_count`.
struct PrometheusText {
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct ParseError: Error, CustomStringConvertible {
        var line: Int
        var reason: String
        var description: String { "line \(line): \(reason)" }
    }

    private(set) var types: [String: String] = [:]
    private(set) var help: [String: String] = [:]
    private(set) var samples: [Sample] = []

    init(parsing text: String) throws {
        guard text.isEmpty || text.hasSuffix("\n") else { throw ParseError(line: 0, reason: "the text must end with a newline") }
        var seen = Set<String>()
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                try comment(String(line), number)
                continue
            }
            let sample = try Self.sample(String(line), number)
            guard let family = family(of: sample.name) else {
                throw ParseError(line: number, reason: "\(sample.name) has no # TYPE line before it")
            }
            if types[family] == "histogram" && sample.name == family + "_bucket" && sample.labels["le"] == nil {
                throw ParseError(line: number, reason: "a histogram bucket without le")
            }
            let key = sample.name + "{" + sample.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + "}"
            guard seen.insert(key).inserted else { throw ParseError(line: number, reason: "\(key) appears twice") }
            samples.append(sample)
        }
        try checkHistograms()
    }

    /// The value of the one sample with exactly these labels.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    func samples(named name: String) -> [Sample] {
        samples.filter { $0.name == name }
    }

    private mutating func comment(_ line: String, _ number: Int) throws {
        let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 3, parts[0] == "#", parts[1] == "HELP" || parts[1] == "TYPE" else { return }  // a plain comment
        let name = parts[2]
        guard Self.isMetricName(name) else { throw ParseError(line: number, reason: "bad metric name \(name)") }
        if parts[1] == "TYPE" {
            let type = parts.count > 3 ? parts[3] : ""
            guard ["counter", "gauge", "histogram", "summary", "untyped"].contains(type) else {
                throw ParseError(line: number, reason: "unknown type \(type)")
            }
            guard types[name] == nil else { throw ParseError(line: number, reason: "second TYPE line for \(name)") }
            guard !samples.contains(where: { family(of: $0.name) == name }) else {
                throw ParseError(line: number, reason: "TYPE for \(name) after its samples")
            }
            types[name] = type
        } else {
            guard help[name] == nil else { throw ParseError(line: number, reason: "second HELP line for \(name)") }
            help[name] = parts.count > 3 ? parts[3] : ""
        }
    }

    private func family(of name: String) -> String? {
        if types[name] != nil, types[name] != "histogram" { return name }
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if types[base] == "histogram" { return base }
        }
        return nil
    }

    private func checkHistograms() throws {
        for (name, type) in types where type == "histogram" {
            var series: [[String: String]: [(le: Double, count: Double)]] = [:]
            for sample in samples(named: name + "_bucket") {
                var labels = sample.labels
                let le = labels.removeValue(forKey: "le")!
                guard let bound = Self.number(le) else { throw ParseError(line: 0, reason: "\(name): bad le \(le)") }
                series[labels, default: []].append((bound, sample.value))
            }
            for (labels, buckets) in series {
                let sorted = buckets.sorted { $0.le < $1.le }
                guard sorted.last?.le == .infinity else { throw ParseError(line: 0, reason: "\(name)\(labels): no +Inf bucket") }
                for (lower, upper) in zip(sorted, sorted.dropFirst()) where upper.count < lower.count {
                    throw ParseError(line: 0, reason: "\(name)\(labels): buckets are not cumulative")
                }
                guard value(name + "_count", labels) == sorted.last?.count, value(name + "_sum", labels) != nil else {
                    throw ParseError(line: 0, reason: "\(name)\(labels): _count differs from the +Inf bucket, or _sum is missing")
                }
            }
        }
    }

    private static func sample(_ line: String, _ lineNumber: Int) throws -> Sample {
        var rest = Substring(line)
        let name = String(rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" })
        guard isMetricName(name) else { throw ParseError(line: lineNumber, reason: "bad metric name in \(line)") }
        rest = rest.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let label = String(rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
                guard isLabelName(label), rest.dropFirst(label.count).hasPrefix("=\"") else {
                    throw ParseError(line: lineNumber, reason: "bad label in \(line)")
                }
                rest = rest.dropFirst(label.count + 2)
                var value = ""
                while true {
                    guard let character = rest.popFirst() else { throw ParseError(line: lineNumber, reason: "unterminated label value") }
                    if character == "\"" { break }
                    if character == "\\" {
                        switch rest.popFirst() {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: throw ParseError(line: lineNumber, reason: "bad escape in a label value")
                        }
                    } else {
                        value.append(character)
                    }
                }
                guard labels.updateValue(value, forKey: label) == nil else { throw ParseError(line: lineNumber, reason: "label \(label) twice") }
                if rest.first == "," { rest = rest.dropFirst() } else if rest.first != "}" {
                    throw ParseError(line: lineNumber, reason: "expected , or } in \(line)")
                }
            }
            rest = rest.dropFirst()
        }
        let fields = rest.split(separator: " ", omittingEmptySubsequences: false)
        guard fields.first == "", (2...3).contains(fields.count), let value = number(String(fields[1])) else {
            throw ParseError(line: lineNumber, reason: "bad value in \(line)")
        }
        if fields.count == 3, Int64(fields[2]) == nil { throw ParseError(line: lineNumber, reason: "bad timestamp in \(line)") }
        return Sample(name: name, labels: labels, value: value)
    }

    /// Go's ParseFloat, as far as the format uses it.
    static func number(_ text: String) -> Double? {
        switch text {
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        case "NaN": return .nan
        default: return text.allSatisfy({ "0123456789.eE+-".contains($0) }) ? Double(text) : nil
        }
    }

    static func isMetricName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCIILetterOrUnderscore || first == ":" else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCIILetterOrUnderscore || $0 == ":" || ("0"..."9").contains($0) }
    }

    static func isLabelName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCIILetterOrUnderscore else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCIILetterOrUnderscore || ("0"..."9").contains($0) }
    }
}

private extension Unicode.Scalar {
    var isASCIILetterOrUnderscore: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) || self == "_" }
}
