import Foundation
import RPC
import RPCMessages

/// A tenant's sync settings as stored (`sync_settings.settings`, JSON); no
/// row means these defaults. The schedule interval is kept with the schedule
/// (`job_schedules`), where the ticker reads it.
public struct SyncSettings: Sendable, Codable, Equatable {
    public struct Entity: Sendable, Codable, Equatable {
        public var enabled: Bool
        public var direction: SyncEntityRule.Direction
    }

    public enum PaymentsMode: String, Sendable, Codable {
        case `import`, export, importAndExport = "import_and_export"
    }

    public enum ContactConflictPolicy: String, Sendable, Codable {
        case newestWins = "newest_wins", xeroWins = "xero_wins", cin7Wins = "cin7_wins", manual
    }

    public var entities: [SyncEntityRule: Entity]
    public var paymentsMode: PaymentsMode
    public var contactConflictPolicy: ContactConflictPolicy

    public static let defaults = SyncSettings(
        entities: Dictionary(uniqueKeysWithValues: SyncEntityRule.allCases.map { ($0, Entity(enabled: true, direction: $0.defaultDirection)) }),
        paymentsMode: .importAndExport, contactConflictPolicy: .newestWins)

    /// Every entity type present (one added after the row was written takes its default).
    public func completed() -> SyncSettings {
        var settings = self
        for rule in SyncEntityRule.allCases where settings.entities[rule] == nil {
            settings.entities[rule] = SyncSettings.defaults.entities[rule]
        }
        return settings
    }

    public var enabledEntities: [SyncEntityRule] {
        SyncEntityRule.allCases.filter { entities[$0]?.enabled ?? false }
    }

    /// Applies an update (listed entities, non-zero fields), checking every value; nothing changes on error.
    func applying(_ update: Ledgerbridge_V1_SyncSettings) throws -> SyncSettings {
        var settings = self
        var seen = Set<SyncEntityRule>()
        for (index, item) in update.entities.enumerated() {
            guard let rule = SyncEntityRule(item.entity) else {
                throw RPCError.invalidField("settings.entities[\(index)].entity", "must name an entity type")
            }
            guard seen.insert(rule).inserted else { throw RPCError.invalidField("settings.entities[\(index)].entity", "\(rule.rawValue) is listed twice") }
            var entity = settings.entities[rule] ?? Entity(enabled: true, direction: rule.defaultDirection)
            entity.enabled = item.enabled
            if rule == .payments {
                guard item.direction == .unspecified else {
                    throw RPCError.invalidField("settings.entities[\(index)].direction", "payments take their direction from payments_mode")
                }
            } else if item.direction != .unspecified {
                guard let direction = SyncEntityRule.Direction(item.direction), rule.allowedDirections.contains(direction) else {
                    let allowed = rule.allowedDirections.map(\.rawValue).joined(separator: ", ")
                    throw RPCError.invalidField("settings.entities[\(index)].direction", "\(rule.rawValue) may sync \(allowed) only")
                }
                entity.direction = direction
            }
            settings.entities[rule] = entity
        }
        switch update.paymentsMode {
        case .unspecified: break
        case .import: settings.paymentsMode = .import
        case .export: settings.paymentsMode = .export
        case .importAndExport: settings.paymentsMode = .importAndExport
        case .UNRECOGNIZED: throw RPCError.invalidField("settings.payments_mode", "is not a payments mode")
        }
        switch update.contactConflictPolicy {
        case .unspecified: break
        case .newestWins: settings.contactConflictPolicy = .newestWins
        case .xeroWins: settings.contactConflictPolicy = .xeroWins
        case .cin7Wins: settings.contactConflictPolicy = .cin7Wins
        case .manual: settings.contactConflictPolicy = .manual
        case .UNRECOGNIZED: throw RPCError.invalidField("settings.contact_conflict_policy", "is not a conflict policy")
        }
        // Payments' direction follows the mode.
        settings.entities[.payments]?.direction = switch settings.paymentsMode {
        case .import: .xeroToCin7
        case .export: .cin7ToXero
        case .importAndExport: .twoWay
        }
        return settings
    }

    func message(intervalSeconds: Int) -> Ledgerbridge_V1_SyncSettings {
        var message = Ledgerbridge_V1_SyncSettings()
        message.entities = SyncEntityRule.allCases.map { rule in
            var item = Ledgerbridge_V1_EntitySetting()
            item.entity = rule.message
            let entity = entities[rule] ?? Entity(enabled: true, direction: rule.defaultDirection)
            item.enabled = entity.enabled
            item.direction = entity.direction.message
            item.allowedDirections = rule.allowedDirections.map(\.message)
            return item
        }
        message.intervalMinutes = Int32(clamping: max(1, intervalSeconds / 60))
        message.paymentsMode = switch paymentsMode {
        case .import: .import
        case .export: .export
        case .importAndExport: .importAndExport
        }
        message.contactConflictPolicy = switch contactConflictPolicy {
        case .newestWins: .newestWins
        case .xeroWins: .xeroWins
        case .cin7Wins: .cin7Wins
        case .manual: .manual
        }
        return message
    }
}
