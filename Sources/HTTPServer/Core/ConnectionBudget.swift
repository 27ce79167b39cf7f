/// The bytes one connection may make the server hold, and where they are.
///
/// What is counted (all on the connection's event loop):
/// - `requestBodies`: request-body bytes received but not yet taken by a handler, over
///   all streams. HTTP/2 flow control bounds them: our receive windows only open as
///   handlers read (nghttp2's automatic WINDOW_UPDATE is off), and the connection
///   window is `receiveWindow`, so a compliant peer can never push more than that;
///   nghttp2 ends the connection (FLOW_CONTROL_ERROR) for one that tries. HTTP/1.1
///   has no windows: there the handler stops reading the socket past `receiveWindow`.
/// - `requestHeaders`: the header fields kept for open streams (each stream's list is
///   capped at SETTINGS_MAX_HEADER_LIST_SIZE, streams at MAX_CONCURRENT_STREAMS).
/// - `responseQueued`: response bytes handlers wrote that nghttp2 has not framed yet
///   (the peer's flow-control windows are closed, or it is not their turn). Above
///   `responseHighWater` every writer on the connection waits, as it already does
///   above its own stream's high-water mark.
/// - `socketQueued`: frames handed to the channel whose write has not completed,
///   i.e. the peer is not reading its socket. Above `socketHighWater` we stop taking
///   frames out of nghttp2 and stop reading the socket (backpressure); both resume
///   below half of it. Holding nghttp2's frames back is also what makes its own
///   flood limits (queued PING/SETTINGS ACKs) bite instead of our buffers growing.
/// - `libraryBytes`: what libnghttp2 itself allocated for the session (streams,
///   queued frames, HPACK state), counted by `NGHTTP2MemoryCounter`.
///
/// While the total is at or over `limit`, new HTTP/2 streams are refused with
/// RST_STREAM(REFUSED_STREAM), which clients may retry safely; a peer that keeps
/// opening streams anyway runs out of refusals (`HTTP2AbuseGuard`) and gets
/// GOAWAY(ENHANCE_YOUR_CALM).
///
/// With the default 16 MiB: receive window 4 MiB + queued responses 4 MiB (plus at
/// most one write above the mark per stream) + socket backlog 1 MiB + headers
/// 100 × 16 KiB + nghttp2's own (tens of KiB per connection) stay under the limit
/// for a compliant peer, while one 4 MiB message (the RPC default) each way fits.
struct ConnectionBudget {
    /// Smallest budget accepted: the windows derived from it must stay useful.
    static let minimum = 1 << 20
    static let defaultLimit = 16 << 20

    let limit: Int

    private(set) var requestBodies = 0
    private(set) var requestHeaders = 0
    private(set) var responseQueued = 0
    private(set) var socketQueued = 0
    var libraryBytes = 0

    init(limit: Int) {
        self.limit = max(limit, Self.minimum)
    }

    var held: Int { requestBodies + requestHeaders + responseQueued + socketQueued + libraryBytes }

    /// At or over the limit: refuse new streams.
    var isExhausted: Bool { held >= limit }

    // MARK: - Shares of the limit

    /// HTTP/2 connection receive window (and the most a stream's window may be);
    /// HTTP/1.1 read-ahead of unread request body.
    var receiveWindow: Int { max(65_535, limit / 4) }
    /// Queued response bytes over the whole connection above which writers wait.
    var responseHighWater: Int { max(64 << 10, limit / 4) }
    /// Unwritten socket bytes above which we stop producing frames and reading.
    var socketHighWater: Int { min(1 << 20, max(64 << 10, limit / 16)) }

    var isSocketBacklogged: Bool { socketQueued >= socketHighWater }
    var isSocketDrained: Bool { socketQueued <= socketHighWater / 2 }
    var isResponseQueueFull: Bool { responseQueued > responseHighWater }
    var isResponseQueueDrained: Bool { responseQueued <= responseHighWater / 2 }
    var isReadAheadFull: Bool { requestBodies >= receiveWindow }
    var isReadAheadDrained: Bool { requestBodies <= receiveWindow / 2 }

    // MARK: - Accounting

    mutating func bodyReceived(_ bytes: Int) { requestBodies += bytes }
    mutating func bodyConsumed(_ bytes: Int) { requestBodies = max(0, requestBodies - bytes) }
    mutating func headersKept(_ bytes: Int) { requestHeaders += bytes }
    mutating func headersReleased(_ bytes: Int) { requestHeaders = max(0, requestHeaders - bytes) }
    mutating func responseWritten(_ bytes: Int) { responseQueued += bytes }
    mutating func responseFramed(_ bytes: Int) { responseQueued = max(0, responseQueued - bytes) }
    mutating func handedToSocket(_ bytes: Int) { socketQueued += bytes }
    mutating func writtenToSocket(_ bytes: Int) { socketQueued = max(0, socketQueued - bytes) }
}
