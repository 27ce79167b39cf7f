import CNGHTTP2
import NIOCore

/// What the server side of one HTTP/2 connection tells its owner. Called
/// synchronously from inside `receive(_:)` and `drainOutput()`, on the
/// connection's event loop.
protocol NGHTTP2SessionDelegate: AnyObject {
    func requestBegan(stream: Int32)
    /// Returns false to reset the stream (e.g. header list over the limit).
    func receivedHeader(stream: Int32, name: String, value: String) -> Bool
    func requestHeadComplete(stream: Int32, endStream: Bool)
    func receivedData(stream: Int32, _ data: ByteBuffer)
    func requestBodyComplete(stream: Int32)
    func streamClosed(stream: Int32, errorCode: UInt32)
    /// Fills up to `max` bytes of response body for `stream`.
    func nextResponseData(stream: Int32, max: Int) -> NGHTTP2Session.ResponseData
}

/// Owns one `nghttp2_session` (server side): HTTP/2 framing, HPACK, flow
/// control and the protocol's protections all happen inside libnghttp2. This
/// is the only place the connection handler's work touches C.
final class NGHTTP2Session {
    enum ResponseData {
        /// Bytes copied, and whether the body ends here (with trailers to follow when non-empty).
        case data(ByteBuffer, end: Bool, trailers: [(name: String, value: String)]?)
        /// Nothing buffered yet: call `resumeData(stream:)` when there is.
        case deferred
    }

    struct Limits {
        var maxConcurrentStreams: UInt32 = 100
        var initialWindowSize: UInt32 = 1 << 20
        var maxHeaderListSize: UInt32 = 16 * 1024
        var maxFrameSize: UInt32 = 16 * 1024
    }

    struct ProtocolError: Error, CustomStringConvertible {
        let code: Int
        var description: String { "HTTP/2 error: " + String(cString: nghttp2_strerror(Int32(code))) }
    }

    private var session: OpaquePointer?
    weak var delegate: (any NGHTTP2SessionDelegate)?
    private let allocator = ByteBufferAllocator()

    init(limits: Limits) {
        var callbacks: OpaquePointer?
        nghttp2_session_callbacks_new(&callbacks)
        defer { nghttp2_session_callbacks_del(callbacks) }
        nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks) { _, frame, userData in
            NGHTTP2Session.from(userData).onBeginHeaders(frame!)
        }
        nghttp2_session_callbacks_set_on_header_callback(callbacks) { _, frame, name, nameLength, value, valueLength, _, userData in
            NGHTTP2Session.from(userData).onHeader(frame!, name!, nameLength, value!, valueLength)
        }
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks) { _, frame, userData in
            NGHTTP2Session.from(userData).onFrameReceived(frame!)
        }
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks) { _, _, streamID, data, length, userData in
            NGHTTP2Session.from(userData).onDataChunk(streamID, data!, length)
        }
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks) { _, streamID, errorCode, userData in
            NGHTTP2Session.from(userData).delegate?.streamClosed(stream: streamID, errorCode: errorCode)
            return 0
        }

        var options: OpaquePointer?
        nghttp2_option_new(&options)
        defer { nghttp2_option_del(options) }
        // Window updates are sent as the handler consumes the body (consume(stream:bytes:)),
        // not as bytes arrive: a slow handler slows the peer instead of filling memory.
        nghttp2_option_set_no_auto_window_update(options, 1)
        // Protections of this libnghttp2 (1.52 with Debian's backports):
        nghttp2_option_set_max_settings(options, 32)                 // SETTINGS flood: entries per frame
        nghttp2_option_set_max_outbound_ack(options, 1000)           // PING/SETTINGS flood: queued ACKs
        nghttp2_option_set_stream_reset_rate_limit(options, 1000, 33) // rapid reset (CVE-2023-44487)
        nghttp2_option_set_max_continuations(options, 8)             // CONTINUATION flood (CVE-2024-27316 class)
        nghttp2_option_set_max_deflate_dynamic_table_size(options, 4096)

        let userData = Unmanaged.passUnretained(self).toOpaque()
        var created: OpaquePointer?
        let rc = nghttp2_session_server_new2(&created, callbacks, userData, options)
        precondition(rc == 0, "nghttp2_session_server_new2 failed: \(rc)")
        session = created

        var settings = [
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS.rawValue), value: limits.maxConcurrentStreams),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE.rawValue), value: limits.initialWindowSize),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE.rawValue), value: limits.maxHeaderListSize),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_FRAME_SIZE.rawValue), value: limits.maxFrameSize),
        ]
        _ = nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), &settings, settings.count)
        // The connection window (stream 0) starts at 64 KiB whatever SETTINGS say; open it
        // to what all streams together may have in flight.
        _ = nghttp2_session_set_local_window_size(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0, Int32(clamping: Int(limits.initialWindowSize) * 16))
    }

    deinit {
        if let session { nghttp2_session_del(session) }
    }

    private static func from(_ userData: UnsafeMutableRawPointer?) -> NGHTTP2Session {
        Unmanaged<NGHTTP2Session>.fromOpaque(userData!).takeUnretainedValue()
    }

    // MARK: - Driving the session

    /// Feeds bytes from the socket. Throws on a connection-level protocol error
    /// (after which `drainOutput()` still yields the GOAWAY to send).
    func receive(_ buffer: ByteBuffer) throws {
        let consumed = buffer.withUnsafeReadableBytes { bytes in
            nghttp2_session_mem_recv(session, bytes.bindMemory(to: UInt8.self).baseAddress, bytes.count)
        }
        if consumed < 0 { throw ProtocolError(code: consumed) }
    }

    /// Everything nghttp2 wants to send now, as one buffer (nil when nothing).
    func drainOutput() throws -> ByteBuffer? {
        var output: ByteBuffer?
        while true {
            var data: UnsafePointer<UInt8>?
            let length = nghttp2_session_mem_send(session, &data)
            if length < 0 { throw ProtocolError(code: length) }
            if length == 0 { break }
            if output == nil { output = allocator.buffer(capacity: length) }
            output!.writeBytes(UnsafeRawBufferPointer(start: data, count: length))
        }
        return output
    }

    /// False once both sides are done (GOAWAY exchanged, no streams): close the connection.
    var isActive: Bool {
        nghttp2_session_want_read(session) != 0 || nghttp2_session_want_write(session) != 0
    }

    // MARK: - Responses

    func submitResponse(stream: Int32, status: Int, headers: [(name: String, value: String)], endStream: Bool) -> Bool {
        let all = [(name: ":status", value: String(status))] + headers
        return withNameValues(all) { nameValues, count in
            if endStream {
                return nghttp2_submit_response(session, stream, nameValues, count, nil) == 0
            }
            var provider = nghttp2_data_provider()
            provider.read_callback = { _, streamID, buffer, length, dataFlags, _, userData in
                NGHTTP2Session.from(userData).readResponse(streamID, buffer!, length, dataFlags!)
            }
            return nghttp2_submit_response(session, stream, nameValues, count, &provider) == 0
        }
    }

    /// Wakes a deferred response body after its owner buffered more data.
    func resumeData(stream: Int32) {
        _ = nghttp2_session_resume_data(session, stream)
    }

    /// Opens the flow-control windows by what the handler consumed.
    func consume(stream: Int32, bytes: Int) {
        _ = nghttp2_session_consume(session, stream, bytes)
    }

    /// Gives back connection-window credit for bytes no stream will consume (a
    /// closed stream's unread body, DATA for a stream already gone).
    func consumeConnection(bytes: Int) {
        _ = nghttp2_session_consume_connection(session, bytes)
    }

    func resetStream(_ stream: Int32, errorCode: UInt32 = NGHTTP2_INTERNAL_ERROR.rawValue) {
        _ = nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), stream, errorCode)
    }

    /// Graceful shutdown: GOAWAY with the last stream id seen; streams in flight may finish.
    func submitGoAway() {
        let last = nghttp2_session_get_last_proc_stream_id(session)
        _ = nghttp2_submit_goaway(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), last, NGHTTP2_NO_ERROR.rawValue, nil, 0)
    }

    // MARK: - Callbacks

    private func onBeginHeaders(_ frame: UnsafePointer<nghttp2_frame>) -> Int32 {
        if frame.pointee.hd.type == UInt8(NGHTTP2_HEADERS.rawValue), frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST {
            delegate?.requestBegan(stream: frame.pointee.hd.stream_id)
        }
        return 0
    }

    private func onHeader(_ frame: UnsafePointer<nghttp2_frame>, _ name: UnsafePointer<UInt8>, _ nameLength: Int,
                          _ value: UnsafePointer<UInt8>, _ valueLength: Int) -> Int32 {
        let stream = frame.pointee.hd.stream_id
        let name = String(decoding: UnsafeBufferPointer(start: name, count: nameLength), as: UTF8.self)
        let value = String(decoding: UnsafeBufferPointer(start: value, count: valueLength), as: UTF8.self)
        guard delegate?.receivedHeader(stream: stream, name: name, value: value) ?? false else {
            return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue  // resets just this stream
        }
        return 0
    }

    private func onFrameReceived(_ frame: UnsafePointer<nghttp2_frame>) -> Int32 {
        let header = frame.pointee.hd
        let endStream = header.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
        switch UInt32(header.type) {
        case NGHTTP2_HEADERS.rawValue:
            if frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST {
                delegate?.requestHeadComplete(stream: header.stream_id, endStream: endStream)
            } else if endStream {
                delegate?.requestBodyComplete(stream: header.stream_id)  // request trailers
            }
        case NGHTTP2_DATA.rawValue:
            if endStream { delegate?.requestBodyComplete(stream: header.stream_id) }
        default:
            break
        }
        return 0
    }

    private func onDataChunk(_ stream: Int32, _ data: UnsafePointer<UInt8>, _ length: Int) -> Int32 {
        var buffer = allocator.buffer(capacity: length)
        buffer.writeBytes(UnsafeRawBufferPointer(start: data, count: length))
        delegate?.receivedData(stream: stream, buffer)
        return 0
    }

    private func readResponse(_ stream: Int32, _ target: UnsafeMutablePointer<UInt8>, _ length: Int, _ flags: UnsafeMutablePointer<UInt32>) -> Int {
        guard let delegate else { return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue) }
        switch delegate.nextResponseData(stream: stream, max: length) {
        case .deferred:
            return Int(NGHTTP2_ERR_DEFERRED.rawValue)
        case .data(let buffer, let end, let trailers):
            let count = buffer.readableBytes
            buffer.withUnsafeReadableBytes { bytes in
                if count > 0 { target.update(from: bytes.bindMemory(to: UInt8.self).baseAddress!, count: count) }
            }
            if end {
                flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue
                if let trailers, !trailers.isEmpty {
                    flags.pointee |= NGHTTP2_DATA_FLAG_NO_END_STREAM.rawValue
                    _ = withNameValues(trailers) { nameValues, count in
                        nghttp2_submit_trailer(session, stream, nameValues, count)
                    }
                }
            }
            return count
        }
    }

    /// nghttp2 copies names and values during submit, so one temporary buffer is enough.
    private func withNameValues<T>(_ pairs: [(name: String, value: String)], _ body: (UnsafePointer<nghttp2_nv>, Int) -> T) -> T {
        var bytes: [UInt8] = []
        var ranges: [(name: Range<Int>, value: Range<Int>)] = []
        ranges.reserveCapacity(pairs.count)
        for pair in pairs {
            let nameStart = bytes.count
            bytes.append(contentsOf: pair.name.utf8)
            let valueStart = bytes.count
            bytes.append(contentsOf: pair.value.utf8)
            ranges.append((nameStart..<valueStart, valueStart..<bytes.count))
        }
        bytes.append(0)  // never empty, so baseAddress exists
        return bytes.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            let nameValues = ranges.map { range in
                nghttp2_nv(name: base + range.name.lowerBound, value: base + range.value.lowerBound,
                           namelen: range.name.count, valuelen: range.value.count,
                           flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue))
            }
            return nameValues.withUnsafeBufferPointer { body($0.baseAddress!, $0.count) }
        }
    }
}
