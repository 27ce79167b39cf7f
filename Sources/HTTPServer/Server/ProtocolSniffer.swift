import Logging
import NIOCore
import NIOHTTP1

/// The first handler of a cleartext connection: tells HTTP/2 with prior
/// knowledge (h2c) from HTTP/1.1 by the connection preface, installs the
/// matching handlers, replays the bytes it held back, and leaves.
final class ProtocolSniffer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    private let handler: any HTTPHandler
    private let logger: Logger
    private let handshakeTimeout: TimeAmount
    private let settings: ConnectionSettings
    private var timer = HandshakeTimer()
    private var buffered: ByteBuffer?

    init(handler: any HTTPHandler, handshakeTimeout: TimeAmount, settings: ConnectionSettings = .init(), logger: Logger) {
        self.handler = handler
        self.handshakeTimeout = handshakeTimeout
        self.settings = settings
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        timer.start(context, after: handshakeTimeout)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if buffered == nil {
            buffered = incoming
        } else {
            buffered!.writeBuffer(&incoming)
        }
        let bytes = buffered!.readableBytesView
        let compared = min(bytes.count, Self.preface.count)
        let matches = bytes.prefix(compared).elementsEqual(Self.preface.prefix(compared))
        if matches && compared < Self.preface.count { return }  // need more bytes to decide
        do {
            if matches {
                try ConnectionPipeline.installHTTP2(on: context.pipeline, after: self, handler: handler, settings: settings, logger: logger)
            } else {
                try ConnectionPipeline.installHTTP1(on: context.pipeline, after: self, handler: handler, settings: settings)
            }
        } catch {
            context.close(promise: nil)
            return
        }
        let replay = buffered!
        buffered = nil
        context.fireChannelRead(wrapInboundOut(replay))
        context.pipeline.syncOperations.removeHandler(self, promise: nil)
    }
}

extension ProtocolSniffer {
    typealias InboundOut = ByteBuffer
}

/// Installs the protocol handlers of a connection once its protocol is known
/// (by the preface on cleartext, by ALPN on TLS).
enum ConnectionPipeline {
    static func installHTTP2(on pipeline: ChannelPipeline, after: any ChannelHandler, handler: any HTTPHandler,
                             settings: ConnectionSettings, logger: Logger) throws {
        try pipeline.syncOperations.addHandler(HTTP2ConnectionHandler(handler: handler, settings: settings, logger: logger), position: .after(after))
    }

    static func installHTTP1(on pipeline: ChannelPipeline, after: any ChannelHandler, handler: any HTTPHandler, settings: ConnectionSettings) throws {
        let sync = pipeline.syncOperations
        // Added in reverse: each goes right after `after`.
        try sync.addHandler(HTTP1ConnectionHandler(handler: handler, settings: settings), position: .after(after))
        try sync.addHandler(HTTPServerProtocolErrorHandler(), position: .after(after))  // malformed request: 400, close
        try sync.addHandler(HTTPServerPipelineHandler(), position: .after(after))
        try sync.addHandler(HTTPResponseEncoder(), position: .after(after))
        try sync.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)), position: .after(after))
    }
}
