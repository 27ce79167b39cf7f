import HTTPServer
import NIOCore

/// `GET /healthz`: 200 when the database answers, 503 otherwise.
public struct HealthzRoute: HTTPHandler {
    let databaseIsUp: @Sendable () async -> Bool

    public init(databaseIsUp: @escaping @Sendable () async -> Bool) {
        self.databaseIsUp = databaseIsUp
    }

    public func handle(_ request: HTTPRequest, writer: some HTTPResponseWriter) async {
        guard request.method == "GET" || request.method == "HEAD" else {
            try? await writer.writeHead(status: 405, headers: [("allow", "GET, HEAD"), ("content-length", "0")], endStream: true)
            return
        }
        let up = await databaseIsUp()
        let body = up ? "ok\n" : "database unreachable\n"
        try? await writer.writeHead(status: up ? 200 : 503, headers: [("content-type", "text/plain"), ("content-length", String(body.utf8.count))], endStream: false)
        try? await writer.writeBody(ByteBuffer(string: request.method == "HEAD" ? "" : body))
        try? await writer.finish(trailers: [])
    }
}

/// `GET /metrics`: Prometheus text exposition (format 0.0.4).
public struct MetricsRoute: HTTPHandler {
    /// The exposition format's content type; scrapers pick their parser by it.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
    let render: @Sendable () async -> String

    public init(render: @escaping @Sendable () async -> String) {
        self.render = render
    }

    public init(metrics: ServerMetrics) {
        self.render = { metrics.render() }
    }

    public func handle(_ request: HTTPRequest, writer: some HTTPResponseWriter) async {
        guard request.method == "GET" || request.method == "HEAD" else {
            try? await writer.writeHead(status: 405, headers: [("allow", "GET, HEAD"), ("content-length", "0")], endStream: true)
            return
        }
        let body = await render()
        try? await writer.writeHead(status: 200, headers: [("content-type", Self.contentType), ("content-length", String(body.utf8.count))], endStream: false)
        try? await writer.writeBody(ByteBuffer(string: request.method == "HEAD" ? "" : body))
        try? await writer.finish(trailers: [])
    }
}
