import Foundation
import Logging
import RPC

/// Logs one line per call (method, status, duration, request id) and returns
/// the request id to the caller as `x-request-id`. Metadata is never logged:
/// it carries bearer tokens. Successful calls log at debug level: at thousands
/// of calls a second a line each cost about 7% of the server's CPU (BENCHMARKS.md);
/// failures log at info.
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
            log(context, code: "ok", level: .debug, started: started)
        } catch {
            let code = (error as? RPCError)?.code.connectName ?? (error is CancellationError ? "canceled" : "internal")
            log(context, code: code, level: .info, started: started)
            throw error
        }
    }

    private func log(_ context: RPCContext, code: String, level: Logger.Level, started: ContinuousClock.Instant) {
        guard logger.logLevel <= level else { return }
        let elapsed = ContinuousClock.now - started
        let microseconds = elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000
        let fraction = String(microseconds % 1000 / 10)
        logger.log(level: level, "rpc", metadata: [
            "method": "\(context.method)",
            "code": "\(code)",
            "duration_ms": "\(microseconds / 1000).\(fraction.count == 1 ? "0" + fraction : fraction)",
            "request_id": "\(context.requestID)",
        ])
    }
}
