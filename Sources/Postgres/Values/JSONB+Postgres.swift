import Foundation

/// A jsonb value, carried as its JSON text.
public struct PostgresJSONB: Hashable, Sendable, PostgresEncodable, PostgresDecodable {
    public var text: String

    public init(text: String) {
        self.text = text
    }

    /// Encodes `value` with sorted keys, so equal values give equal text.
    public init(encoding value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        text = String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    public var postgresBind: PostgresBind { PostgresBind(type: .jsonb, text: text) }

    public static func decode(from cell: PostgresCell) throws -> PostgresJSONB {
        try cell.requireType([.jsonb, .json], for: PostgresJSONB.self)
        return PostgresJSONB(text: try cell.requireText(as: PostgresJSONB.self))
    }
}
