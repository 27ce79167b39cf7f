/// Limits and timings of a `ConnectionPool`. Defaults follow psycopg_pool's, scaled for a service.
public struct PoolConfiguration: Sendable {
    /// Most sessions open at once.
    public var maxConnections: Int = 10
    /// How long a caller waits for a free connection before `.poolTimeout`.
    public var checkoutTimeout: Double = 10
    /// A session older than this (less up to 5% jitter, so they don't all expire together) is closed on return.
    public var maxLifetime: Double = 3600
    /// A session idle longer than this is pinged before being handed out.
    public var pingAfterIdle: Double = 30
    /// After a failed connection attempt, new attempts wait this long, doubling per failure (±10% jitter) up to `maxReconnectDelay`.
    public var initialReconnectDelay: Double = 0.05
    public var maxReconnectDelay: Double = 2

    public init() {}

    public init(maxConnections: Int, checkoutTimeout: Double = 10) {
        self.maxConnections = maxConnections
        self.checkoutTimeout = checkoutTimeout
    }
}
