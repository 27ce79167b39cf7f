import Cryptography
import Foundation

/// One file of `migrations/`: `NNNN_name.sql`, applied in version order.
public struct MigrationFile: Sendable, Equatable {
    public let version: Int
    public let fileName: String
    public let sql: String
    /// SHA-256 of the file's bytes, recorded when applied, so later edits are caught.
    public let checksum: String

    public init(version: Int, fileName: String, sql: String) {
        self.version = version
        self.fileName = fileName
        self.sql = sql
        self.checksum = Digest.sha256Hex(sql)
    }

    /// Reads every `NNNN_name.sql` in `directory`. Other files are refused, not
    /// skipped, so a misnamed migration cannot be silently left out.
    public static func load(from directory: URL) throws -> [MigrationFile] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw MigrationError.unreadableDirectory(directory.path)
        }
        var files: [MigrationFile] = []
        for name in names.sorted() where !name.hasPrefix(".") && name != "README.md" {
            guard let version = parseVersion(name) else { throw MigrationError.invalidFileName(name) }
            if let clash = files.first(where: { $0.version == version }) {
                throw MigrationError.duplicateVersion(version, clash.fileName, name)
            }
            let sql = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            files.append(MigrationFile(version: version, fileName: name, sql: sql))
        }
        return files.sorted { $0.version < $1.version }
    }

    /// `0001_create_tenants.sql` → 1.
    static func parseVersion(_ name: String) -> Int? {
        guard name.hasSuffix(".sql") else { return nil }
        let stem = name.dropLast(4)
        guard let underscore = stem.firstIndex(of: "_") else { return nil }
        let digits = stem[..<underscore]
        let label = stem[stem.index(after: underscore)...]
        guard digits.count == 4, digits.allSatisfy(\.isNumber), let version = Int(digits), version > 0,
              !label.isEmpty, label.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) else { return nil }
        return version
    }

    /// The migrations directory: `$LEDGERBRIDGE_MIGRATIONS_DIR`, else `migrations/` in the
    /// current directory or next to (or above) the executable.
    public static func defaultDirectory() -> URL? {
        let fileManager = FileManager.default
        if let explicit = ProcessInfo.processInfo.environment["LEDGERBRIDGE_MIGRATIONS_DIR"] {
            return URL(fileURLWithPath: explicit)
        }
        var candidates = [URL(fileURLWithPath: fileManager.currentDirectoryPath)]
        var executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(executable)
            executable.deleteLastPathComponent()
        }
        return candidates
            .map { $0.appendingPathComponent("migrations") }
            .first { fileManager.fileExists(atPath: $0.appendingPathComponent("0001_foundation.sql").path) }
    }
}
