import HTTPServer
import Logging
import NIOCore

/// The server's one `HTTPHandler`: RPCs by content type (gRPC, gRPC-Web,
/// Connect — each method registered once serves all three), plain routes by path.
public struct RPCServer: HTTPHandler {
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
        switch contentType {
        case "application/grpc", "application/grpc+proto":
            await GRPCProtocol(web: false, codec: .proto, contentType: contentType).serve(request, writer: writer, registry: registry, runner: runner, maxMessageSize: maxMessageSize)
        case "application/grpc+json":
            await GRPCProtocol(web: false, codec: .json, contentType: contentType).serve(request, writer: writer, registry: registry, runner: runner, maxMessageSize: maxMessageSize)
        case "application/grpc-web", "application/grpc-web+proto":
            await GRPCProtocol(web: true, codec: .proto, contentType: contentType).serve(request, writer: writer, registry: registry, runner: runner, maxMessageSize: maxMessageSize)
        case "application/proto":
            await ConnectProtocol(streaming: false, codec: .proto, contentType: contentType).serve(request, writer: writer, registry: registry, runner: runner, maxMessageSize: maxMessageSize)
        case "application/json":
            await ConnectProtocol(streaming: false, codec: .json, contentType: contentType).serve(request, writer: writer, registry: registry, runner: runner, maxMessageSize: maxMessageSize)
        case "application/connect+proto":
            await ConnectProtocol(streaming: true, codec: .proto, contentType: contentType).serve(request, writer: writer, registry: registry, runner: runner, maxMessageSize: maxMessageSize)
        case "application/connect+json":
            await ConnectProtocol(streaming: true, codec: .json, contentType: contentType).serve(request, writer: writer, registry: registry, runner: runner, maxMessageSize: maxMessageSize)
        default:
            // An RPC path with a content type we do not speak is 415; anything else is 404.
            let looksLikeRPC = request.path.split(separator: "/").count == 2 && request.path.contains(".")
            try? await writer.writeHead(status: looksLikeRPC ? 415 : 404, headers: [("content-length", "0")], endStream: true)
        }
    }
}
