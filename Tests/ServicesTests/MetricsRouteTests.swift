import HTTPServer
import RPC
import Services
import Synchronization
import XCTest

final class MetricsRouteTests: XCTestCase {
    func testGETAnswersPrometheusText() async throws {
        let metrics = ServerMetrics()
        let server = MeteredServer(metrics: metrics)
        _ = await server.call(MeteredServer.path("Ok"))
        let route = MetricsRoute(metrics: metrics)

        let writer = MetricsTestWriter()
        await route.handle(MetricsTestHTTP.request("GET", "/metrics"), writer: writer)
        let response = writer.response
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("content-type"), "text/plain; version=0.0.4; charset=utf-8")
        XCTAssertEqual(response.header("content-length"), String(response.body.readableBytes))
        XCTAssertTrue(response.ended)

        let text = try PrometheusText(parsing: response.text)
        XCTAssertEqual(text.value(RPCMetricsInterceptor.requestsMetric, ["method": MeteredServer.path("Ok"), "code": "OK"]), 1)
        XCTAssertEqual(text.types[RPCMetricsInterceptor.requestsMetric], "counter")
        XCTAssertEqual(text.types[RPCMetricsInterceptor.durationMetric], "histogram")
        XCTAssertEqual(text.types[RPCMetricsInterceptor.inFlightMetric], "gauge")
        #if os(Linux)
        XCTAssertEqual(text.types["process_cpu_seconds_total"], "counter")
        XCTAssertGreaterThan(text.value("process_resident_memory_bytes") ?? 0, 0)
        XCTAssertGreaterThan(text.value("process_open_fds") ?? 0, 0)
        XCTAssertGreaterThan(text.value("process_start_time_seconds") ?? 0, 0)
        #endif
    }

    func testHEADHasTheHeadersButNoBody() async throws {
        let route = MetricsRoute(metrics: ServerMetrics())
        let writer = MetricsTestWriter()
        await route.handle(MetricsTestHTTP.request("HEAD", "/metrics"), writer: writer)
        XCTAssertEqual(writer.response.status, 200)
        XCTAssertEqual(writer.response.header("content-type"), MetricsRoute.contentType)
        XCTAssertGreaterThan(Int(writer.response.header("content-length") ?? "") ?? 0, 0)
        XCTAssertEqual(writer.response.body.readableBytes, 0)
    }

    func testOtherMethodsAre405() async throws {
        let rendered = MetricsRenderCount()
        let route = MetricsRoute(render: { rendered.increment(); return "x 1\n" })
        for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
            let writer = MetricsTestWriter()
            await route.handle(MetricsTestHTTP.request(method, "/metrics", body: "a=b"), writer: writer)
            XCTAssertEqual(writer.response.status, 405, method)
            XCTAssertEqual(writer.response.header("allow"), "GET, HEAD", method)
            XCTAssertEqual(writer.response.body.readableBytes, 0, method)
            XCTAssertTrue(writer.response.ended, method)
        }
        XCTAssertEqual(rendered.value, 0, "a refused request does not pay for a scrape")
    }

    /// As `serve` mounts it: by path, whatever the query string or content type.
    func testMountedOnTheRPCServer() async throws {
        let metrics = ServerMetrics()
        let server = RPCServer(registry: MethodRegistry(), routes: ["/metrics": MetricsRoute(metrics: metrics)])
        let writer = MetricsTestWriter()
        await server.handle(MetricsTestHTTP.request("GET", "/metrics?name[]=x", headers: [("content-type", "application/json")]), writer: writer)
        XCTAssertEqual(writer.response.status, 200)
        XCTAssertEqual(writer.response.header("content-type"), MetricsRoute.contentType)
        _ = try PrometheusText(parsing: writer.response.text)
    }
}

final class MetricsRenderCount: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
