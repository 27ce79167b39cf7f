/// Why migrations cannot be applied, or why a server refuses the schema it finds.
public enum MigrationError: Error, Sendable, CustomStringConvertible, Equatable {
    case unreadableDirectory(String)
    case invalidFileName(String)
    case duplicateVersion(Int, String, String)
    /// An applied migration's file no longer matches what was applied.
    case modifiedAfterApply(fileName: String, recorded: String, current: String)
    /// The database has migrations this binary does not know: it is newer.
    case unknownApplied(versions: [Int], newestKnown: Int)
    /// Migrations exist that the database has not had.
    case pending([String])
    case failed(fileName: String, message: String)

    public var description: String {
        switch self {
        case .unreadableDirectory(let path):
            "cannot read the migrations directory \(path)"
        case .invalidFileName(let name):
            "migration file \(name) is not named NNNN_lower_snake_name.sql"
        case .duplicateVersion(let version, let first, let second):
            "migration version \(version) is used by both \(first) and \(second)"
        case .modifiedAfterApply(let fileName, let recorded, let current):
            "migration \(fileName) was changed after it was applied (applied checksum \(recorded.prefix(12)), file now \(current.prefix(12))); "
                + "restore the file and put the change in a new migration"
        case .unknownApplied(let versions, let newestKnown):
            "the database schema is newer than this binary: it has migration(s) \(versions.map(String.init).joined(separator: ", ")) "
                + "but this binary knows only up to \(newestKnown); run a newer ledgerbridge"
        case .pending(let names):
            "the database schema is not up to date: \(names.count) migration(s) not applied (\(names.joined(separator: ", "))); "
                + "run `ledgerbridge migrate` with the owner role's MIGRATION_DATABASE_URL"
        case .failed(let fileName, let message):
            "migration \(fileName) failed and was rolled back: \(message)"
        }
    }
}
