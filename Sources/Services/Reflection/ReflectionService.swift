import Foundation
import RPC
import RPCMessages

/// gRPC server reflection (`grpc.reflection.v1.ServerReflection` and the older
/// `v1alpha` that many tools still call): lists the services this server
/// registered and hands out the descriptors of proto/, so grpcurl-style tools
/// can call the server without local .proto files.
public struct ReflectionService: Sendable {
    public static let name = "grpc.reflection.v1.ServerReflection"
    public static let alphaName = "grpc.reflection.v1alpha.ServerReflection"

    typealias Request = Grpc_Reflection_V1_ServerReflectionRequest
    typealias Response = Grpc_Reflection_V1_ServerReflectionResponse

    let index: DescriptorIndex
    let services: [String]

    init(index: DescriptorIndex, services: Set<String>) {
        self.index = index
        self.services = services.sorted()
    }

    /// Registers both versions; call it after every other service, so the list
    /// it answers with is complete.
    public static func register(in registry: inout MethodRegistry) {
        let service = ReflectionService(index: .embedded, services: registry.serviceNames.union([name, alphaName]))
        // v1alpha's messages are v1's, field for field (v1 was a rename), so one
        // handler with the v1 types serves both wire formats.
        for path in ["/\(name)/ServerReflectionInfo", "/\(alphaName)/ServerReflectionInfo"] {
            registry.bidiStreaming(path) { (requests: RPCRequestStream<Request>, _, writer: RPCStreamWriter<Response>) in
                var sent = Set<String>()
                for try await request in requests {
                    try await writer.send(service.answer(request, alreadySent: &sent))
                }
            }
        }
    }

    func answer(_ request: Request, alreadySent: inout Set<String>) -> Response {
        var response = Response()
        response.validHost = request.host
        response.originalRequest = request
        switch request.messageRequest {
        case .listServices:
            var list = Grpc_Reflection_V1_ListServiceResponse()
            list.service = services.map { name in
                var service = Grpc_Reflection_V1_ServiceResponse()
                service.name = name
                return service
            }
            response.listServicesResponse = list
        case .fileByFilename(let name):
            response.messageResponse = files(index.withDependencies(name, alreadySent: &alreadySent), missing: "no file \(name)")
        case .fileContainingSymbol(let symbol):
            let file = index.fileBySymbol[symbol.hasPrefix(".") ? String(symbol.dropFirst()) : symbol]
            response.messageResponse = files(file.flatMap { index.withDependencies($0, alreadySent: &alreadySent) }, missing: "no symbol \(symbol)")
        case .fileContainingExtension(let request):
            let file = index.extensions[request.containingType]?[request.extensionNumber]
            response.messageResponse = files(file.flatMap { index.withDependencies($0, alreadySent: &alreadySent) },
                                             missing: "no extension \(request.extensionNumber) of \(request.containingType)")
        case .allExtensionNumbersOfType(let type):
            if index.fileBySymbol[type] != nil {
                var numbers = Grpc_Reflection_V1_ExtensionNumberResponse()
                numbers.baseTypeName = type
                numbers.extensionNumber = (index.extensions[type]?.keys).map { $0.sorted() } ?? []
                response.allExtensionNumbersResponse = numbers
            } else {
                response.messageResponse = error(.notFound, "no type \(type)")
            }
        case nil:
            response.messageResponse = error(.invalidArgument, "the request names no question")
        }
        return response
    }

    private func files(_ descriptors: [Data]?, missing: String) -> Response.OneOf_MessageResponse {
        guard let descriptors else { return error(.notFound, missing) }
        var files = Grpc_Reflection_V1_FileDescriptorResponse()
        files.fileDescriptorProto = descriptors
        return .fileDescriptorResponse(files)
    }

    private func error(_ code: RPCCode, _ message: String) -> Response.OneOf_MessageResponse {
        var error = Grpc_Reflection_V1_ErrorResponse()
        error.errorCode = Int32(code.rawValue)
        error.errorMessage = message
        return .errorResponse(error)
    }
}
