@testable import HTTPServer
import NIOCore
import Synchronization

/// Requests and a response recorder, to drive handlers without sockets.
enum MetricsTestHTTP {
    static func request(_ method: String, _ target: String, headers: [(name: String, value: String)] = [],
                        body: String = "", version: HTTPVersionKind = .http1_1) -> HTTPRequest {
        let stream = AsyncThrowingStream<ByteBuffer, any Error> { continuation in
            if !body.isEmpty { continuation.yield(ByteBuffer(string: body)) }
            continuation.finish()
        }
        return HTTPRequest(method: method, target: target, headers: headers, version: version,
                           body: HTTPRequestBody(stream: stream, consumed: { _ in }))
    }
}

final class MetricsTestWriter: HTTPResponseWriter {
    struct Response {
        var status: Int?
        var headers: [(name: String, value: String)] = []
        var body = ByteBuffer()
        var trailers: [(name: String, value: String)] = []
        var ended = false

        func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }
        var text: String { String(buffer: body) }
    }

    private let state = Mutex(Response())
    var response: Response { state.withLock { $0 } }

    func writeHead(status: Int, headers: [(name: String, value: String)], endStream: Bool) async throws {
        state.withLock {
            $0.status = status
            $0.headers = headers
            $0.ended = endStream
        }
    }

    func abort() async {
        state.withLock { $0.ended = true }
    }

    func writeBody(_ buffer: ByteBuffer) async throws {
        state.withLock {
            var buffer = buffer
            $0.body.writeBuffer(&buffer)
        }
    }

    func finish(trailers: [(name: String, value: String)]) async throws {
        state.withLock {
            $0.trailers = trailers
            $0.ended = true
        }
    }
}
