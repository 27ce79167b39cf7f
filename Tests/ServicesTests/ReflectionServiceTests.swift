import Foundation
import RPC
import RPCMessages
@testable import Services
import SwiftProtobuf
import Testing

/// Server reflection over the embedded descriptors of proto/.
@Suite struct ReflectionServiceTests {
    let service = ReflectionService(index: .embedded, services: ["ledgerbridge.v1.TenantService", "grpc.health.v1.Health", ReflectionService.name])

    func ask(_ build: (inout Grpc_Reflection_V1_ServerReflectionRequest) -> Void, sent: inout Set<String>) -> Grpc_Reflection_V1_ServerReflectionResponse {
        var request = Grpc_Reflection_V1_ServerReflectionRequest()
        request.host = "localhost"
        build(&request)
        return service.answer(request, alreadySent: &sent)
    }

    func fileNames(_ response: Grpc_Reflection_V1_ServerReflectionResponse) throws -> [String] {
        try response.fileDescriptorResponse.fileDescriptorProto.map { try Google_Protobuf_FileDescriptorProto(serializedBytes: $0).name }
    }

    @Test func listServicesNamesWhatIsRegisteredSorted() {
        var sent = Set<String>()
        let response = ask({ $0.listServices = "*" }, sent: &sent)
        #expect(response.listServicesResponse.service.map(\.name) == ["grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "ledgerbridge.v1.TenantService"])
        #expect(response.validHost == "localhost")
        #expect(response.originalRequest.listServices == "*")
    }

    @Test func aServiceSymbolGivesItsFileAndImportsFirstTheFile() throws {
        var sent = Set<String>()
        let response = ask({ $0.fileContainingSymbol = "ledgerbridge.v1.TenantService" }, sent: &sent)
        let names = try fileNames(response)
        #expect(names.first == "ledgerbridge/v1/tenants.proto")
        #expect(names.contains("google/protobuf/timestamp.proto"), "imports come along: \(names)")
        // The same stream sends the asked-for file again, but not the imports it already gave.
        let again = ask({ $0.fileContainingSymbol = "ledgerbridge.v1.Tenant" }, sent: &sent)
        #expect(try fileNames(again) == ["ledgerbridge/v1/tenants.proto"])
    }

    @Test func methodsNestedMessagesAndEnumsAreSymbolsToo() throws {
        for symbol in ["ledgerbridge.v1.DiagnosticsService.Ping", "grpc.health.v1.HealthCheckResponse.ServingStatus",
                       ".ledgerbridge.v1.PingRequest", "google.rpc.BadRequest.FieldViolation"] {
            var sent = Set<String>()
            let response = ask({ $0.fileContainingSymbol = symbol }, sent: &sent)
            #expect(!response.fileDescriptorResponse.fileDescriptorProto.isEmpty, "\(symbol)")
        }
    }

    @Test func unknownSymbolsFilesAndTypesAreNotFound() {
        var sent = Set<String>()
        for build: (inout Grpc_Reflection_V1_ServerReflectionRequest) -> Void in [
            { $0.fileContainingSymbol = "no.such.Service" },
            { $0.fileByFilename = "no/such.proto" },
            { $0.allExtensionNumbersOfType = "no.such.Message" },
            { var ext = Grpc_Reflection_V1_ExtensionRequest(); ext.containingType = "ledgerbridge.v1.PingRequest"; ext.extensionNumber = 100; $0.fileContainingExtension = ext },
        ] {
            let response = ask(build, sent: &sent)
            #expect(response.errorResponse.errorCode == Int32(RPCCode.notFound.rawValue))
            #expect(!response.errorResponse.errorMessage.isEmpty)
        }
        let empty = ask({ _ in }, sent: &sent)
        #expect(empty.errorResponse.errorCode == Int32(RPCCode.invalidArgument.rawValue))
    }

    @Test func fileByFilenameAndExtensionNumbers() throws {
        var sent = Set<String>()
        #expect(try fileNames(ask({ $0.fileByFilename = "ledgerbridge/v1/diagnostics.proto" }, sent: &sent)) == ["ledgerbridge/v1/diagnostics.proto"])
        let numbers = ask({ $0.allExtensionNumbersOfType = "ledgerbridge.v1.PingRequest" }, sent: &sent)
        #expect(numbers.allExtensionNumbersResponse.baseTypeName == "ledgerbridge.v1.PingRequest")
        #expect(numbers.allExtensionNumbersResponse.extensionNumber.isEmpty)
    }

    @Test func registeringAddsBothVersionsAndListsThem() {
        var registry = MethodRegistry()
        DiagnosticsService.register(in: &registry)
        ReflectionService.register(in: &registry)
        #expect(registry.serviceNames == [DiagnosticsService.name, ReflectionService.name, ReflectionService.alphaName])
    }
}
