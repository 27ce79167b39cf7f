import Scheduler
import Storage

/// Every job kind a server process runs.
public enum JobKinds {
    public static func registry(database: Database, queue: JobQueue, connections: ConnectionService, engine: any SyncEngine,
                                testHooks: Bool) -> JobRegistry {
        var registry = JobRegistry()
        let sync = SyncJob(database: database, queue: queue, engine: engine)
        for kind in SyncJob.kinds.keys { registry.register(kind) { try await sync.run($0) } }
        let tokens = TokenJobs(database: database, queue: queue, connections: connections)
        registry.register("token.refresh") { try await tokens.refresh($0) }
        registry.register("token.keepalive") { try await tokens.keepAlive($0) }
        if testHooks { TestJobs.register(in: &registry, database: database) }
        return registry
    }
}
