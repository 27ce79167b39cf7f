import Foundation
import Postgres
import RPC
import RPCMessages
import Scheduler
import Storage

/// The tenant's sync settings: per entity type enabled and direction (among
/// those the sync rules allow), payments import/export, the contact conflict
/// policy, and the incremental sync's interval.
extension SyncService {
    /// From one minute (a busy tenant) to a week.
    static let intervalMinutes: ClosedRange<Int32> = 1...10_080

    func registerSettings(in registry: inout MethodRegistry) {
        registry.unary("/\(Self.name)/GetSyncSettings") { (request: Ledgerbridge_V1_GetSyncSettingsRequest, _) in
            let tenant = try TenantService.tenantID(request.tenantID)
            try Principal.requireAccess(to: tenant)
            return try await database.withTenant(tenant, readOnly: true) { tx in
                try await requireTenant(tx)
                var response = Ledgerbridge_V1_GetSyncSettingsResponse()
                response.settings = try await Self.settings(tx).message(intervalSeconds: try await interval(tx))
                return response
            }
        }
        registry.unary("/\(Self.name)/UpdateSyncSettings") { (request: Ledgerbridge_V1_UpdateSyncSettingsRequest, _) in
            let tenant = try TenantService.tenantID(request.tenantID)
            let caller = try Principal.requireAccess(to: tenant)
            let minutes = request.settings.intervalMinutes
            guard minutes == 0 || Self.intervalMinutes.contains(minutes) else {
                throw RPCError.invalidField("settings.interval_minutes", "must be from \(Self.intervalMinutes.lowerBound) to \(Self.intervalMinutes.upperBound)")
            }
            return try await database.withTenant(tenant) { tx in
                try await requireTenant(tx)
                let updated = try await Self.settings(tx).applying(request.settings)
                let json = String(decoding: try Self.encoder.encode(updated), as: UTF8.self)
                try await tx.query("""
                    INSERT INTO sync_settings (tenant_id, settings, updated_by) VALUES (\(tenant), \(json)::jsonb, \(caller.actor))
                    ON CONFLICT (tenant_id) DO UPDATE SET settings = excluded.settings, updated_by = excluded.updated_by, updated_at = now()
                    """)
                if minutes != 0 {
                    try await queue.setSchedule(tenant: tenant, kind: .incremental, everySeconds: Int(minutes) * 60, in: tx)
                }
                try await TenantService.audit(tx, caller, "sync.settings_updated", minutes != 0 ? ["interval_minutes": String(minutes)] : [:])
                var response = Ledgerbridge_V1_UpdateSyncSettingsResponse()
                response.settings = updated.message(intervalSeconds: try await interval(tx))
                return response
            }
        }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    private func interval(_ tx: TenantTransaction) async throws -> Int {
        try await queue.schedules(tenant: tx.tenantID, in: tx).first { $0.kind == .incremental }?.everySeconds ?? JobQueue.ScheduleKind.incremental.defaultInterval
    }
}
