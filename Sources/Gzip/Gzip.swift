import CZlib

/// gzip (RFC 1952) through zlib: what `grpc-encoding: gzip` and Connect's
/// `gzip` content encodings carry.
public enum Gzip {
    /// zlib's window bits: 15 (32 KiB window) + 16 selects the gzip wrapper.
    private static let gzipWindowBits: Int32 = 15 + 16

    public static func compress(_ input: [UInt8], level: Int32 = Z_DEFAULT_COMPRESSION) throws(GzipError) -> [UInt8] {
        var stream = z_stream()
        guard CZlib_deflateInit2(&stream, level, gzipWindowBits) == Z_OK else { throw .init("deflateInit2 failed") }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))))
        let status = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
                stream.avail_in = uInt(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = uInt(target.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        // deflateBound leaves room for the whole output, so one Z_FINISH ends the stream.
        guard status == Z_STREAM_END else { throw .init("deflate did not finish (status \(status))") }
        output.removeLast(output.count - Int(stream.total_out))
        return output
    }

    /// Inflates one gzip member, refusing to produce more than `limit` bytes:
    /// the limit applies to what the input expands to, so a small "gzip bomb"
    /// cannot make the server allocate more than a plain message could.
    public static func decompress(_ input: [UInt8], limit: Int) throws(GzipError) -> [UInt8] {
        var stream = z_stream()
        guard CZlib_inflateInit2(&stream, gzipWindowBits) == Z_OK else { throw .init("inflateInit2 failed") }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: min(max(input.count * 4, 4096), 256 << 10, max(limit, 1) + 1))
        var status: Int32 = Z_OK
        try input.withUnsafeBufferPointer { source throws(GzipError) in
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            stream.avail_in = uInt(source.count)
            repeat {
                let produced = chunk.withUnsafeMutableBufferPointer { target -> Int in
                    stream.next_out = target.baseAddress
                    stream.avail_out = uInt(target.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return target.count - Int(stream.avail_out)
                }
                guard status == Z_OK || status == Z_STREAM_END else {
                    throw status == Z_BUF_ERROR ? .init("truncated gzip data") : .init("invalid gzip data")
                }
                guard output.count + produced <= limit else { throw .tooLarge(limit: limit) }
                output.append(contentsOf: chunk[0..<produced])
                if status == Z_OK && produced == 0 && stream.avail_in == 0 { throw .init("truncated gzip data") }
            } while status != Z_STREAM_END
        }
        guard stream.avail_in == 0 else { throw .init("trailing bytes after the gzip data") }
        return output
    }
}

public struct GzipError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    /// Set when the decompressed size passed the caller's limit.
    public let limit: Int?

    init(_ description: String) {
        self.description = description
        self.limit = nil
    }

    private init(description: String, limit: Int) {
        self.description = description
        self.limit = limit
    }

    static func tooLarge(limit: Int) -> GzipError {
        GzipError(description: "decompressed data is over the limit of \(limit) bytes", limit: limit)
    }
}
