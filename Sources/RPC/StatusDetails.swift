import Foundation
import RPCMessages
import SwiftProtobuf

/// How an error's typed details travel: gRPC puts a serialized google.rpc.Status
/// in the `grpc-status-details-bin` trailer; Connect lists them in its error JSON.
enum StatusDetails {
    static let grpcTrailer = "grpc-status-details-bin"

    /// The trailer value, or nil when the error has no details. Binary metadata
    /// is base64; gRPC says to send it unpadded (receivers accept both).
    static func grpcTrailerValue(_ error: RPCError) -> String? {
        guard !error.details.isEmpty else { return nil }
        var status = Google_Rpc_Status()
        status.code = Int32(error.code.rawValue)
        status.message = error.message
        status.details = error.details
        guard let bytes = try? status.serializedBytes() as [UInt8] else { return nil }
        return unpaddedBase64(bytes)
    }

    /// Connect's `details`: `[{"type": "google.rpc.BadRequest", "value": "<base64>"}]`,
    /// the type being the message's full name (the type URL without its prefix).
    static func connectJSON(_ error: RPCError) -> [[String: Any]] {
        error.details.map { detail in
            let type = detail.typeURL.split(separator: "/").last.map(String.init) ?? detail.typeURL
            return ["type": type, "value": unpaddedBase64(Array(detail.value))]
        }
    }

    private static func unpaddedBase64(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }
}
