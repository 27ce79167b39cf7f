import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Sends one webhook delivery: a POST of a JSON body with the sender's
/// headers. What came back is all the caller needs to decide on a retry.
struct WebhookPoster: Sendable {
    enum Outcome: Sendable, Equatable {
        /// The receiver answered (any status).
        case answered(status: Int, body: String)
        /// No answer: refused, reset, timed out.
        case failed(String)

        var status: Int? {
            if case .answered(let status, _) = self { return status }
            return nil
        }
    }

    /// Xero expects an answer within 5 seconds; Cin7 documents none, so the same.
    var timeout: TimeAmount = .seconds(5)

    func post(to url: String, headers: [(String, String)], body: [UInt8]) async -> Outcome {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json; charset=utf-8")
        request.headers.add(name: "user-agent", value: "LedgerBridge-Sandbox-Webhooks/1.0")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: timeout)
            // A receiver's answer is read only as far as a log line needs.
            let answer = try await response.body.collect(upTo: 64 * 1024)
            return .answered(status: Int(response.status.code), body: String(buffer: answer))
        } catch {
            return .failed(String(describing: error))
        }
    }
}
