import Foundation
import NIOCore
import NIOPosix
import TLS

/// What the server's handlers saw, across all connections, for the tests to check.
final class ServerRecord: @unchecked Sendable {
    struct Snapshot {
        var accepted = 0
        var closed = 0
        var handshakes: [TLSHandshakeCompleted] = []
        var errors: [Error] = []
        /// Outcomes of the promises of writes the test applications made themselves.
        var greetingWrites: [Result<Void, Error>] = []
        var tlsErrorCodes: [TLSError.Code] { errors.compactMap { ($0 as? TLSError)?.code } }
    }

    private let lock = NSLock()
    private var state = Snapshot()

    func update(_ body: (inout Snapshot) -> Void) {
        lock.withLock { body(&state) }
    }

    var snapshot: Snapshot {
        lock.withLock { state }
    }

    /// Waits (up to `timeout` seconds) until `condition` holds; returns the last snapshot.
    @discardableResult
    func wait(timeout: TimeInterval = 10, until condition: (Snapshot) -> Bool) -> Snapshot {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let current = snapshot
            if condition(current) || Date() > deadline { return current }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }
}

/// The application behind the TLS handler.
enum TestApplication: Sendable {
    /// Writes back every byte received.
    case echo
    /// Writes "hello\n" as soon as the TCP connection is up (before the TLS handshake),
    /// recording the write's outcome, then echoes.
    case greetThenEcho
    /// Once the handshake completes, writes `bytes` bytes (byte i is i % 251) as one single
    /// buffer, recording the write's outcome, then echoes.
    case sendPattern(bytes: Int)
    /// Answers the first HTTP/1.1 request (once its header ends) with a response whose body
    /// is the negotiated ALPN protocol (or "none"), then closes the connection.
    case httpResponder
}

/// A real NIO server on 127.0.0.1 (ephemeral port): TLSServerHandler, then a recorder, then the application.
final class TestServer: @unchecked Sendable {
    let group: MultiThreadedEventLoopGroup
    let channel: Channel
    let record = ServerRecord()
    var port: Int { channel.localAddress!.port! }

    init(context: TLSServerContext, application: TestApplication) throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let record = self.record
        do {
            channel = try ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 64)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { child in
                    child.eventLoop.makeCompletedFuture {
                        let handlers: [ChannelHandler]
                        switch application {
                        case .echo: handlers = [EchoHandler()]
                        case .greetThenEcho: handlers = [GreetingHandler(record: record), EchoHandler()]
                        case .httpResponder: handlers = [HTTPResponder()]
                        case .sendPattern(let bytes):
                            handlers = [PatternSender(bytes: bytes, record: record), EchoHandler()]
                        }
                        try child.pipeline.syncOperations.addHandler(TLSServerHandler(context: context))
                        try child.pipeline.syncOperations.addHandler(RecordingHandler(record: record))
                        try child.pipeline.syncOperations.addHandlers(handlers)
                    }
                }
                .bind(host: "127.0.0.1", port: 0)
                .wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
    }

    func shutdown() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }
}

/// Records what reaches the application: handshake events, errors, connection open/close.
final class RecordingHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    let record: ServerRecord

    init(record: ServerRecord) { self.record = record }

    func channelActive(context: ChannelHandlerContext) {
        record.update { $0.accepted += 1 }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        record.update { $0.closed += 1 }
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSHandshakeCompleted {
            record.update { $0.handshakes.append(event) }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        record.update { $0.errors.append(error) }
        context.fireErrorCaught(error)
    }
}

final class EchoHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.write(data, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // Swallowed: the TLS handler closes the channel itself on TLS failures.
    }
}

final class GreetingHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let record: ServerRecord

    init(record: ServerRecord) { self.record = record }

    func channelActive(context: ChannelHandlerContext) {
        let record = self.record
        let promise = context.eventLoop.makePromise(of: Void.self)
        promise.futureResult.whenComplete { result in record.update { $0.greetingWrites.append(result) } }
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: "hello\n")), promise: promise)
        context.fireChannelActive()
    }
}

final class PatternSender: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let bytes: Int
    let record: ServerRecord

    init(bytes: Int, record: ServerRecord) {
        self.bytes = bytes
        self.record = record
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is TLSHandshakeCompleted {
            let block = (0..<251).map { UInt8($0) }
            var buffer = context.channel.allocator.buffer(capacity: bytes + block.count)
            while buffer.readableBytes < bytes { buffer.writeBytes(block) }
            buffer.moveWriterIndex(to: bytes)
            let record = self.record
            let promise = context.eventLoop.makePromise(of: Void.self)
            promise.futureResult.whenComplete { result in record.update { $0.greetingWrites.append(result) } }
            context.writeAndFlush(wrapOutboundOut(buffer), promise: promise)
        }
        context.fireUserInboundEventTriggered(event)
    }
}

final class HTTPResponder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private var request = ""
    private var negotiatedProtocol: String?
    private var answered = false

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSHandshakeCompleted {
            negotiatedProtocol = event.negotiatedProtocol
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        request += buffer.readString(length: buffer.readableBytes) ?? ""
        guard !answered, request.contains("\r\n\r\n") else { return }
        answered = true
        let body = negotiatedProtocol ?? "none"
        let response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\n"
            + "Connection: close\r\n\r\n\(body)"
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: response)), promise: nil)
        // Closing right after the write: the TLS handler must still deliver the response,
        // then close_notify, then close.
        context.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {}
}
