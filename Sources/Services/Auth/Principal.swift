import Foundation
import RPC

/// Who is calling, resolved once per call by `AuthInterceptor` and read by
/// the services through `Principal.current`.
public struct Principal: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// Admin tooling: every tenant, every action.
        case `operator`
        /// Acts on the tenants assigned to them.
        case consultant
        /// One tenant's own API calls.
        case tenant
    }

    public let id: UUID
    public let kind: Kind
    public let name: String
    /// The tenant a tenant principal is.
    public let tenantID: UUID?
    /// The tenants a consultant is assigned to.
    public let assignedTenants: Set<UUID>

    public init(id: UUID, kind: Kind, name: String, tenantID: UUID? = nil, assignedTenants: Set<UUID> = []) {
        self.id = id
        self.kind = kind
        self.name = name
        self.tenantID = tenantID
        self.assignedTenants = assignedTenants
    }

    /// `LEDGERBRIDGE_ADMIN_TOKEN`: an operator with no row of its own.
    public static let bootstrapOperator = Principal(id: UUID(uuid: (0, 0, 0, 0, 0, 0, 0x40, 0, 0x80, 0, 0, 0, 0, 0, 0, 1)), kind: .operator,
                                                    name: "bootstrap admin token")

    public var isOperator: Bool { kind == .operator }

    /// Whether this caller may act on `tenant` at all.
    public func mayAct(on tenant: UUID) -> Bool {
        switch kind {
        case .operator: true
        case .consultant: assignedTenants.contains(tenant)
        case .tenant: tenantID == tenant
        }
    }

    /// For the audit log: who did it.
    public var actor: String { "\(kind.rawValue):\(id.uuidString.lowercased())" }

    @TaskLocal public static var current: Principal?
}

extension Principal {
    /// The caller, or UNAUTHENTICATED when a service is reached without one (a wiring bug, not a client error).
    public static func required() throws -> Principal {
        guard let current else { throw RPCError(.unauthenticated, "this call needs an API key") }
        return current
    }

    /// The caller, if it may act on `tenant`. A tenant out of reach is NOT_FOUND,
    /// exactly as a tenant that does not exist: no caller learns which ids exist.
    @discardableResult
    public static func requireAccess(to tenant: UUID, field: String = "tenant_id") throws -> Principal {
        let principal = try required()
        guard principal.mayAct(on: tenant) else { throw RPCError(.notFound, "no tenant \(tenant.uuidString.lowercased())") }
        return principal
    }

    /// The caller, if an operator.
    @discardableResult
    public static func requireOperator(_ action: String) throws -> Principal {
        let principal = try required()
        guard principal.isOperator else { throw RPCError(.permissionDenied, "only operators may \(action)") }
        return principal
    }

    /// The caller, if an operator or a consultant (tenant keys manage nothing).
    @discardableResult
    public static func requireStaff(_ action: String) throws -> Principal {
        let principal = try required()
        guard principal.kind != .tenant else { throw RPCError(.permissionDenied, "a tenant key may not \(action)") }
        return principal
    }
}
