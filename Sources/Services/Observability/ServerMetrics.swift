import Metrics
import Prometheus

/// The server's metrics in one place: a Prometheus registry, the swift-metrics
/// factory that writes into it, the RPC interceptor, and the `/metrics` text.
///
/// Creating one touches no global state, so tests can make as many as they like.
/// `serve` additionally calls `bootstrapMetricsSystem()` once, so metrics that any
/// module creates through plain swift-metrics (`Counter(label:)`) land in the
/// same registry and show up on `/metrics`.
public final class ServerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let factory: PrometheusMetricsFactory
    /// One instance for the server, so its per-method handles are shared by every call.
    public let interceptor: RPCMetricsInterceptor
    let process: ProcessMetrics

    public convenience init() {
        self.init(registry: PrometheusCollectorRegistry())
    }

    init(registry: PrometheusCollectorRegistry, process: ProcessMetrics = ProcessMetrics()) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        // The library's default timer buckets start at 5 ms: too coarse for calls
        // that mostly take well under a millisecond.
        factory.durationHistogramBuckets[RPCMetricsInterceptor.durationMetric] = RPCMetricsInterceptor.durationBuckets
        self.factory = factory
        self.interceptor = RPCMetricsInterceptor(factory: factory)
        self.process = process
    }

    /// Makes this registry the process-wide swift-metrics backend. Call it once per
    /// process, before anything creates metrics through MetricsSystem: a second
    /// bootstrap traps, and metrics made earlier stay on the no-op backend.
    public func bootstrapMetricsSystem() {
        MetricsSystem.bootstrap(factory)
    }

    /// The Prometheus text exposition (format 0.0.4): the registry, then the
    /// process metrics sampled now.
    public func render() -> String {
        registry.emitToString() + process.render()
    }
}
