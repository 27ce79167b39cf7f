import RPC
import RPCMessages

/// The errors services throw, with the typed details clients can act on
/// without parsing messages.
extension RPCError {
    /// The domain of every ErrorInfo this server sends.
    static let errorDomain = "ledgerbridge.v1"

    /// INVALID_ARGUMENT naming the field, with a google.rpc.BadRequest detail.
    static func invalidField(_ field: String, _ description: String) -> RPCError {
        var violation = Google_Rpc_BadRequest.FieldViolation()
        violation.field = field
        violation.description_p = description
        var badRequest = Google_Rpc_BadRequest()
        badRequest.fieldViolations = [violation]
        return RPCError(.invalidArgument, "\(field): \(description)", details: [badRequest])
    }

    /// An error with a google.rpc.ErrorInfo detail: a stable `reason` for programs.
    static func withReason(_ code: RPCCode, _ message: String, reason: String, metadata: [String: String] = [:]) -> RPCError {
        var info = Google_Rpc_ErrorInfo()
        info.reason = reason
        info.domain = errorDomain
        info.metadata = metadata
        return RPCError(code, message, details: [info])
    }
}
