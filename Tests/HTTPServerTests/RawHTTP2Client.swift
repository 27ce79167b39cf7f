import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking TCP client that speaks HTTP/2 frame by frame, so tests can do what no
/// polite client library would (floods, resets, never reading). Use it off the
/// cooperative pool (`onThread`): it blocks.
final class RawConnection {
    struct Timeout: Error {}
    struct Failure: Error, CustomStringConvertible { var description: String }

    private let fd: Int32
    private var pending: [UInt8] = []
    private(set) var isClosedByPeer = false

    init(port: Int, receiveTimeout: Double = 10, sendTimeout: Double = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Glibc.close(fd)
            throw Failure(description: "connect: \(errno)")
        }
        setTimeout(SO_RCVTIMEO, receiveTimeout)
        setTimeout(SO_SNDTIMEO, sendTimeout)
    }

    deinit { Glibc.close(fd) }

    private func setTimeout(_ option: Int32, _ seconds: Double) {
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, option, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends everything; throws `Timeout` when the peer stopped reading for the send timeout.
    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK { throw Timeout() }
                throw Failure(description: "send: \(errno)")
            }
            offset += sent
        }
    }

    /// Some bytes, or nil at end of stream (or reset); throws `Timeout`.
    func receive() throws -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count == 0 { isClosedByPeer = true; return nil }
        if count < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK { throw Timeout() }
            isClosedByPeer = true
            return nil  // ECONNRESET: as good as closed
        }
        return Array(buffer[..<count])
    }

    /// The next whole frame, or nil once the peer closed.
    func nextFrame() throws -> H2Frame? {
        while true {
            if pending.count >= 9 {
                let length = Int(pending[0]) << 16 | Int(pending[1]) << 8 | Int(pending[2])
                if pending.count >= 9 + length {
                    let frame = H2Frame(
                        type: pending[3], flags: pending[4],
                        stream: UInt32(pending[5] & 0x7f) << 24 | UInt32(pending[6]) << 16 | UInt32(pending[7]) << 8 | UInt32(pending[8]),
                        payload: Array(pending[9..<(9 + length)]))
                    pending.removeFirst(9 + length)
                    return frame
                }
            }
            guard let bytes = try receive() else { return nil }
            pending += bytes
        }
    }

    /// Frames until `stop` says so (returned with it) or the peer closes (nil); throws
    /// `Timeout` when nothing arrives for the receive timeout.
    func frames(until stop: (H2Frame) -> Bool) throws -> (seen: [H2Frame], last: H2Frame?) {
        var seen: [H2Frame] = []
        while let frame = try nextFrame() {
            seen.append(frame)
            if stop(frame) { return (seen, frame) }
        }
        return (seen, nil)
    }

    /// Reads and drops everything until the peer closes; false on timeout.
    func drainUntilClosed() -> Bool {
        while true {
            do {
                guard try receive() != nil else { return true }
            } catch {
                return false
            }
        }
    }
}

struct H2Frame: CustomStringConvertible {
    static let data: UInt8 = 0, headers: UInt8 = 1, priority: UInt8 = 2, rstStream: UInt8 = 3, settings: UInt8 = 4
    static let ping: UInt8 = 6, goAway: UInt8 = 7, windowUpdate: UInt8 = 8, continuation: UInt8 = 9

    var type: UInt8
    var flags: UInt8
    var stream: UInt32
    var payload: [UInt8]

    /// RST_STREAM's or GOAWAY's error code.
    var errorCode: UInt32? {
        switch type {
        case Self.rstStream where payload.count >= 4: return Self.uint32(payload, at: 0)
        case Self.goAway where payload.count >= 8: return Self.uint32(payload, at: 4)
        default: return nil
        }
    }

    /// SETTINGS entries (id → value).
    var settings: [UInt16: UInt32] {
        guard type == Self.settings else { return [:] }
        var entries: [UInt16: UInt32] = [:]
        var index = 0
        while index + 6 <= payload.count {
            entries[UInt16(payload[index]) << 8 | UInt16(payload[index + 1])] = Self.uint32(payload, at: index + 2)
            index += 6
        }
        return entries
    }

    var description: String { "frame(type \(type), flags \(flags), stream \(stream), \(payload.count) bytes, error \(errorCode.map(String.init) ?? "-"))" }

    static func uint32(_ bytes: [UInt8], at index: Int) -> UInt32 {
        UInt32(bytes[index]) << 24 | UInt32(bytes[index + 1]) << 16 | UInt32(bytes[index + 2]) << 8 | UInt32(bytes[index + 3])
    }
}

/// Frames as bytes, for the raw client.
enum H2 {
    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
    static let noError: UInt32 = 0, protocolError: UInt32 = 1, internalError: UInt32 = 2, cancel: UInt32 = 8
    static let refusedStream: UInt32 = 7, enhanceYourCalm: UInt32 = 0xb
    static let endStream: UInt8 = 0x1, ack: UInt8 = 0x1, endHeaders: UInt8 = 0x4

    static func frame(_ type: UInt8, flags: UInt8 = 0, stream: UInt32 = 0, _ payload: [UInt8] = []) -> [UInt8] {
        let length = payload.count
        return [UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff), type, flags] + be32(stream & 0x7fff_ffff) + payload
    }

    static func be32(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24 & 0xff), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }

    static func settings(_ entries: [(UInt16, UInt32)] = []) -> [UInt8] {
        frame(H2Frame.settings, entries.flatMap { [UInt8($0.0 >> 8), UInt8($0.0 & 0xff)] + be32($0.1) })
    }

    /// A header block of literal fields without indexing (no Huffman): valid HPACK that
    /// leaves no state behind, so blocks can be built independently.
    static func headerBlock(_ fields: [(String, String)]) -> [UInt8] {
        var block: [UInt8] = []
        for (name, value) in fields {
            precondition(name.utf8.count < 127 && value.utf8.count < 127)
            block += [0x00, UInt8(name.utf8.count)] + Array(name.utf8) + [UInt8(value.utf8.count)] + Array(value.utf8)
        }
        return block
    }

    static func request(stream: UInt32, method: String = "GET", path: String, endStream: Bool = true) -> [UInt8] {
        let block = headerBlock([(":method", method), (":scheme", "http"), (":path", path), (":authority", "localhost")])
        return frame(H2Frame.headers, flags: endHeaders | (endStream ? H2.endStream : 0), stream: stream, block)
    }

    static func rstStream(_ stream: UInt32, _ code: UInt32 = cancel) -> [UInt8] {
        frame(H2Frame.rstStream, stream: stream, be32(code))
    }

    static func ping(_ data: UInt64 = 0) -> [UInt8] {
        frame(H2Frame.ping, (0..<8).map { UInt8(data >> (8 * $0) & 0xff) })
    }

    static func windowUpdate(stream: UInt32 = 0, _ increment: UInt32) -> [UInt8] {
        frame(H2Frame.windowUpdate, stream: stream, be32(increment))
    }

    /// Preface plus our (empty or given) SETTINGS.
    static func start(_ settings: [(UInt16, UInt32)] = []) -> [UInt8] {
        preface + self.settings(settings)
    }
}

/// Runs blocking work on its own thread, off Swift's cooperative pool (which the
/// server's handlers need).
func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try work() })
        }
    }
}
