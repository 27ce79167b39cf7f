import Gzip
import NIOCore

/// A message compression the server speaks: `grpc-encoding` and
/// `grpc-accept-encoding` for gRPC, `content-encoding` / `accept-encoding`
/// (unary) and `connect-content-encoding` / `connect-accept-encoding`
/// (streaming) for Connect.
enum MessageEncoding: String, Sendable {
    case identity
    case gzip

    /// What we advertise, preferred first.
    static let advertised = "gzip, identity"

    /// Responses are compressed only from this size: below it gzip's header and
    /// trailer (18 bytes) and the CPU cost outweigh any saving.
    static let compressionThreshold = 1024

    /// The encoding a request header names; nil for one we do not speak. An
    /// absent header means identity.
    static func named(_ header: String?) -> MessageEncoding? {
        guard let header else { return .identity }
        return MessageEncoding(rawValue: header.trimmingCharacters(in: .whitespaces).lowercased())
    }

    /// Whether an accept list (`gzip, identity;q=0.5`, ...) includes gzip.
    static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        return header.split(separator: ",").contains {
            $0.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() == "gzip"
        }
    }

    /// Inflates a compressed message, never past `limit` bytes: the limit is on
    /// what the message expands to, not on its compressed size.
    func decompress(_ message: ByteBuffer, limit: Int) throws -> ByteBuffer {
        switch self {
        case .identity:
            return message
        case .gzip:
            do {
                return ByteBuffer(bytes: try Gzip.decompress(Array(message.readableBytesView), limit: limit))
            } catch let error where error.limit != nil {
                throw RPCError(.resourceExhausted, "message decompresses to more than the limit of \(limit) bytes")
            } catch {
                // gRPC's spec: a message that fails to decompress is INTERNAL.
                throw RPCError(.internal, "cannot decompress a gzip message: \(error.description)")
            }
        }
    }

    /// The message compressed, or nil when it is small enough to send as is.
    func compressIfWorthIt(_ message: ByteBuffer) -> ByteBuffer? {
        guard self == .gzip, message.readableBytes >= Self.compressionThreshold,
              let compressed = try? Gzip.compress(Array(message.readableBytesView)) else { return nil }
        return ByteBuffer(bytes: compressed)
    }

    /// One envelope of a response, compressed when that is worth it.
    func envelope(_ message: ByteBuffer) -> ByteBuffer {
        if let compressed = compressIfWorthIt(message) {
            return Envelope.encode(compressed, flags: .compressed)
        }
        return Envelope.encode(message)
    }
}
