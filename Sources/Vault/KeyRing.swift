import Cryptography
import Foundation

/// The keys secrets are encrypted with: 256-bit keys, each with an id; one is
/// active (new encryptions), the others only decrypt what they once encrypted.
/// Kept in a JSON file only the server's user can read:
///
///     {"active": "k-20261129-3f2a", "keys": [{"id": "k-20261129-3f2a", "key": "<base64 of 32 bytes>"}]}
///
/// Key material never appears in `description` (nor so in any log line).
public struct KeyRing: Sendable, CustomStringConvertible {
    public struct Key: Sendable {
        public let id: String
        let material: [UInt8]
    }

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case unreadable(String)
        case malformed(String)
        case exposed(String)

        public var description: String {
            switch self {
            case .unreadable(let why): "the key ring cannot be read: \(why)"
            case .malformed(let why): "the key ring is not valid: \(why)"
            case .exposed(let path): "the key ring \(path) is readable by other users; chmod 600 it"
            }
        }
    }

    public let activeID: String
    public let keys: [Key]

    public var active: Key { keys.first { $0.id == activeID }! }

    public func key(_ id: String) -> Key? { keys.first { $0.id == id } }

    public var description: String { "KeyRing(active: \(activeID), keys: \(keys.map(\.id)))" }

    init(activeID: String, keys: [Key]) throws(Failure) {
        guard !keys.isEmpty else { throw .malformed("it holds no keys") }
        guard Set(keys.map(\.id)).count == keys.count else { throw .malformed("two keys share an id") }
        for key in keys {
            guard Self.isValidID(key.id) else { throw .malformed("key id \"\(key.id)\" must be 1 to 64 letters, digits, '-' or '_'") }
            guard key.material.count == AESGCM.keySize else { throw .malformed("key \(key.id) is not 256 bits") }
        }
        guard keys.contains(where: { $0.id == activeID }) else { throw .malformed("the active key \"\(activeID)\" is not in the ring") }
        self.activeID = activeID
        self.keys = keys
    }

    static func isValidID(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count) && id.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || $0 == "-" || $0 == "_" }
    }

    // MARK: Making and reading

    /// A ring with one fresh random key, active.
    public static func generate(now: Date = Date()) -> KeyRing {
        let key = newKey(now: now)
        return try! KeyRing(activeID: key.id, keys: [key])
    }

    /// This ring plus a fresh key that becomes the active one; the old keys stay for decryption.
    public func addingActiveKey(now: Date = Date()) -> KeyRing {
        var key = Self.newKey(now: now)
        while self.key(key.id) != nil { key = Self.newKey(now: now) }
        return try! KeyRing(activeID: key.id, keys: keys + [key])
    }

    private static func newKey(now: Date) -> Key {
        let day = ISO8601DateFormatter.string(from: now, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withYear, .withMonth, .withDay])
        let suffix = SecureRandom.bytes(3).map { String(format: "%02x", $0) }.joined()
        return Key(id: "k-\(day)-\(suffix)", material: SecureRandom.bytes(AESGCM.keySize))
    }

    public init(json: Data) throws(Failure) {
        struct File: Decodable {
            struct Entry: Decodable { let id: String; let key: String }
            let active: String
            let keys: [Entry]
        }
        let file: File
        do { file = try JSONDecoder().decode(File.self, from: json) } catch { throw .malformed("expected {\"active\": id, \"keys\": [{\"id\", \"key\"}]}") }
        var keys: [Key] = []
        for entry in file.keys {
            guard let material = Data(base64Encoded: entry.key) else { throw .malformed("key \(entry.id) is not base64") }
            keys.append(Key(id: entry.id, material: Array(material)))
        }
        try self.init(activeID: file.active, keys: keys)
    }

    /// Reads a ring file, refusing one that other users could read.
    public static func load(path: String) throws(Failure) -> KeyRing {
        let attributes: [FileAttributeKey: Any]
        do { attributes = try FileManager.default.attributesOfItem(atPath: path) } catch { throw .unreadable("\(path) does not exist or is not accessible") }
        if let mode = attributes[.posixPermissions] as? Int, mode & 0o077 != 0 { throw .exposed(path) }
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable("\(path) cannot be read") }
        return try KeyRing(json: data)
    }

    public func jsonData() -> Data {
        let entries = keys.map { ["id": $0.id, "key": Data($0.material).base64EncodedString()] }
        return (try? JSONSerialization.data(withJSONObject: ["active": activeID, "keys": entries], options: [.prettyPrinted, .sortedKeys])) ?? Data()
    }

    /// Writes the ring readable by its owner only; refuses to overwrite unless asked.
    public func write(to path: String, replacing: Bool = false) throws(Failure) {
        if !replacing, FileManager.default.fileExists(atPath: path) { throw .unreadable("\(path) exists; not overwriting a key ring") }
        let temporary = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: jsonData(), attributes: [.posixPermissions: 0o600]) else {
            throw .unreadable("cannot write \(temporary)")
        }
        // Rename: a reader never sees half a ring.
        guard rename(temporary, path) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw .unreadable("cannot move the new ring into \(path)")
        }
    }
}
