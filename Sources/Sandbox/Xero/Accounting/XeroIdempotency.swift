import Cryptography
import Foundation

/// `Idempotency-Key` on PUT/POST (../shared/reference/xero-api.md §2): the same
/// key and request replays the first response without writing again; the same
/// key with a different request is a 400; a duplicate arriving while the first
/// runs waits for it; keys are forgotten 6 minutes after first use.
actor XeroIdempotency {
    private struct Entry {
        let fingerprint: [UInt8]
        let firstUse: ContinuousClock.Instant
        var response: Task<SandboxResponse, Never>
    }

    private var entries: [String: Entry] = [:]
    let lifetime: Duration

    init(lifetime: Duration = .seconds(360)) {
        self.lifetime = lifetime
    }

    func run(key: String, clientID: String, request: SandboxRequest, _ call: @escaping @Sendable () async -> SandboxResponse) async -> SandboxResponse {
        guard !key.isEmpty, key.count <= 128 else {
            return XeroValidation.exception(elements: [], message: "The Idempotency-Key header must be 1 to 128 characters")
        }
        let now = ContinuousClock.now
        entries = entries.filter { now - $0.value.firstUse < lifetime }
        // Keys belong to the app; the request is its method, path, query and body.
        let scoped = clientID + "\u{0}" + key
        let fingerprint = Digest.sha256(Array("\(request.method) \(request.path)?\(request.query.items.map { "\($0.name)=\($0.value)" }.joined(separator: "&"))\u{0}".utf8) + request.body)
        if let entry = entries[scoped] {
            guard entry.fingerprint == fingerprint else {
                return XeroValidation.exception(elements: [], message: "Idempotency-Key \(key) is used with a different request")
            }
            return await entry.response.value
        }
        let task = Task { await call() }
        entries[scoped] = Entry(fingerprint: fingerprint, firstUse: now, response: task)
        return await task.value
    }
}
