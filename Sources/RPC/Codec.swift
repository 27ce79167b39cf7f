import NIOCore
import SwiftProtobuf

/// How messages are serialized on the wire.
public enum Codec: Sendable {
    case proto
    /// The canonical proto3 JSON mapping (swift-protobuf's).
    case json

    func decode<M: SwiftProtobuf.Message>(_ type: M.Type, from buffer: ByteBuffer) throws -> M {
        do {
            let bytes = Array(buffer.readableBytesView)
            switch self {
            case .proto: return try M(serializedBytes: bytes)
            case .json:
                var options = JSONDecodingOptions()
                options.ignoreUnknownFields = false
                return try M(jsonUTF8Bytes: bytes, options: options)
            }
        } catch {
            throw RPCError(.invalidArgument, "malformed \(self == .proto ? "protobuf" : "JSON") request message")
        }
    }

    func encode(_ message: some SwiftProtobuf.Message) throws -> ByteBuffer {
        switch self {
        case .proto: return ByteBuffer(bytes: try message.serializedBytes() as [UInt8])
        case .json: return ByteBuffer(bytes: try message.jsonUTF8Bytes() as [UInt8])
        }
    }
}
