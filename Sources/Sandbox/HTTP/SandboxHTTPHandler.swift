import HTTPServer
import NIOCore

/// An API the sandbox serves: one call in, one answer out.
public protocol SandboxAPI: Sendable {
    func respond(to request: SandboxRequest) async -> SandboxResponse
}

/// Serves a SandboxAPI on the project's HTTP server (HTTP/1.1 and h2): reads
/// the body, asks the API, writes the answer — or holds it, when fault injection says so.
public struct SandboxHTTPHandler: HTTPHandler {
    let api: any SandboxAPI
    /// Xero refuses bodies over 3.5 MB; a little headroom keeps that the API's call.
    let maxBodySize: Int

    public init(api: any SandboxAPI, maxBodySize: Int = 16 << 20) {
        self.api = api
        self.maxBodySize = maxBodySize
    }

    public func handle(_ request: HTTPRequest, writer: some HTTPResponseWriter) async {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maxBodySize)
        } catch is HTTPBodyTooLarge {
            try? await writer.writeHead(status: 413, headers: [("content-length", "0")], endStream: true)
            return
        } catch {
            return // the peer went away
        }
        let sandboxRequest = SandboxRequest(method: request.method, target: request.target, headers: request.headers,
                                            body: Array(body.readableBytesView))
        let response = await api.respond(to: sandboxRequest)
        await write(response, to: writer)
    }

    func write(_ response: SandboxResponse, to writer: some HTTPResponseWriter) async {
        switch response.disposition {
        case .hang:
            // Until the client gives up: its disconnect cancels this task.
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
        case .dropAfter(let bytes):
            // The head promises the whole body; part of it arrives, then the connection goes.
            if bytes > 0 {
                try? await writer.writeHead(status: response.status, headers: response.headers + [("content-length", String(response.bodyCount))], endStream: false)
                try? await writer.writeBody(ByteBuffer(bytes: response.body.prefix(bytes)))
            }
            await writer.abort()
        case .normal:
            var headers = response.headers
            headers.append(("content-length", String(response.bodyCount)))
            if response.bodyParts.isEmpty {
                try? await writer.writeHead(status: response.status, headers: headers, endStream: true)
                return
            }
            try? await writer.respond(status: response.status, headers: headers, parts: response.bodyParts, trailers: [])
        }
    }
}
