import NIOCore

/// How an HTTP/2 connection is protected against a peer that wants to make the server
/// work or hold memory without doing requests, and who does it: libnghttp2 (1.52.0 as
/// Debian 12 ships it, with the security backports of 1.52.0-1+deb12u1..u3) or our code.
///
/// | threat | protection | where |
/// |---|---|---|
/// | rapid reset (CVE-2023-44487): HEADERS then RST_STREAM, repeatedly | token bucket on received RST_STREAM, 1000 burst, 33/s, then GOAWAY(INTERNAL_ERROR) | nghttp2 `stream_reset_rate_limit` (backported) |
/// | rapid reset: handlers still running after their stream was reset | at most 2 × MAX_CONCURRENT_STREAMS handler tasks per connection; more → REFUSED_STREAM, and the "refusal" bucket below; against a real flood this fires first (a few hundred resets) | ours (`HTTP2ConnectionHandler.requestBegan`) |
/// | too many open streams | SETTINGS_MAX_CONCURRENT_STREAMS (default 100), enforced | nghttp2 (value from `--max-concurrent-streams`) |
/// | CONTINUATION flood (CVE-2024-28182) | at most 8 CONTINUATION frames per header block, then the session ends; we send GOAWAY(ENHANCE_YOUR_CALM) | nghttp2 `max_continuations` (backported) + ours |
/// | huge header lists | SETTINGS_MAX_HEADER_LIST_SIZE 16 KiB advertised and enforced per stream (RST_STREAM) | ours (`receivedHeader`); nghttp2 caps one field at 64 KiB |
/// | HPACK encoder memory | dynamic table for our responses capped at 4 KiB | nghttp2 `max_deflate_dynamic_table_size` |
/// | SETTINGS with many entries | at most 32 entries per frame | nghttp2 `max_settings` |
/// | PING / SETTINGS flood, peer not reading the ACKs (CVE-2019-9512, -9515) | at most 1000 queued ACKs, then the session ends (we send GOAWAY(ENHANCE_YOUR_CALM)); it bites because we stop taking frames out of nghttp2 while the socket is backlogged | nghttp2 `max_outbound_ack` + ours (`ConnectionBudget.socketHighWater`) |
/// | PING / SETTINGS flood, peer reading | "control" token bucket, 1000 burst, 100/s, then GOAWAY(ENHANCE_YOUR_CALM) | ours (nghttp2 ≥ 1.67 has only the glitch limiter, which does not count these) |
/// | PRIORITY flood, CVE-2019-9513 resource loop | same "control" bucket | ours (nghttp2 ≥ 1.67: glitch limiter) |
/// | empty DATA frames without END_STREAM (CVE-2019-9518) | same "control" bucket | ours (nghttp2 ≥ 1.67: glitch limiter) |
/// | unknown extension frames | same "control" bucket (every extension type is routed to us to be seen and dropped) | ours (nghttp2 ≥ 1.67: glitch limiter) |
/// | invalid frames / malformed requests (stream errors the peer causes, CVE-2019-9514 reset flood) | same "control" bucket | ours (nghttp2 ≥ 1.67: glitch limiter) |
/// | streams refused again and again (over budget, too many handlers) | "refusal" bucket, 100 burst, 10/s, then GOAWAY(ENHANCE_YOUR_CALM) | ours (like Node's `maxSessionRejectedStreams`) |
/// | peer opens windows and does not read (CVE-2019-9517) | socket backlog and per-stream / per-connection response high-water marks; reading stops | ours (`ConnectionBudget`) |
/// | request bodies piling up | receive windows opened only as handlers read; connection window = budget / 4 | nghttp2 `no_auto_window_update` + ours |
/// | memory of one connection in general | per-connection budget (default 16 MiB) incl. nghttp2's own allocations; over it → REFUSED_STREAM | ours (`ConnectionBudget`, `NGHTTP2MemoryCounter`, like Node's `maxSessionMemory`) |
/// | closed streams kept for the priority tree | not kept | nghttp2 `no_closed_streams` |
/// | outbound frame queue in general | not in 1.52 (`max_outbound_queue_size` comes after 1.70); bounded by the socket backpressure above, since frames only queue in nghttp2 while we stop reading | ours |
/// | connections with no streams | idle timeout (default 300 s) → GOAWAY(NO_ERROR), close | ours (`IdleTimer`) |
/// | GOAWAY lost to a TCP reset | after any GOAWAY we read and drop input for up to 1 s (or until the peer closes) before closing | ours (`HTTP2ConnectionHandler.goAwayLinger`) |
///
/// Not in this nghttp2 at all (newer versions): `glitch_rate_limit` (1.67), `max_outbound_queue_size`
/// (after 1.70); our "control" bucket and socket backpressure stand in for them.
///
/// Not counted on purpose: WINDOW_UPDATE (legitimately one per DATA frame read) and
/// HEADERS (requests are the point; bounded by the stream limits above).
struct HTTP2AbuseGuard {
    /// Things a peer did that cost us work without being a request.
    enum Event: Equatable {
        case ping
        case settings
        case priority
        case emptyData
        case unknownFrame
        case invalidFrame
        case refusedStream
    }

    struct Policy {
        /// Well-behaved clients send a handful of these per second at most (gRPC keepalive
        /// and BDP pings, one SETTINGS, a few PRIORITY frames): two orders of magnitude of headroom.
        var controlBurst = 1000
        var controlPerSecond = 100
        /// Refusals are our doing (busy or over budget), so a compliant client that retries
        /// gets some; one that ignores them and keeps opening streams does not.
        var refusalBurst = 100
        var refusalPerSecond = 10
    }

    private var control: TokenBucket
    private var refusals: TokenBucket

    init(policy: Policy = Policy()) {
        control = TokenBucket(burst: policy.controlBurst, ratePerSecond: policy.controlPerSecond)
        refusals = TokenBucket(burst: policy.refusalBurst, ratePerSecond: policy.refusalPerSecond)
    }

    /// Records `event`; false when the peer is over its limit and the connection should
    /// be ended with GOAWAY(ENHANCE_YOUR_CALM).
    mutating func record(_ event: Event, at now: NIODeadline = .now()) -> Bool {
        switch event {
        case .refusedStream:
            return refusals.take(at: now)
        case .ping, .settings, .priority, .emptyData, .unknownFrame, .invalidFrame:
            return control.take(at: now)
        }
    }
}
