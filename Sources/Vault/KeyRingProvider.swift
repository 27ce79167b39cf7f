import Foundation
import Synchronization

/// The key ring a running server uses, kept in step with its file.
///
/// `ledgerbridge admin add-key` rewrites the file (a rename, so a new inode)
/// while servers run, and `rotate-key` then re-seals every secret under the
/// new active key. A server that kept sealing with the key it started with
/// would undo the rotation one refresh at a time, so the file is checked
/// before sealing — at most once per `checkInterval`, a `stat` — and read again
/// when it changed. A secret sealed by a key the ring lacks (another process
/// already uses a newer file) makes it check at once. A file that cannot be
/// read or parsed leaves the ring in use as it is.
public final class KeyRingProvider: Sendable {
    /// How stale a server's view of the file may be.
    public static let checkInterval: Duration = .seconds(1)
    /// How long after the file changed every running server seals with its active key:
    /// `rotate-key` waits this long after `add-key` before its passes.
    public static let settleTime: TimeInterval = 2

    /// What identifies one version of the file: a rewrite changes the inode, an edit in place the size or time.
    struct FileVersion: Equatable {
        let inode: UInt64
        let size: UInt64
        let modified: Date

        init?(path: String) {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  let inode = (attributes[.systemFileNumber] as? NSNumber)?.uint64Value,
                  let size = (attributes[.size] as? NSNumber)?.uint64Value,
                  let modified = attributes[.modificationDate] as? Date else { return nil }
            (self.inode, self.size, self.modified) = (inode, size, modified)
        }
    }

    private struct State {
        var ring: KeyRing
        var version: FileVersion?
        var lastCheck: ContinuousClock.Instant
    }

    private let state: Mutex<State>
    /// nil when the ring came from the environment, not a file: nothing to reload.
    public let path: String?

    public init(ring: KeyRing, path: String? = nil) {
        self.state = Mutex(State(ring: ring, version: path.flatMap(FileVersion.init(path:)), lastCheck: .now))
        self.path = path
    }

    /// From `LEDGERBRIDGE_KEYRING` (a file path) or `LEDGERBRIDGE_KEYRING_JSON` (the ring itself).
    public static func fromConfiguration(path: String?, json: String?) throws(KeyRing.Failure) -> KeyRingProvider {
        if let path, !path.isEmpty { return KeyRingProvider(ring: try .load(path: path), path: path) }
        if let json, !json.isEmpty { return KeyRingProvider(ring: try KeyRing(json: Data(json.utf8))) }
        throw .unreadable("no key ring is configured: give --keyring PATH (or LEDGERBRIDGE_KEYRING), or LEDGERBRIDGE_KEYRING_JSON; `ledgerbridge admin new-keyring PATH` makes one")
    }

    /// The ring as last read.
    public var ring: KeyRing { state.withLock { $0.ring } }

    /// For sealing: the ring as the file says now, give or take `checkInterval`.
    public var box: SecretBox {
        let due = state.withLock { state in
            let now = ContinuousClock.now
            guard path != nil, now - state.lastCheck >= Self.checkInterval else { return false }
            state.lastCheck = now
            return true
        }
        if due { reload() }
        return SecretBox(ring: ring)
    }

    public func open(_ sealed: [UInt8], for context: SecretContext) throws(SecretBox.Failure) -> [UInt8] {
        do {
            return try SecretBox(ring: ring).open(sealed, for: context)
        } catch .unknownKey(let id) {
            guard reload() else { throw .unknownKey(id) }
            return try SecretBox(ring: ring).open(sealed, for: context)
        }
    }

    /// Reads the file again if it changed since it was last read; whether the ring changed.
    /// The file is read outside the lock: two callers may both read it, and both get the same ring.
    @discardableResult
    public func reload() -> Bool {
        guard let path, let version = FileVersion(path: path) else { return false }
        guard state.withLock({ $0.version }) != version else { return false }
        guard let fresh = try? KeyRing.load(path: path) else { return false }
        return state.withLock { state in
            let changed = fresh.activeID != state.ring.activeID || fresh.keys.map(\.id) != state.ring.keys.map(\.id)
            state.ring = fresh
            state.version = version
            state.lastCheck = .now
            return changed
        }
    }

    /// Waits until every server reading `path` seals with its active key
    /// (`settleTime` after the file last changed); returns at once for an older file.
    public static func settle(path: String) async throws {
        guard let version = FileVersion(path: path) else { return }
        let wait = settleTime - Date().timeIntervalSince(version.modified)
        if wait > 0 { try await Task.sleep(for: .milliseconds(Int(wait * 1000) + 1)) }
    }
}
