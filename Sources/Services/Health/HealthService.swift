import RPC
import RPCMessages

/// `grpc.health.v1.Health`: "" is the server as a whole; each registered
/// service is SERVING while the database answers.
public struct HealthService: Sendable {
    public static let name = "grpc.health.v1.Health"
    let services: Set<String>
    let databaseIsUp: @Sendable () async -> Bool

    public init(services: Set<String>, databaseIsUp: @escaping @Sendable () async -> Bool) {
        self.services = services
        self.databaseIsUp = databaseIsUp
    }

    func status(of service: String) async -> Grpc_Health_V1_HealthCheckResponse.ServingStatus? {
        guard service.isEmpty || services.contains(service) else { return nil }
        return await databaseIsUp() ? .serving : .notServing
    }

    public func register(in registry: inout MethodRegistry) {
        registry.unary("/\(Self.name)/Check") { (request: Grpc_Health_V1_HealthCheckRequest, _) in
            guard let status = await status(of: request.service) else {
                throw RPCError(.notFound, "unknown service \(request.service)")
            }
            var response = Grpc_Health_V1_HealthCheckResponse()
            response.status = status
            return response
        }
        registry.serverStreaming("/\(Self.name)/Watch") { (request: Grpc_Health_V1_HealthCheckRequest, _, writer: RPCStreamWriter<Grpc_Health_V1_HealthCheckResponse>) in
            // Sends the status now and on every change, until the caller goes away.
            var last: Grpc_Health_V1_HealthCheckResponse.ServingStatus?
            while !Task.isCancelled {
                let status = await status(of: request.service) ?? .serviceUnknown
                if status != last {
                    var response = Grpc_Health_V1_HealthCheckResponse()
                    response.status = status
                    try await writer.send(response)
                    last = status
                }
                try await Task.sleep(for: .seconds(1))
            }
        }
    }
}
