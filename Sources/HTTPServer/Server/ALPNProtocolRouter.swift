import Logging
import NIOCore
import TLS

/// On a TLS connection, waits for the handshake and installs the protocol ALPN
/// chose: "h2" gets the HTTP/2 handler, "http/1.1" or no ALPN gets HTTP/1.1.
final class ALPNProtocolRouter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let handler: any HTTPHandler
    private let logger: Logger
    private let handshakeTimeout: TimeAmount
    private let settings: ConnectionSettings
    private var timer = HandshakeTimer()

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

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let completed = event as? TLSHandshakeCompleted else {
            return context.fireUserInboundEventTriggered(event)
        }
        do {
            if completed.negotiatedProtocol == "h2" {
                try ConnectionPipeline.installHTTP2(on: context.pipeline, after: self, handler: handler, settings: settings, logger: logger)
            } else {
                try ConnectionPipeline.installHTTP1(on: context.pipeline, after: self, handler: handler, settings: settings)
            }
        } catch {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
        context.pipeline.syncOperations.removeHandler(self, promise: nil)
    }
}
