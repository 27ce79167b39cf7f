import Foundation
import Logging

/// Records completions in batches: while one statement is in flight, the
/// next completions gather, so under load one statement completes hundreds
/// of jobs and at rest each completion is written at once. A failed write is
/// kept and retried (nothing is lost; until it lands the jobs stay running
/// under this process's lease).
actor CompletionBatcher {
    private let queue: JobQueue
    private let worker: UUID
    private let maxBatch: Int
    private let logger: Logger
    private let metrics: PoolMetrics
    private var pending: [JobQueue.Completed] = []
    private let signal: AsyncStream<Void>.Continuation
    private let signals: AsyncStream<Void>

    init(queue: JobQueue, worker: UUID, maxBatch: Int, logger: Logger, metrics: PoolMetrics) {
        self.metrics = metrics
        self.queue = queue
        self.worker = worker
        self.maxBatch = max(1, maxBatch)
        self.logger = logger
        (signals, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    func add(_ completion: JobQueue.Completed) {
        pending.append(completion)
        signal.yield()
    }

    /// Writes batches as completions arrive, until cancelled.
    func run() async {
        for await _ in signals {
            await writePending(retryDelay: 0.2)
        }
    }

    /// Writes whatever is left (on the way out), trying for up to `patience` seconds.
    func writeRemaining(patience: Double = 10) async {
        let deadline = ContinuousClock.now + .milliseconds(Int64(patience * 1000))
        while !pending.isEmpty, ContinuousClock.now < deadline {
            await writePending(retryDelay: 0.2, once: true)
        }
        if !pending.isEmpty {
            logger.error("completions not recorded; their jobs will be rescued when this process's lease expires", metadata: ["jobs": "\(pending.count)"])
        }
    }

    private func writePending(retryDelay: Double, once: Bool = false) async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(maxBatch))
            pending.removeFirst(batch.count)
            do {
                try await queue.complete(batch, worker: worker)
                metrics.recordCompleted(batch)
            } catch {
                pending.insert(contentsOf: batch, at: 0)
                logger.warning("could not record completions; retrying", metadata: ["jobs": "\(batch.count)", "error": "\(error)"])
                if once || Task.isCancelled { return }
                try? await Task.sleep(for: .seconds(retryDelay))
            }
        }
    }
}
