import Logging
import NIOCore
import NIOPosix

/// The listening side: one cleartext port serving h2c and HTTP/1.1 (told apart
/// by the connection preface). TLS listeners are added by `TLSListener`.
public final class HTTPServer: Sendable {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int

        public init(host: String = "127.0.0.1", port: Int = 8080) {
            self.host = host
            self.port = port
        }
    }

    private let channel: any Channel
    private let logger: Logger

    /// The address actually bound (port 0 picks a free one).
    public var localPort: Int { channel.localAddress?.port ?? 0 }

    private init(channel: any Channel, logger: Logger) {
        self.channel = channel
        self.logger = logger
    }

    public static func start(
        configuration: Configuration,
        handler: any HTTPHandler,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "ledgerbridge.http")
    ) async throws -> HTTPServer {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ProtocolSniffer(handler: handler, logger: logger))
                }
            }
            .bind(host: configuration.host, port: configuration.port)
            .get()
        return HTTPServer(channel: channel, logger: logger)
    }

    /// Stops accepting; connections already open are left to finish.
    public func close() async throws {
        try await channel.close()
    }
}
