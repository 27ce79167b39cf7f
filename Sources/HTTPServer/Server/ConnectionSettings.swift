import NIOCore

/// What every accepted connection is set up with, from `HTTPServer.Configuration`.
struct ConnectionSettings: Sendable {
    /// nil: connections are never closed for being idle.
    var idleTimeout: TimeAmount?
    /// Bytes one connection may make the server hold (see `ConnectionBudget`).
    var memoryBudget: Int = ConnectionBudget.defaultLimit
    /// SETTINGS_MAX_CONCURRENT_STREAMS for HTTP/2.
    var maxConcurrentStreams: Int = 100
    /// SETTINGS_MAX_HEADER_LIST_SIZE for HTTP/2 (RFC 9113 counting: name + value + 32 per field).
    var maxHeaderListSize: Int = 16 * 1024

    /// nghttp2's settings and windows, consistent with the budget: a stream's window
    /// never exceeds the connection's, and the connection's is the budget's receive share.
    var http2Limits: NGHTTP2Session.Limits {
        let budget = ConnectionBudget(limit: memoryBudget)
        var limits = NGHTTP2Session.Limits()
        limits.maxConcurrentStreams = UInt32(clamping: maxConcurrentStreams)
        limits.maxHeaderListSize = UInt32(clamping: maxHeaderListSize)
        limits.connectionWindowSize = UInt32(clamping: budget.receiveWindow)
        limits.initialWindowSize = min(limits.initialWindowSize, UInt32(clamping: budget.receiveWindow))
        return limits
    }
}
