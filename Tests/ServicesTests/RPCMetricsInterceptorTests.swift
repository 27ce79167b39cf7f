import Metrics
@testable import RPC
import Services
import XCTest

/// The RPC metrics, read back the way Prometheus would: through the rendered text.
/// Every test has its own registry (ServerMetrics touches no global state).
final class RPCMetricsInterceptorTests: XCTestCase {
    typealias Server = MeteredServer
    let requests = RPCMetricsInterceptor.requestsMetric
    let duration = RPCMetricsInterceptor.durationMetric
    let inFlight = RPCMetricsInterceptor.inFlightMetric

    func scrape(_ metrics: ServerMetrics) throws -> PrometheusText {
        try PrometheusText(parsing: metrics.render())
    }

    func testCountsEachStatusPerMethodAsTheCallerSeesIt() async throws {
        let metrics = ServerMetrics()
        let server = Server(metrics: metrics)
        let privateGet = "/\(Server.privateService)/Get"
        let calls: [(method: String, metadata: [(name: String, value: String)], expected: RPCCode)] = [
            (Server.path("Ok"), [], .ok),
            (Server.path("Ok"), [], .ok),
            (Server.path("NotFound"), [], .notFound),
            (Server.path("Boom"), [], .internal),
            // Refused by AuthInterceptor, which runs inside the metrics interceptor.
            (privateGet, [], .unauthenticated),
            (privateGet, [("authorization", "Bearer wrong-guess-4711")], .unauthenticated),
            (privateGet, [("authorization", "Bearer \(Server.adminToken)")], .ok),
        ]
        for call in calls {
            let code = await server.call(call.method, metadata: call.metadata)
            XCTAssertEqual(code, call.expected, call.method)
        }

        let text = try scrape(metrics)
        XCTAssertEqual(text.value(requests, ["method": Server.path("Ok"), "code": "OK"]), 2)
        XCTAssertEqual(text.value(requests, ["method": Server.path("NotFound"), "code": "NOT_FOUND"]), 1)
        XCTAssertEqual(text.value(requests, ["method": Server.path("Boom"), "code": "INTERNAL"]), 1)
        XCTAssertEqual(text.value(requests, ["method": privateGet, "code": "UNAUTHENTICATED"]), 2)
        XCTAssertEqual(text.value(requests, ["method": privateGet, "code": "OK"]), 1)
        // Only codes that happened become series, and every call is counted once.
        XCTAssertEqual(text.samples(named: requests).count, 5)
        XCTAssertEqual(text.samples(named: requests).map(\.value).reduce(0, +), Double(calls.count))
        XCTAssertEqual(text.types[requests], "counter")

        // Metadata values (tokens) never become labels.
        let rendered = metrics.render()
        XCTAssertFalse(rendered.contains(Server.adminToken))
        XCTAssertFalse(rendered.contains("wrong-guess"))
        for sample in text.samples where sample.name.hasPrefix("rpc_server_") {
            XCTAssertTrue(Set(sample.labels.keys).isSubset(of: ["method", "code", "le"]), "\(sample)")
        }
    }

    func testACallCancelledByItsCallerCountsAsCancelled() async throws {
        let metrics = ServerMetrics()
        let server = Server(metrics: metrics)
        let call = Task { await server.call(Server.path("Sleep")) }
        let started = await server.probe.waitForStarts(1)
        XCTAssertTrue(started)
        XCTAssertEqual(try scrape(metrics).value(inFlight, ["method": Server.path("Sleep")]), 1)
        call.cancel()
        let code = await call.value
        XCTAssertEqual(code, .cancelled)

        let text = try scrape(metrics)
        XCTAssertEqual(text.value(requests, ["method": Server.path("Sleep"), "code": "CANCELLED"]), 1)
        XCTAssertEqual(text.samples(named: requests).count, 1)
        XCTAssertEqual(text.value(inFlight, ["method": Server.path("Sleep")]), 0)
    }

    func testACallPastItsDeadlineCountsAsDeadlineExceeded() async throws {
        let metrics = ServerMetrics()
        let server = Server(metrics: metrics)
        // The handler sees CancellationError when the deadline fires.
        let slept = await server.call(Server.path("Sleep"), deadline: .milliseconds(50))
        XCTAssertEqual(slept, .deadlineExceeded)
        // The handler ignores cancellation and returns OK late: the caller still got DEADLINE_EXCEEDED.
        let stubborn = await server.call(Server.path("Stubborn"), deadline: .milliseconds(50))
        XCTAssertEqual(stubborn, .deadlineExceeded)
        // A deadline that does not pass changes nothing.
        let relaxed = await server.call(Server.path("Ok"), deadline: .seconds(30))
        XCTAssertEqual(relaxed, .ok)

        let text = try scrape(metrics)
        XCTAssertEqual(text.value(requests, ["method": Server.path("Sleep"), "code": "DEADLINE_EXCEEDED"]), 1)
        XCTAssertEqual(text.value(requests, ["method": Server.path("Stubborn"), "code": "DEADLINE_EXCEEDED"]), 1)
        XCTAssertEqual(text.value(requests, ["method": Server.path("Ok"), "code": "OK"]), 1)
        XCTAssertEqual(text.samples(named: requests).count, 3, "no CANCELLED, OK or INTERNAL series for the late calls")
    }

    func testDurationsLandInTheHistogram() async throws {
        let metrics = ServerMetrics()
        let server = Server(metrics: metrics)
        for _ in 0..<3 { _ = await server.call(Server.path("Ok")) }
        _ = await server.call(Server.path("Nap"))  // sleeps 30 ms

        let text = try scrape(metrics)
        XCTAssertEqual(text.types[duration], "histogram")
        let ok = ["method": Server.path("Ok")]
        let nap = ["method": Server.path("Nap")]
        XCTAssertEqual(text.value(duration + "_count", ok), 3)
        XCTAssertEqual(text.value(duration + "_count", nap), 1)
        XCTAssertGreaterThanOrEqual(text.value(duration + "_sum", nap) ?? 0, 0.03)
        XCTAssertEqual(text.value(duration + "_bucket", nap.merging(["le": "0.025"]) { $1 }), 0, "a 30 ms call is not under 25 ms")
        XCTAssertEqual(text.value(duration + "_bucket", nap.merging(["le": "+Inf"]) { $1 }), 1)

        // The buckets are ours (0.5 ms … 10 s), not the library's default (5 ms …).
        let bounds = text.samples(named: duration + "_bucket").filter { $0.labels["method"] == Server.path("Ok") }
            .compactMap { $0.labels["le"].flatMap(PrometheusText.number) }.sorted()
        let expected = RPCMetricsInterceptor.durationBuckets.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 } + [.infinity]
        XCTAssertEqual(bounds, expected)
    }

    func testInFlightGoesUpWhileCallsRunAndBackDown() async throws {
        let metrics = ServerMetrics()
        let server = Server(metrics: metrics)
        let gate = ["method": Server.path("Gate")]
        let first = Task { await server.call(Server.path("Gate")) }
        let second = Task { await server.call(Server.path("Gate")) }
        let started = await server.probe.waitForStarts(2)
        XCTAssertTrue(started)

        var text = try scrape(metrics)
        XCTAssertEqual(text.types[inFlight], "gauge")
        XCTAssertEqual(text.value(inFlight, gate), 2)
        XCTAssertNil(text.value(requests, ["method": Server.path("Gate"), "code": "OK"]), "not counted before they end")

        server.probe.gate.open()
        let codes = [await first.value, await second.value]
        XCTAssertEqual(codes, [.ok, .ok])
        text = try scrape(metrics)
        XCTAssertEqual(text.value(inFlight, gate), 0)
        XCTAssertEqual(text.value(requests, ["method": Server.path("Gate"), "code": "OK"]), 2)

        // Failures leave the gauge too.
        _ = await server.call(Server.path("Boom"))
        _ = await server.call(Server.path("Sleep"), deadline: .milliseconds(20))
        text = try scrape(metrics)
        XCTAssertEqual(text.value(inFlight, ["method": Server.path("Boom")]), 0)
        XCTAssertEqual(text.value(inFlight, ["method": Server.path("Sleep")]), 0)
    }

    /// Through the protocol layer: a path nobody registered is answered before any
    /// interceptor runs, so callers cannot mint series by inventing paths.
    func testOnlyRegisteredMethodsEverBecomeSeries() async throws {
        let metrics = ServerMetrics()
        let server = Server(metrics: metrics)
        let json = [(name: "content-type", value: "application/json")]
        let requests: [(request: MetricsRequestSpec, status: Int)] = [
            (MetricsRequestSpec("POST", Server.path("Ok"), json, "{}"), 200),
            (MetricsRequestSpec("POST", Server.path("NoSuchMethod"), json, "{}"), 404),
            (MetricsRequestSpec("POST", "/evil.v1.Service/\(UUID().uuidString)", json, "{}"), 404),
            (MetricsRequestSpec("POST", "/other.v1.Thing/Do", [("content-type", "application/grpc-web+proto")], ""), 200),
            (MetricsRequestSpec("GET", "/no/such/route", [], ""), 404),
        ]
        for (spec, status) in requests {
            let writer = MetricsTestWriter()
            await server.server.handle(MetricsTestHTTP.request(spec.method, spec.target, headers: spec.headers, body: spec.body), writer: writer)
            XCTAssertEqual(writer.response.status, status, spec.target)
        }

        let text = try scrape(metrics)
        let methods = Set(text.samples.filter { $0.name.hasPrefix("rpc_server_") }.compactMap { $0.labels["method"] })
        XCTAssertEqual(methods, [Server.path("Ok")])
        XCTAssertEqual(text.value(self.requests, ["method": Server.path("Ok"), "code": "OK"]), 1)
        XCTAssertTrue(methods.isSubset(of: server.registeredMethods))
    }

    func testMetricsMadeThroughTheFactoryShareTheRegistry() throws {
        let metrics = ServerMetrics()
        Counter(label: "ledgerbridge_test_events_total", dimensions: [("kind", "imported")], factory: metrics.factory).increment(by: 3)
        Meter(label: "ledgerbridge_test_queue_depth", factory: metrics.factory).set(7)
        let text = try scrape(metrics)
        XCTAssertEqual(text.value("ledgerbridge_test_events_total", ["kind": "imported"]), 3)
        XCTAssertEqual(text.value("ledgerbridge_test_queue_depth"), 7)
    }
}

struct MetricsRequestSpec {
    var method: String
    var target: String
    var headers: [(name: String, value: String)]
    var body: String

    init(_ method: String, _ target: String, _ headers: [(name: String, value: String)], _ body: String) {
        (self.method, self.target, self.headers, self.body) = (method, target, headers, body)
    }
}
