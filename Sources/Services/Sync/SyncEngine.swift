import Foundation
import Storage

/// What a sync run asks of the sync engine.
public struct SyncRequest: Sendable {
    public enum Kind: String, Sendable {
        case incremental, full, entity, webhook
    }

    public var tenantID: UUID
    public var runID: UUID
    public var kind: Kind
    /// The entity types to sync: the run's own, or every enabled one.
    public var entities: [SyncEntityRule]
    public var settings: SyncSettings
}

/// Counts for one entity type, as the engine reports them.
public struct SyncEntityCounts: Sendable, Equatable {
    public var fetched = 0, created = 0, updated = 0, skipped = 0, failed = 0

    public init(fetched: Int = 0, created: Int = 0, updated: Int = 0, skipped: Int = 0, failed: Int = 0) {
        self.fetched = fetched
        self.created = created
        self.updated = updated
        self.skipped = skipped
        self.failed = failed
    }
}

/// Where the engine reports progress and errors; they are written to the
/// run's tenant-owned rows as they come, so GetSyncRun and WatchSyncRun see them.
public protocol SyncProgress: Sendable {
    func report(_ entity: SyncEntityRule, _ counts: SyncEntityCounts) async throws
    func error(_ entity: SyncEntityRule?, reference: String, message: String) async throws
}

/// How a run ended, as the engine sees it.
public struct SyncResult: Sendable {
    /// In words, for the run's message.
    public var message: String

    public init(message: String) {
        self.message = message
    }
}

/// The sync engine: one rule per entity type (the next piece of work). A
/// run's job calls it with the run's entity types; it reads and writes both
/// systems and reports as it goes. Cancellation arrives as task cancellation.
public protocol SyncEngine: Sendable {
    /// The entity types it has rules for.
    var implementedEntities: Set<SyncEntityRule> { get }
    func run(_ request: SyncRequest, progress: any SyncProgress) async throws -> SyncResult
}

/// The engine until the entity rules exist: it syncs nothing and says so.
public struct UnconfiguredSyncEngine: SyncEngine {
    /// Test hook: how long each run takes (to exercise overlap, cancellation and drain).
    let runDuration: Duration

    public init(runDuration: Duration = .zero) {
        self.runDuration = runDuration
    }

    public var implementedEntities: Set<SyncEntityRule> { [] }

    public func run(_ request: SyncRequest, progress: any SyncProgress) async throws -> SyncResult {
        if runDuration > .zero { try await Task.sleep(for: runDuration) }
        return SyncResult(message: "no entity rules enabled: this server has no sync rules yet, so nothing was read or written")
    }
}
