import ArgumentParser
import Foundation
import HTTPServer
import Logging
import Sandbox

/// `ledgerbridge sandbox`: the Xero simulator on loopback, for tests, benchmarks
/// and the demo.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Serve local simulators of the Xero API (state in memory)."
    )

    @Option(name: .customLong("host"), help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(name: .customLong("xero-port"), help: "Port of the Xero sandbox (all Xero hosts on one port); 0 picks a free one.")
    var xeroPort = 0

    @Option(name: .customLong("xero-client-id"), help: "The app's client id the Xero sandbox accepts.")
    var xeroClientID = "sandbox-client-id"

    @Option(name: .customLong("xero-client-secret"), help: "The app's client secret; pass an empty string for a PKCE app without a secret.")
    var xeroClientSecret = "sandbox-client-secret"

    @Option(name: .customLong("xero-redirect-uri"), help: "A registered redirect URI (repeatable); with none, any loopback URI is accepted.")
    var xeroRedirectURIs: [String] = []

    @Option(name: .customLong("xero-organisations"), help: "Organisation names the sandbox user consents to, comma-separated.")
    var xeroOrganisations = "Demo Company (Sandbox)"

    @Option(name: .customLong("xero-access-token-lifetime"), help: "Seconds an access token lives (Xero: 1800).")
    var accessTokenLifetime: Double = 1800

    @Option(name: .customLong("xero-refresh-grace"), help: "Seconds a rotated refresh token stays usable (Xero: 1800).")
    var refreshGrace: Double = 1800

    @Option(name: .customLong("xero-refresh-token-lifetime"), help: "Seconds an unused refresh token lives (Xero: 60 days).")
    var refreshTokenLifetime: Double = 60 * 24 * 3600

    @Option(name: .customLong("xero-limit-concurrent"), help: "Calls in flight per organisation (Xero: 5).")
    var limitConcurrent = 5

    @Option(name: .customLong("xero-limit-minute"), help: "Calls per minute per organisation (Xero: 60).")
    var limitMinute = 60

    @Option(name: .customLong("xero-limit-day"), help: "Calls per day per organisation (Xero: 5000).")
    var limitDay = 5000

    @Option(name: .customLong("xero-limit-app-minute"), help: "Calls per minute across all organisations (Xero: 10000).")
    var limitAppMinute = 10_000

    @Option(name: .customLong("scale"), help: "Generated contacts and products per organisation (0 for empty books).")
    var scale = 20

    @Option(name: .customLong("seed"), help: "Seed of everything the sandbox generates (ids of organisations, data).")
    var seed: UInt64 = 1

    func validate() throws {
        guard (0...65535).contains(xeroPort) else { throw ValidationError("--xero-port must be 0 to 65535") }
        for (name, value) in [("--xero-access-token-lifetime", accessTokenLifetime), ("--xero-refresh-grace", refreshGrace),
                              ("--xero-refresh-token-lifetime", refreshTokenLifetime)] where !(value > 0) {
            throw ValidationError("\(name) must be a positive number of seconds")
        }
        for (name, value) in [("--xero-limit-concurrent", limitConcurrent), ("--xero-limit-minute", limitMinute),
                              ("--xero-limit-day", limitDay), ("--xero-limit-app-minute", limitAppMinute)] where value < 1 {
            throw ValidationError("\(name) must be at least 1")
        }
        guard (0...100_000).contains(scale) else { throw ValidationError("--scale must be 0 to 100000") }
        guard !xeroClientID.isEmpty else { throw ValidationError("--xero-client-id must not be empty") }
    }

    func run() async throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var random = SeededGenerator(seed: seed)
        let organisations = xeroOrganisations.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .map { XeroIdentityConfiguration.Organisation(tenantID: random.nextUUID(), name: $0) }
        guard !organisations.isEmpty else { throw ValidationError("--xero-organisations names no organisation") }
        var identity = XeroIdentityConfiguration(clientID: xeroClientID, clientSecret: xeroClientSecret.isEmpty ? nil : xeroClientSecret,
                                                 redirectURIs: xeroRedirectURIs, organisations: organisations, userID: random.nextUUID())
        identity.accessTokenLifetime = .milliseconds(Int64(accessTokenLifetime * 1000))
        identity.refreshGracePeriod = .milliseconds(Int64(refreshGrace * 1000))
        identity.refreshTokenIdleLifetime = .milliseconds(Int64(refreshTokenLifetime * 1000))
        var configuration = XeroSandbox.Configuration(identity: identity)
        configuration.limits.concurrentPerOrganisation = limitConcurrent
        configuration.limits.perMinutePerOrganisation = limitMinute
        configuration.limits.perDayPerOrganisation = limitDay
        configuration.limits.perMinutePerApp = limitAppMinute
        for (index, organisation) in organisations.enumerated() where scale > 0 {
            // Organisation n is seed + n: the same business as the Cin7 account with that seed.
            configuration.businesses[organisation.tenantID] = BusinessGenerator.make(seed: seed &+ UInt64(index), scale: scale, name: organisation.name)
        }
        let xero = XeroSandbox(configuration: configuration)
        let logger = Logger(label: "ledgerbridge.sandbox")
        let server = try await HTTPServer.start(configuration: .init(host: host, port: xeroPort), handler: SandboxHTTPHandler(api: SandboxFrontDoor(api: xero, seed: seed)), logger: logger)
        announce("ledgerbridge sandbox: xero ready on http://\(host):\(server.localPort) (organisations: \(organisations.map { "\($0.name)=\($0.tenantID.uuidString.lowercased())" }.joined(separator: ", ")))")
        _ = await ShutdownSignal.wait()
        await server.shutdown(gracePeriod: .seconds(2))
    }
}
