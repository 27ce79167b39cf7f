/// Where a job is in its life (the `jobs.state` column).
public enum JobState: String, Sendable, CaseIterable {
    /// Ready to be claimed.
    case available
    /// Waiting for its `run_at`.
    case scheduled
    case running
    case succeeded
    /// Failed; runs again at its `run_at` (backoff).
    case retryable
    /// Failed for the last time (or given up on); the last error is kept.
    case discarded
    case cancelled

    /// Still to run: what uniqueness and queue depth count.
    public static let pending: [JobState] = [.available, .scheduled, .retryable]

    public var isFinished: Bool { self == .succeeded || self == .discarded || self == .cancelled }
}
