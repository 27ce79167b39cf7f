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
    /// The peer did something that costs us work without being a request (see `HTTP2AbuseGuard`).
    func peerDid(_ event: HTTP2AbuseGuard.Event)
    /// A GOAWAY went out: ours, or nghttp2's own (a protocol error, its reset rate limit).
    func goAwaySent(errorCode: UInt32)
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
        /// Every stream's receive window (SETTINGS_INITIAL_WINDOW_SIZE).
        var initialWindowSize: UInt32 = 1 << 20
        /// The connection's receive window: what all streams together may have unread.
        var connectionWindowSize: UInt32 = 16 << 20
        var maxHeaderListSize: UInt32 = 16 * 1024
        var maxFrameSize: UInt32 = 16 * 1024
    }

    struct ProtocolError: Error, CustomStringConvertible {
        let code: Int
        var description: String { "HTTP/2 error: " + String(cString: nghttp2_strerror(Int32(code))) }
        /// nghttp2 ended the session because the peer flooded it (queued ACKs,
        /// CONTINUATION frames, SETTINGS entries): answer with ENHANCE_YOUR_CALM.
        var isFlood: Bool {
            [NGHTTP2_ERR_FLOODED.rawValue, NGHTTP2_ERR_TOO_MANY_CONTINUATIONS.rawValue, NGHTTP2_ERR_TOO_MANY_SETTINGS.rawValue]
                .contains(Int32(code))
        }
    }

    private var session: OpaquePointer?
    weak var delegate: (any NGHTTP2SessionDelegate)?
    private let allocator = ByteBufferAllocator()
    /// Outlives the session: deinit deletes the session before stored properties go.
    private let memory = NGHTTP2MemoryCounter()

    /// Bytes libnghttp2 holds for this session.
    var libraryBytes: Int { memory.bytes }

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
        // Seen for every frame whose payload nghttp2 will read: what the abuse guard counts.
        nghttp2_session_callbacks_set_on_begin_frame_callback(callbacks) { _, header, userData in
            if let event = NGHTTP2Session.costlyEvent(header!.pointee) {
                NGHTTP2Session.from(userData).delegate?.peerDid(event)
            }
            return 0
        }
        // Stream errors the peer caused (malformed requests, frames on closed streams).
        nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(callbacks) { _, _, _, userData in
            NGHTTP2Session.from(userData).delegate?.peerDid(.invalidFrame)
            return 0
        }
        nghttp2_session_callbacks_set_on_frame_send_callback(callbacks) { _, frame, userData in
            if frame!.pointee.hd.type == UInt8(NGHTTP2_GOAWAY.rawValue) {
                NGHTTP2Session.from(userData).delegate?.goAwaySent(errorCode: frame!.pointee.goaway.error_code)
            }
            return 0
        }
        // Extension frames are routed to us only so on_begin_frame sees (and counts)
        // them; their payload is dropped and the frame ignored.
        nghttp2_session_callbacks_set_on_extension_chunk_recv_callback(callbacks) { _, _, _, _, _ in 0 }
        nghttp2_session_callbacks_set_unpack_extension_callback(callbacks) { _, _, _, _ in NGHTTP2_ERR_CANCEL.rawValue }

        var options: OpaquePointer?
        nghttp2_option_new(&options)
        defer { nghttp2_option_del(options) }
        // Window updates are sent as the handler consumes the body (consume(stream:bytes:)),
        // not as bytes arrive: a slow handler slows the peer instead of filling memory.
        nghttp2_option_set_no_auto_window_update(options, 1)
        // Protections of this libnghttp2 (1.52 with Debian's backports); the full table,
        // with what our code adds, is in HTTP2Protections.swift.
        nghttp2_option_set_max_settings(options, 32)                 // SETTINGS flood: entries per frame
        nghttp2_option_set_max_outbound_ack(options, 1000)           // PING/SETTINGS flood: queued ACKs
        nghttp2_option_set_stream_reset_rate_limit(options, 1000, 33) // rapid reset (CVE-2023-44487)
        nghttp2_option_set_max_continuations(options, 8)             // CONTINUATION flood (CVE-2024-28182)
        nghttp2_option_set_max_deflate_dynamic_table_size(options, 4096)
        nghttp2_option_set_no_closed_streams(options, 1)             // closed streams are not kept for priorities
        for type in UInt8(10)...UInt8(255) {                         // every extension type: see, count, drop
            nghttp2_option_set_user_recv_extension_type(options, type)
        }

        let userData = Unmanaged.passUnretained(self).toOpaque()
        var created: OpaquePointer?
        var allocator = memory.allocator()
        let rc = nghttp2_session_server_new3(&created, callbacks, userData, options, &allocator)
        precondition(rc == 0, "nghttp2_session_server_new3 failed: \(rc)")
        session = created

        var settings = [
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS.rawValue), value: limits.maxConcurrentStreams),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE.rawValue), value: limits.initialWindowSize),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE.rawValue), value: limits.maxHeaderListSize),
            nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_MAX_FRAME_SIZE.rawValue), value: limits.maxFrameSize),
        ]
        _ = nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), &settings, settings.count)
        // The connection window (stream 0) starts at 64 KiB whatever SETTINGS say; set it
        // to what all streams together may have unread (the budget's receive window).
        _ = nghttp2_session_set_local_window_size(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), 0, Int32(clamping: limits.connectionWindowSize))
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

    /// What nghttp2 wants to send now, as one buffer of about `limit` bytes at most
    /// (one frame may overshoot it); nil when nothing. Frames left behind stay queued
    /// in nghttp2, and DATA is only produced when asked for, so a caller that stops
    /// draining stops response bodies from turning into socket bytes.
    func drainOutput(upTo limit: Int = .max) throws -> ByteBuffer? {
        var output: ByteBuffer?
        while (output?.readableBytes ?? 0) < limit {
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

    /// nghttp2 has frames it wants to send (or response data it could frame).
    var wantsWrite: Bool {
        nghttp2_session_want_write(session) != 0
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

    /// Ends the session: GOAWAY with `errorCode`, nothing more is read, and `isActive`
    /// turns false once it is sent. Does nothing if the session is already ending so.
    func terminate(errorCode: UInt32) {
        _ = nghttp2_session_terminate_session(session, errorCode)
    }

    /// Graceful shutdown: GOAWAY with the last stream id seen; streams in flight may finish.
    func submitGoAway() {
        let last = nghttp2_session_get_last_proc_stream_id(session)
        _ = nghttp2_submit_goaway(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), last, NGHTTP2_NO_ERROR.rawValue, nil, 0)
    }

    // MARK: - Callbacks

    /// The frames the abuse guard counts, from their header alone.
    private static func costlyEvent(_ header: nghttp2_frame_hd) -> HTTP2AbuseGuard.Event? {
        switch UInt32(header.type) {
        case NGHTTP2_PING.rawValue:
            return .ping  // ACKs too: we never send PINGs, so any ACK is unsolicited
        case NGHTTP2_SETTINGS.rawValue:
            return .settings
        case NGHTTP2_PRIORITY.rawValue:
            return .priority
        case NGHTTP2_DATA.rawValue:
            let endStream = header.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
            return header.length == 0 && !endStream ? .emptyData : nil
        case 0...UInt32(NGHTTP2_CONTINUATION.rawValue):
            return nil
        default:
            return .unknownFrame
        }
    }

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
