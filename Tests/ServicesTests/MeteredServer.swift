import Foundation
import NIOCore
@testable import RPC
import RPCMessages
import Services
import Synchronization

/// A server whose methods end each way a call can end, behind the metrics
/// interceptor and the admin-token check (in serve's order), plus what the
/// tests need to watch calls that are still running.
struct MeteredServer {
    static let service = "test.v1.Metered"
    static let privateService = "test.v1.Private"
    static let adminToken = "s3cret-admin-token"
    static func path(_ method: String) -> String { "/\(service)/\(method)" }

    struct Boom: Error {}

    let server: RPCServer
    let probe = MetricsProbe()

    init(metrics: ServerMetrics) {
        typealias Request = Ledgerbridge_V1_PingRequest
        typealias Response = Ledgerbridge_V1_PingResponse
        let probe = probe
        var registry = MethodRegistry()
        registry.unary(Self.path("Ok")) { (_: Request, _) in Response() }
        registry.unary(Self.path("NotFound")) { (_: Request, _) -> Response in throw RPCError(.notFound, "nothing here") }
        registry.unary(Self.path("Boom")) { (_: Request, _) -> Response in throw Boom() }
        registry.unary(Self.path("Nap")) { (_: Request, _) in
            try await Task.sleep(for: .milliseconds(30))
            return Response()
        }
        // Honours cancellation, as handlers should.
        registry.unary(Self.path("Sleep")) { (_: Request, _) in
            probe.started()
            try await Task.sleep(for: .seconds(30))
            return Response()
        }
        // Ignores cancellation and returns OK after its deadline has passed.
        registry.unary(Self.path("Stubborn")) { (_: Request, _) in
            let end = ContinuousClock.now + .milliseconds(200)
            while ContinuousClock.now < end { try? await Task.sleep(for: .milliseconds(5)) }
            return Response()
        }
        registry.unary(Self.path("Gate")) { (_: Request, _) in
            probe.started()
            await probe.gate.wait()
            return Response()
        }
        registry.unary("/\(Self.privateService)/Get") { (_: Request, _) in Response() }
        server = RPCServer(registry: registry, interceptors: [
            metrics.interceptor,
            AuthInterceptor(bootstrapToken: Self.adminToken, directory: nil, openServices: [Self.service]),
        ])
    }

    var registeredMethods: Set<String> { Set(server.registry.methods.keys) }

    /// Calls `method` as a Connect unary JSON request through the whole server
    /// (protocol layer, deadline, interceptors, handler) and returns the status
    /// the caller is sent.
    func call(_ method: String, deadline: Duration? = nil, metadata: [(name: String, value: String)] = []) async -> RPCCode {
        var headers = [(name: "content-type", value: "application/json")] + metadata
        if let deadline {
            let milliseconds = deadline.components.seconds * 1000 + deadline.components.attoseconds / 1_000_000_000_000_000
            headers.append(("connect-timeout-ms", String(milliseconds)))
        }
        let writer = MetricsTestWriter()
        await server.handle(MetricsTestHTTP.request("POST", method, headers: headers, body: "{}"), writer: writer)
        let response = writer.response
        if response.status == 200 { return .ok }
        // A Connect unary error: {"code": "not_found", "message": ...}
        let error = (try? JSONSerialization.jsonObject(with: Data(response.text.utf8))) as? [String: Any]
        return RPCCode.allCases.first { $0.connectName == error?["code"] as? String } ?? .unknown
    }
}

/// Counts handler starts and holds `Gate` calls until opened.
final class MetricsProbe: Sendable {
    let gate = MetricsGate()
    private let starts = Mutex(0)

    func started() { starts.withLock { $0 += 1 } }
    var startCount: Int { starts.withLock { $0 } }

    /// Polls until `count` handlers have started (false after 10 s).
    func waitForStarts(_ count: Int) async -> Bool {
        let end = ContinuousClock.now + .seconds(10)
        while startCount < count {
            if ContinuousClock.now > end { return false }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return true
    }
}

final class MetricsGate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
