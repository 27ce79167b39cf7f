/// How a process's worker pool behaves. Defaults suit a server; tests shorten the timings.
public struct WorkerPoolConfiguration: Sendable {
    /// Jobs this process runs at once (one worker actor each).
    public var workers: Int = 10
    /// Most jobs one claim takes.
    public var claimBatch: Int = 100
    /// Claims also happen this often without a NOTIFY (the fallback if one is missed).
    public var pollInterval: Double = 1
    /// A process's lease; a job whose process died runs again within about this long.
    public var lease: Double = 20
    /// Heartbeats per lease: at least two, so one slow beat does not lose it.
    public var beatsPerLease: Int = 4
    /// How often this process looks for expired leases of other processes.
    public var rescueInterval: Double = 2
    /// How often due schedules and waiting jobs are looked at.
    public var maintenanceInterval: Double = 0.5
    /// Finished jobs are deleted after this long.
    public var retention: Double = 7 * 86_400
    /// Most completions recorded in one statement.
    public var completionBatch: Int = 500
    public var retry = RetryPolicy()
    public var schedules = JobQueue.SchedulePolicy()
    /// Whether this process ticks the per-tenant schedules (every process may; ticks are exactly-once anyway).
    public var runsSchedules = true

    /// Other housekeeping of the process, run every `housekeepingInterval` (the services' own: expired consents).
    public var housekeeping: (@Sendable () async throws -> Void)?
    public var housekeepingInterval: Double = 60

    public init() {}

    public var heartbeatInterval: Double { lease / Double(max(2, beatsPerLease)) }
}
