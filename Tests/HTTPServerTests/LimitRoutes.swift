import Foundation
import HTTPServer
import NIOCore

/// Routes for the limit tests: quick answers, responses that stay open, big bodies,
/// and handlers that ignore cancellation.
struct LimitRoutes: HTTPHandler {
    func handle(_ request: HTTPRequest, writer: some HTTPResponseWriter) async {
        do {
            switch String(request.path) {
            case "/hello":
                try await writer.writeHead(status: 200, headers: [("content-type", "text/plain")], endStream: false)
                try await writer.writeBody(ByteBuffer(string: "hello"))
                try await writer.finish(trailers: [])
            case "/hold":
                // A long-running stream (like a Watch): one chunk, then quiet until cancelled.
                try await writer.writeHead(status: 200, headers: [], endStream: false)
                try await writer.writeBody(ByteBuffer(string: "first"))
                try await Task.sleep(for: .seconds(60))
                try await writer.finish(trailers: [])
            case "/big":
                // `mib` MiB, written as 1 MiB chunks (the writer waits when the queue is full).
                let mebibytes = Int(request.target.split(separator: "=").last ?? "") ?? 4
                try await writer.writeHead(status: 200, headers: [], endStream: false)
                let chunk = ByteBuffer(repeating: UInt8(ascii: "x"), count: 1 << 20)
                for _ in 0..<mebibytes { try await writer.writeBody(chunk) }
                try await writer.finish(trailers: [])
            case "/big-once":
                // One 4 MiB write: it is queued whole, whatever the high-water marks say.
                try await writer.writeHead(status: 200, headers: [], endStream: false)
                try await writer.writeBody(ByteBuffer(repeating: UInt8(ascii: "y"), count: 4 << 20))
                try await writer.finish(trailers: [])
            case "/stubborn":
                // Keeps running for 5 s whatever happens to its stream (cancellation is ignored).
                await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                    DispatchQueue.global().asyncAfter(deadline: .now() + 5) { done.resume() }
                }
                try await writer.writeHead(status: 204, headers: [], endStream: true)
            default:
                try await writer.writeHead(status: 404, headers: [], endStream: true)
            }
        } catch {}
    }
}
