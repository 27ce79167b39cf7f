import NIOCore

/// The length-prefixed framing of gRPC, gRPC-Web and Connect streaming:
/// one flags byte, a 4-byte big-endian length, then the message.
public struct Envelope: Sendable, Equatable {
    public struct Flags: OptionSet, Sendable, Equatable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let compressed = Flags(rawValue: 0x01)
        /// Connect: the end-of-stream message. (gRPC-Web uses 0x80 for its trailers frame.)
        public static let connectEndStream = Flags(rawValue: 0x02)
        public static let grpcWebTrailers = Flags(rawValue: 0x80)
    }

    public var flags: Flags
    public var message: ByteBuffer

    public init(flags: Flags = [], message: ByteBuffer) {
        self.flags = flags
        self.message = message
    }

    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(flags.rawValue)
        buffer.writeInteger(UInt32(message.readableBytes))
        var message = self.message
        buffer.writeBuffer(&message)
    }

    public static func encode(_ message: ByteBuffer, flags: Flags = []) -> ByteBuffer {
        var out = ByteBuffer()
        out.reserveCapacity(5 + message.readableBytes)
        Envelope(flags: flags, message: message).write(to: &out)
        return out
    }
}

/// Cuts envelopes out of a byte stream that arrives in arbitrary pieces (an
/// envelope may span DATA frames, or several may share one).
public struct EnvelopeReader: Sendable {
    public let maxMessageSize: Int
    private var buffer = ByteBuffer()

    public init(maxMessageSize: Int) {
        self.maxMessageSize = maxMessageSize
    }

    public mutating func append(_ chunk: ByteBuffer) {
        var chunk = chunk
        buffer.writeBuffer(&chunk)
    }

    /// The next complete envelope, nil when more bytes are needed; throws
    /// RESOURCE_EXHAUSTED as soon as a declared length is over the limit.
    public mutating func next() throws -> Envelope? {
        guard buffer.readableBytes >= 5,
              let flags = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
              let length = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt32.self) else { return nil }
        guard Int(length) <= maxMessageSize else {
            throw RPCError(.resourceExhausted, "message of \(length) bytes is over the limit of \(maxMessageSize)")
        }
        guard buffer.readableBytes >= 5 + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 5)
        let message = buffer.readSlice(length: Int(length))!
        if buffer.readableBytes == 0 { buffer.clear() }
        return Envelope(flags: Envelope.Flags(rawValue: flags), message: message)
    }

    /// Bytes left over that do not make a whole envelope.
    public var pendingBytes: Int { buffer.readableBytes }
}
