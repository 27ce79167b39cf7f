import Logging
import NIOCore
import NIOPosix
import Synchronization
import TLS

/// The listening side: one cleartext port serving h2c and HTTP/1.1 (told apart
/// by the connection preface), and optionally one TLS port where ALPN chooses
/// between h2 and http/1.1.
public final class HTTPServer: Sendable {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        /// The TLS port and its certificate; nil for cleartext only.
        public var tls: (port: Int, context: TLSServerContext)?
        /// A connection that has not sent its preface (cleartext) or finished the TLS
        /// handshake by then is closed.
        public var handshakeTimeout: Duration
        /// An established connection with nothing in flight (HTTP/2: no open stream;
        /// HTTP/1.1: between requests) for this long is closed, HTTP/2 with GOAWAY(NO_ERROR)
        /// first. nil: never.
        public var idleTimeout: Duration?
        /// Bytes one connection may make the server hold: unread request bodies, queued
        /// responses, header lists, nghttp2's own state (see `ConnectionBudget`); at least 1 MiB.
        public var connectionMemoryBudget: Int
        /// SETTINGS_MAX_CONCURRENT_STREAMS advertised to HTTP/2 clients.
        public var maxConcurrentStreams: Int

        public static let defaultIdleTimeout = Duration.seconds(300)
        public static let defaultConnectionMemoryBudget = ConnectionBudget.defaultLimit
        public static let minimumConnectionMemoryBudget = ConnectionBudget.minimum
        public static let defaultMaxConcurrentStreams = 100

        public init(host: String = "127.0.0.1", port: Int = 8080, tls: (port: Int, context: TLSServerContext)? = nil, handshakeTimeout: Duration = .seconds(10),
                    idleTimeout: Duration? = defaultIdleTimeout, connectionMemoryBudget: Int = defaultConnectionMemoryBudget,
                    maxConcurrentStreams: Int = defaultMaxConcurrentStreams) {
            self.host = host
            self.port = port
            self.tls = tls
            self.handshakeTimeout = handshakeTimeout
            self.idleTimeout = idleTimeout
            self.connectionMemoryBudget = connectionMemoryBudget
            self.maxConcurrentStreams = maxConcurrentStreams
        }

        var connectionSettings: ConnectionSettings {
            ConnectionSettings(
                idleTimeout: idleTimeout.map(TimeAmount.init),
                memoryBudget: max(connectionMemoryBudget, ConnectionBudget.minimum),
                maxConcurrentStreams: max(1, maxConcurrentStreams))
        }
    }

    private let channel: any Channel
    private let tlsChannel: (any Channel)?
    private let connections: ConnectionRegistry
    private let logger: Logger

    /// The cleartext port actually bound (port 0 picks a free one).
    public var localPort: Int { channel.localAddress?.port ?? 0 }
    /// The TLS port actually bound, if TLS is on.
    public var localTLSPort: Int? { tlsChannel?.localAddress?.port }

    private init(channel: any Channel, tlsChannel: (any Channel)?, connections: ConnectionRegistry, logger: Logger) {
        self.channel = channel
        self.tlsChannel = tlsChannel
        self.connections = connections
        self.logger = logger
    }

    public static func start(
        configuration: Configuration,
        handler: any HTTPHandler,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "ledgerbridge.http")
    ) async throws -> HTTPServer {
        let connections = ConnectionRegistry()
        let handshakeTimeout = TimeAmount(configuration.handshakeTimeout)
        let settings = configuration.connectionSettings
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // tcpOption: as a SOL_SOCKET option the same number is SO_DEBUG, which only
            // root may set: every accepted connection was reset when run as a normal user.
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    connections.add(channel)
                    try channel.pipeline.syncOperations.addHandler(ProtocolSniffer(handler: handler, handshakeTimeout: handshakeTimeout, settings: settings, logger: logger))
                }
            }
            .bind(host: configuration.host, port: configuration.port)
            .get()
        var tlsChannel: (any Channel)?
        if let tls = configuration.tls {
            do {
                tlsChannel = try await ServerBootstrap(group: group)
                    .serverChannelOption(.backlog, value: 256)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                    .childChannelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            connections.add(channel)
                            let sync = channel.pipeline.syncOperations
                            try sync.addHandler(TLSServerHandler(context: tls.context))
                            try sync.addHandler(ALPNProtocolRouter(handler: handler, handshakeTimeout: handshakeTimeout, settings: settings, logger: logger))
                        }
                    }
                    .bind(host: configuration.host, port: tls.port)
                    .get()
            } catch {
                try? await channel.close()
                throw error
            }
        }
        return HTTPServer(channel: channel, tlsChannel: tlsChannel, connections: connections, logger: logger)
    }

    /// Graceful shutdown: stop accepting, ask every connection to finish (HTTP/2
    /// GOAWAY; HTTP/1.1 closes after its current response), wait up to
    /// `gracePeriod` for the calls in flight, then close what is left.
    public func shutdown(gracePeriod: Duration) async {
        try? await channel.close()
        try? await tlsChannel?.close()
        let open = connections.all
        for connection in open {
            connection.pipeline.fireUserInboundEventTriggered(ServerQuiescingEvent())
        }
        let deadline = ContinuousClock.now + gracePeriod
        while !connections.all.isEmpty, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        let remaining = connections.all
        if !remaining.isEmpty {
            logger.info("closing connections still open after the grace period", metadata: ["count": "\(remaining.count)"])
        }
        for connection in remaining {
            try? await connection.close()
        }
    }

    /// Stops accepting and closes every connection at once.
    public func close() async throws {
        await shutdown(gracePeriod: .zero)
    }
}

/// The open connections, for graceful shutdown.
final class ConnectionRegistry: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    func add(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        channels.withLock { $0[id] = channel }
        channel.closeFuture.whenComplete { [self] _ in
            _ = self.channels.withLock { $0.removeValue(forKey: id) }
        }
    }

    var all: [any Channel] { channels.withLock { Array($0.values) } }
}
