import ArgumentParser

struct LedgerBridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledgerbridge",
        abstract: "Keeps each client business's Cin7 Core inventory and Xero books in sync.",
        subcommands: [ServeCommand.self, MigrateCommand.self, SandboxCommand.self, AdminCommand.self]
    )
}
