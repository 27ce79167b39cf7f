import Metrics

/// The pool's figures, through swift-metrics (`serve` exports them on /metrics):
/// jobs claimed, completions by outcome, claim time, workers and busy workers.
/// Updated per claim and per completion batch, never per job, so they cost
/// nothing a no-op job would notice.
struct PoolMetrics: Sendable {
    let claimed = Counter(label: "ledgerbridge_jobs_claimed_total")
    let claimDuration = Timer(label: "ledgerbridge_job_claim_duration_seconds")
    let workers = Gauge(label: "ledgerbridge_job_workers")
    let busy = Gauge(label: "ledgerbridge_job_workers_busy")
    private let completed: [String: Counter] = Dictionary(uniqueKeysWithValues: JobQueue.outcomeNames.map {
        ($0, Counter(label: "ledgerbridge_jobs_completed_total", dimensions: [("outcome", $0)]))
    })

    func recordCompleted(_ batch: [JobQueue.Completed]) {
        var counts: [String: Int] = [:]
        for item in batch { counts[item.completion.outcomeName, default: 0] += 1 }
        for (outcome, count) in counts { completed[outcome]?.increment(by: count) }
    }
}
