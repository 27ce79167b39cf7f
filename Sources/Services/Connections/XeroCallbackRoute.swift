import Foundation
import HTTPServer
import NIOCore
import RPC

/// `GET /oauth/xero/callback?code&state`: where Xero sends the user after
/// consent. Completes the connection and shows a small page saying how it
/// went; no token or code is ever echoed.
public struct XeroCallbackRoute: HTTPHandler {
    let service: ConnectionService

    public init(service: ConnectionService) {
        self.service = service
    }

    public func handle(_ request: HTTPRequest, writer: some HTTPResponseWriter) async {
        guard request.method == "GET" else {
            try? await writer.writeHead(status: 405, headers: [("allow", "GET"), ("content-length", "0")], endStream: true)
            return
        }
        let items = URLComponents(string: "http://x" + request.target)?.queryItems ?? []
        func value(_ name: String) -> String? { items.first { $0.name == name }?.value }
        let (status, title, detail): (Int, String, String)
        if let error = value("error") {
            // The user declined, or Xero refused the request.
            (status, title, detail) = (400, "Not connected", "Xero returned \(Self.escape(error)). Close this window and start again.")
        } else {
            do {
                let connection = try await service.completeXero(state: value("state") ?? "", code: value("code") ?? "", caller: nil)
                if connection.status == .connected {
                    (status, title, detail) = (200, "Connected", "\(Self.escape(connection.externalName)) is connected. You can close this window.")
                } else {
                    (status, title, detail) = (200, "Almost there", "The consent covers several organisations: choose one in the dashboard.")
                }
            } catch let error as RPCError {
                (status, title, detail) = (error.code == .invalidArgument || error.code == .failedPrecondition ? 400 : 502, "Not connected", Self.escape(error.message))
            } catch {
                (status, title, detail) = (500, "Not connected", "Something went wrong on our side; start again.")
            }
        }
        let page = "<!doctype html><html><head><meta charset=\"utf-8\"><title>\(title) · LedgerBridge</title></head><body><h1>\(title)</h1><p>\(detail)</p></body></html>\n"
        try? await writer.respond(status: status, headers: [("content-type", "text/html; charset=utf-8"), ("cache-control", "no-store"),
                                                          ("content-length", String(page.utf8.count))], body: ByteBuffer(string: page), trailers: [])
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}
