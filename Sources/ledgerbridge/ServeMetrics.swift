import Services

/// What `serve` needs for metrics: the process's one registry, made the
/// swift-metrics backend, its RPC interceptor and its `/metrics` route.
struct ServeMetrics {
    let metrics: ServerMetrics

    /// Once per process (MetricsSystem.bootstrap traps on a second call), and early
    /// in `serve`: metrics created through MetricsSystem before this stay no-ops.
    static func bootstrap() -> ServeMetrics {
        let metrics = ServerMetrics()
        metrics.bootstrapMetricsSystem()
        return ServeMetrics(metrics: metrics)
    }

    /// Counts every call that reaches a registered method, including the ones the
    /// admin-token check refuses, so it goes before AuthInterceptor.
    var interceptor: RPCMetricsInterceptor { metrics.interceptor }

    var route: MetricsRoute { MetricsRoute(metrics: metrics) }
}
