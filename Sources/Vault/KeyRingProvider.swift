import Foundation
import Synchronization

/// The key ring a running server uses. When a secret turns up sealed by a
/// key the ring does not have — another process added a key and rotated —
/// the ring is read again from its file (at most once a second) and the
/// secret opened with that, so `add-key` plus `rotate-key` need no restart.
public final class KeyRingProvider: Sendable {
    private let state: Mutex<(ring: KeyRing, lastReload: ContinuousClock.Instant?)>
    /// nil when the ring came from the environment, not a file: nothing to reload.
    public let path: String?

    public init(ring: KeyRing, path: String? = nil) {
        self.state = Mutex((ring, nil))
        self.path = path
    }

    /// From `LEDGERBRIDGE_KEYRING` (a file path) or `LEDGERBRIDGE_KEYRING_JSON` (the ring itself).
    public static func fromConfiguration(path: String?, json: String?) throws(KeyRing.Failure) -> KeyRingProvider {
        if let path, !path.isEmpty { return KeyRingProvider(ring: try .load(path: path), path: path) }
        if let json, !json.isEmpty { return KeyRingProvider(ring: try KeyRing(json: Data(json.utf8))) }
        throw .unreadable("no key ring is configured: give --keyring PATH (or LEDGERBRIDGE_KEYRING), or LEDGERBRIDGE_KEYRING_JSON; `ledgerbridge admin new-keyring PATH` makes one")
    }

    public var ring: KeyRing { state.withLock { $0.ring } }

    public var box: SecretBox { SecretBox(ring: ring) }

    public func open(_ sealed: [UInt8], for context: SecretContext) throws(SecretBox.Failure) -> [UInt8] {
        do {
            return try box.open(sealed, for: context)
        } catch .unknownKey(let id) {
            guard reload() else { throw .unknownKey(id) }
            return try box.open(sealed, for: context)
        }
    }

    /// Reads the file again; whether the ring changed.
    @discardableResult
    public func reload() -> Bool {
        guard let path else { return false }
        return state.withLock { state in
            let now = ContinuousClock.now
            if let last = state.lastReload, now - last < .seconds(1) { return false }
            state.lastReload = now
            guard let fresh = try? KeyRing.load(path: path) else { return false }
            let changed = fresh.activeID != state.ring.activeID || fresh.keys.map(\.id) != state.ring.keys.map(\.id)
            state.ring = fresh
            return changed
        }
    }
}
