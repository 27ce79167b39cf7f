import Foundation
import Logging
import RPC

/// Logs one line per call (method, status, duration, request id) and returns
/// the request id to the caller as `x-request-id`. Metadata is never logged:
/// it carries bearer tokens.
public struct RequestLoggingInterceptor: RPCInterceptor {
    let logger: Logger

    public init(logger: Logger = Logger(label: "ledgerbridge.rpc")) {
        self.logger = logger
    }

    public func intercept(_ context: RPCContext, next: () async throws -> Void) async throws {
        let started = ContinuousClock.now
        context.addResponseHeader("x-request-id", context.requestID)
        do {
            try await next()
            log(context, code: "ok", started: started)
        } catch {
            let code = (error as? RPCError)?.code.connectName ?? (error is CancellationError ? "canceled" : "internal")
            log(context, code: code, started: started)
            throw error
        }
    }

    private func log(_ context: RPCContext, code: String, started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        logger.info("rpc", metadata: [
            "method": "\(context.method)",
            "code": "\(code)",
            "duration_ms": "\(String(format: "%.2f", milliseconds))",
            "request_id": "\(context.requestID)",
        ])
    }
}
