import RPC
import RPCMessages

/// `ledgerbridge.v1.DiagnosticsService`: no database, no authentication.
public enum DiagnosticsService {
    public static let name = "ledgerbridge.v1.DiagnosticsService"

    public static func register(in registry: inout MethodRegistry) {
        registry.unary("/\(name)/Ping") { (request: Ledgerbridge_V1_PingRequest, _) in
            var response = Ledgerbridge_V1_PingResponse()
            response.payload = request.payload
            return response
        }
    }
}
