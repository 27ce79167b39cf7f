import HTTPServer
import Logging
import NIOCore

/// The server's one `HTTPHandler`: RPCs by content type (gRPC, gRPC-Web,
/// Connect — each method registered once serves all three), plain routes by path.
public struct RPCServer: HTTPHandler {
    enum ProtocolKind { case grpc, grpcWeb, connectUnary, connectStreaming }

    /// Which protocol and codec each request content type means.
    static let protocols: [String: (ProtocolKind, Codec)] = [
        "application/grpc": (.grpc, .proto),
        "application/grpc+proto": (.grpc, .proto),
        "application/grpc+json": (.grpc, .json),
        "application/grpc-web": (.grpcWeb, .proto),
        "application/grpc-web+proto": (.grpcWeb, .proto),
        "application/proto": (.connectUnary, .proto),
        "application/json": (.connectUnary, .json),
        "application/connect+proto": (.connectStreaming, .proto),
        "application/connect+json": (.connectStreaming, .json),
    ]

    public let registry: MethodRegistry
    let runner: CallRunner
    let routes: [String: any HTTPHandler]
    let maxMessageSize: Int

    public init(
        registry: MethodRegistry,
        interceptors: [any RPCInterceptor] = [],
        routes: [String: any HTTPHandler] = [:],
        maxMessageSize: Int = 4 << 20,
        logger: Logger = Logger(label: "ledgerbridge.rpc")
    ) {
        self.registry = registry
        self.runner = CallRunner(interceptors: interceptors, logger: logger)
        self.routes = routes
        self.maxMessageSize = maxMessageSize
    }

    public func handle(_ request: HTTPRequest, writer: some HTTPResponseWriter) async {
        if let route = routes[String(request.path)] {
            return await route.handle(request, writer: writer)
        }
        let contentType = (request.header("content-type") ?? "").split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        } ?? ""
        guard let (kind, codec) = Self.protocols[contentType] else {
            // An RPC path with a content type we do not speak is 415; anything else is 404.
            let looksLikeRPC = request.path.split(separator: "/").count == 2 && request.path.contains(".")
            try? await writer.writeHead(status: looksLikeRPC ? 415 : 404, headers: [("content-length", "0")], endStream: true)
            return
        }
        switch kind {
        case .grpc, .grpcWeb:
            await GRPCProtocol(web: kind == .grpcWeb, codec: codec, contentType: contentType)
                .serve(request, writer: writer, registry: registry, runner: runner, maxMessageSize: maxMessageSize)
        case .connectUnary, .connectStreaming:
            await ConnectProtocol(streaming: kind == .connectStreaming, codec: codec, contentType: contentType)
                .serve(request, writer: writer, registry: registry, runner: runner, maxMessageSize: maxMessageSize)
        }
    }
}
