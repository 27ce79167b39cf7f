import Foundation
import Postgres
import RPC
import RPCMessages
import Scheduler
import Storage
import SwiftProtobuf

/// `ledgerbridge.v1.TenantService`, backed by the `tenants` platform table.
public struct TenantService: Sendable {
    public static let name = "ledgerbridge.v1.TenantService"
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func register(in registry: inout MethodRegistry) {
        registry.unary("/\(Self.name)/CreateTenant") { (request: Ledgerbridge_V1_CreateTenantRequest, _) in
            try await create(request)
        }
        registry.unary("/\(Self.name)/GetTenant") { (request: Ledgerbridge_V1_GetTenantRequest, _) in
            try await get(request)
        }
        registry.unary("/\(Self.name)/ListTenants") { (request: Ledgerbridge_V1_ListTenantsRequest, _) in
            try await list(request)
        }
        registerLifecycle(in: &registry)
        registerAPIKeys(in: &registry)
        registerAssignments(in: &registry)
    }

    /// ^[a-z0-9][a-z0-9-]{1,62}$
    static func isValidSlug(_ slug: String) -> Bool {
        let bytes = Array(slug.utf8)
        func allowed(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        guard (2...63).contains(bytes.count), allowed(bytes[0]) else { return false }
        return bytes.dropFirst().allSatisfy { allowed($0) || $0 == UInt8(ascii: "-") }
    }
    static let columns: StaticString = "id, slug, name, status, created_at, updated_at"

    func create(_ request: Ledgerbridge_V1_CreateTenantRequest) async throws -> Ledgerbridge_V1_CreateTenantResponse {
        let caller = try Principal.requireStaff("create tenants")
        guard Self.isValidSlug(request.slug) else {
            throw RPCError.invalidField("slug", "must match ^[a-z0-9][a-z0-9-]{1,62}$")
        }
        let name = request.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...200).contains(name.count) else {
            throw RPCError.invalidField("name", "must be 1 to 200 characters")
        }
        let id = UUID()
        do {
            // One transaction, scoped to the new tenant: the registry row, its identity and the audit event land together.
            let tenant = try await database.withTenant(id) { tx in
                let row = try await tx.query("""
                    INSERT INTO tenants (id, slug, name) VALUES (\(id), \(request.slug), \(name))
                    RETURNING \(unescaped: Self.columns)
                    """)[0]
                // The tenant's own identity, which its API keys belong to.
                try await tx.query("INSERT INTO principals (id, kind, name, tenant_id) VALUES (\(UUID()), 'tenant', \(name), \(id))")
                if caller.kind == .consultant {
                    try await tx.query("""
                        INSERT INTO consultant_assignments (consultant_id, tenant_id, assigned_by) VALUES (\(caller.id), \(id), \(caller.id))
                        """)
                }
                // Its periodic sync, full reconcile and token keep-alive, first firing at a random point of each interval.
                try await JobQueue(database: database).createSchedules(tenant: id, in: tx)
                try await Self.audit(tx, caller, "tenant.created", ["slug": request.slug, "name": name])
                return row
            }
            var response = Ledgerbridge_V1_CreateTenantResponse()
            response.tenant = try Self.message(from: tenant)
            return response
        } catch let error as PostgresError where error.isUniqueViolation {
            throw RPCError.withReason(.alreadyExists, "a tenant with slug \(request.slug) already exists", reason: "SLUG_TAKEN", metadata: ["slug": request.slug])
        }
    }

    func get(_ request: Ledgerbridge_V1_GetTenantRequest) async throws -> Ledgerbridge_V1_GetTenantResponse {
        let id = try Self.tenantID(request.tenantID)
        try Principal.requireAccess(to: id)
        var response = Ledgerbridge_V1_GetTenantResponse()
        response.tenant = try await tenant(id)
        return response
    }

    func list(_ request: Ledgerbridge_V1_ListTenantsRequest) async throws -> Ledgerbridge_V1_ListTenantsResponse {
        guard request.pageSize >= 0 else { throw RPCError.invalidField("page_size", "must not be negative") }
        let pageSize = request.pageSize == 0 ? 100 : min(Int(request.pageSize), 1000)
        let after = try PageToken.decode(request.pageToken)
        let caller = try Principal.required()
        // Operators: every tenant; others: the ones they may act on (nil: no filter).
        let visible: [UUID]? = switch caller.kind {
        case .operator: nil
        case .consultant: Array(caller.assignedTenants)
        case .tenant: caller.tenantID.map { [$0] } ?? []
        }
        let start = after ?? PageToken(createdAt: .distantPast, id: UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))
        // Keyset pagination on (created_at, id): stable while tenants are added.
        let rows = try await database.withPlatform(readOnly: true) { tx in
            if let visible {
                return try await tx.query("""
                    SELECT \(unescaped: Self.columns) FROM tenants
                    WHERE (created_at, id) > (\(start.createdAt), \(start.id)) AND id = ANY(\(visible))
                    ORDER BY created_at, id LIMIT \(pageSize + 1)
                    """)
            }
            return try await tx.query("""
                SELECT \(unescaped: Self.columns) FROM tenants
                WHERE (created_at, id) > (\(start.createdAt), \(start.id))
                ORDER BY created_at, id LIMIT \(pageSize + 1)
                """)
        }
        var response = Ledgerbridge_V1_ListTenantsResponse()
        for row in rows.prefix(pageSize) {
            response.tenants.append(try Self.message(from: row))
        }
        if rows.count > pageSize, let last = rows.prefix(pageSize).last {
            let (id, createdAt) = (try last.decode(UUID.self, named: "id"), try last.decode(Date.self, named: "created_at"))
            response.nextPageToken = PageToken(createdAt: createdAt, id: id).encoded
        }
        return response
    }

    static func tenantID(_ text: String, field: String = "tenant_id") throws -> UUID {
        guard let id = UUID(uuidString: text) else { throw RPCError.invalidField(field, "must be a UUID") }
        return id
    }

    /// The tenant's current record (NOT_FOUND when there is none).
    func tenant(_ id: UUID) async throws -> Ledgerbridge_V1_Tenant {
        let rows = try await database.withPlatform(readOnly: true) { tx in
            try await tx.query("SELECT \(unescaped: Self.columns) FROM tenants WHERE id = \(id)")
        }
        guard let row = rows.first else { throw RPCError(.notFound, "no tenant \(id.lowercaseText)") }
        return try Self.message(from: row)
    }

    /// One audit event in the transaction's tenant's log, in the same
    /// transaction as the change it records. Details never hold a secret.
    /// A tenant that may take new work (a connection, a sync): it exists and is active.
    static func requireActive(_ tenant: UUID, in tx: TenantTransaction) async throws {
        let rows = try await tx.query("SELECT status FROM tenants WHERE id = \(tenant)")
        guard let status = try rows.first?.decode(String.self, at: 0) else { throw RPCError(.notFound, "no tenant \(tenant.lowercaseText)") }
        guard status == "active" else { throw RPCError(.failedPrecondition, "tenant \(tenant.lowercaseText) is \(status)") }
    }

    static func audit(_ tx: TenantTransaction, _ principal: Principal, _ action: String, _ detail: [String: String] = [:]) async throws {
        let json = String(decoding: (try? JSONSerialization.data(withJSONObject: detail, options: [.sortedKeys])) ?? Data("{}".utf8), as: UTF8.self)
        try await tx.query("INSERT INTO audit_log (tenant_id, actor, action, detail) VALUES (\(tx.tenantID), \(principal.actor), \(action), \(json)::jsonb)")
    }

    static func message(from row: PostgresRow) throws -> Ledgerbridge_V1_Tenant {
        var tenant = Ledgerbridge_V1_Tenant()
        tenant.tenantID = try row.decode(UUID.self, named: "id").lowercaseText
        tenant.slug = try row.decode(String.self, named: "slug")
        tenant.name = try row.decode(String.self, named: "name")
        tenant.status = switch try row.decode(String.self, named: "status") {
        case "active": .active
        case "suspended": .suspended
        case "deleted": .deleted
        default: .unspecified
        }
        tenant.createdAt = timestamp(try row.decode(Date.self, named: "created_at"))
        tenant.updatedAt = timestamp(try row.decode(Date.self, named: "updated_at"))
        return tenant
    }
}

/// PostgreSQL keeps microseconds; round to them so no floating-point noise shows up as nanoseconds.
func timestamp(_ date: Date) -> Google_Protobuf_Timestamp {
    let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
    return Google_Protobuf_Timestamp(seconds: seconds, nanos: Int32((micros - seconds * 1_000_000) * 1000))
}

/// An opaque cursor: base64url of "<microseconds since epoch>.<uuid>".
struct PageToken {
    var createdAt: Date
    var id: UUID

    var encoded: String {
        let micros = Int64((createdAt.timeIntervalSince1970 * 1_000_000).rounded())
        return Data("\(micros).\(id.lowercaseText)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ token: String) throws -> PageToken? {
        if token.isEmpty { return nil }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else {
            throw RPCError.invalidField("page_token", "is not a token this server issued")
        }
        let parts = text.split(separator: ".")
        guard parts.count == 2, let micros = Int64(parts[0]), let id = UUID(uuidString: String(parts[1])) else {
            throw RPCError.invalidField("page_token", "is not a token this server issued")
        }
        return PageToken(createdAt: Date(timeIntervalSince1970: Double(micros) / 1_000_000), id: id)
    }
}
