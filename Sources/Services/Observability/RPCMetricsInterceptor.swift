import Metrics
import RPC
import Synchronization

/// Counts calls by method and status, times them, and tracks how many are in
/// flight, through swift-metrics (so the backend is whatever factory it is given:
/// Prometheus in `serve`, a private registry in tests).
///
/// The `method` label is always a registered method: interceptors only run once
/// the protocol layer has found the path in the MethodRegistry (unknown paths are
/// answered UNIMPLEMENTED/404 before any interceptor), so a caller cannot create
/// series by inventing paths. Calls that fail before their handler is reached
/// (unreadable body, message over the size limit) are not counted here.
/// Only the method and status are labels: metadata never is (it carries tokens).
public struct RPCMetricsInterceptor: RPCInterceptor {
    public static let requestsMetric = "rpc_server_requests_total"
    public static let durationMetric = "rpc_server_duration_seconds"
    public static let inFlightMetric = "rpc_server_in_flight"
    /// 0.5 ms to 10 s: a Ping on loopback lands in the first buckets, a slow
    /// database call in the last; beyond 10 s only the count and sum matter.
    public static let durationBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .microseconds(2500), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
        .seconds(5), .seconds(10),
    ]

    private let handles: MethodHandles

    /// `factory` explicitly, not MetricsSystem's: tests use a private registry, and
    /// MetricsSystem can be bootstrapped only once per process.
    public init(factory: any MetricsFactory) {
        self.handles = MethodHandles(factory: factory)
    }

    public func intercept(_ context: RPCContext, next: () async throws -> Void) async throws {
        let metrics = handles.forMethod(context.method)
        let started = ContinuousClock.now
        metrics.inFlight.increment()
        defer { metrics.inFlight.decrement() }
        do {
            try await next()
            record(metrics, started: started, code: CallOutcome.code(error: nil, deadline: context.deadline, cancelled: Task.isCancelled))
        } catch {
            record(metrics, started: started, code: CallOutcome.code(error: error, deadline: context.deadline, cancelled: Task.isCancelled))
            throw error
        }
    }

    private func record(_ metrics: MethodHandles.Method, started: ContinuousClock.Instant, code: RPCCode) {
        let elapsed = ContinuousClock.now - started
        metrics.duration.recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        handles.requests(metrics, code).increment()
    }
}

/// The swift-metrics handles per method, made once: creating them per call would
/// take the registry's lock and validate labels on every request.
final class MethodHandles: Sendable {
    final class Method: Sendable {
        let name: String
        let duration: CoreMetrics.Timer
        let inFlight: Meter
        /// By `RPCCode.rawValue`, made on first use so only codes that happened show up.
        let requests: Mutex<[Int: Counter]> = Mutex([:])

        init(name: String, factory: any MetricsFactory) {
            self.name = name
            let labels = [("method", name)]
            duration = CoreMetrics.Timer(label: RPCMetricsInterceptor.durationMetric, dimensions: labels, factory: factory)
            inFlight = Meter(label: RPCMetricsInterceptor.inFlightMetric, dimensions: labels, factory: factory)
        }
    }

    private let factory: any MetricsFactory
    private let methods: Mutex<[String: Method]> = Mutex([:])

    init(factory: any MetricsFactory) {
        self.factory = factory
    }

    func forMethod(_ name: String) -> Method {
        methods.withLock { methods in
            if let method = methods[name] { return method }
            let method = Method(name: name, factory: factory)
            methods[name] = method
            return method
        }
    }

    func requests(_ method: Method, _ code: RPCCode) -> Counter {
        method.requests.withLock { counters in
            if let counter = counters[code.rawValue] { return counter }
            let counter = Counter(label: RPCMetricsInterceptor.requestsMetric,
                                  dimensions: [("method", method.name), ("code", code.canonicalName)], factory: factory)
            counters[code.rawValue] = counter
            return counter
        }
    }
}
