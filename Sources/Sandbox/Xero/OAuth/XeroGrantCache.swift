import Synchronization

/// Access tokens the identity store has already found valid, with what they grant,
/// so an API call is answered without a hop to the store's actor (that hop and the
/// grant's rebuilding were a visible share of every call).
///
/// Only the store writes it, from inside its actor: an entry is added when a check
/// finds a token valid, and the whole cache is dropped by anything that could change
/// an answer (consent, token issue or rotation, revocation, a deleted connection).
/// An entry is used only before its token's expiry; after it the store answers
/// (401 "token expired"), as before.
final class XeroGrantCache: Sendable {
    private struct Entry {
        let grant: XeroIdentityStore.Grant
        let expiresAt: ContinuousClock.Instant
    }

    private let entries = Mutex<[String: Entry]>([:])
    /// Tokens are 600-odd bytes; beyond this many the cache starts over.
    private let capacity = 4096

    func grant(for token: String, now: ContinuousClock.Instant = .now) -> XeroIdentityStore.Grant? {
        guard let entry = entries.withLock({ $0[token] }), now < entry.expiresAt else { return nil }
        return entry.grant
    }

    func remember(_ grant: XeroIdentityStore.Grant, for token: String, until expiresAt: ContinuousClock.Instant) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[token] = Entry(grant: grant, expiresAt: expiresAt)
        }
    }

    func clear() {
        entries.withLock { $0.removeAll() }
    }
}
