import ArgumentParser
import Foundation
import HTTPServer
import Logging
import Sandbox

/// `ledgerbridge sandbox`: the Xero and Cin7 Core simulators on loopback, each
/// on its own port, for tests, benchmarks and the demo.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Serve local simulators of the Xero and Cin7 Core APIs (state in memory)."
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

    @Option(name: .customLong("xero-webhook-url"), help: "Where the Xero sandbox delivers CONTACT, INVOICE and CREDITNOTE webhooks (after an intent-to-receive check); none by default.")
    var xeroWebhookURL: String?

    @Option(name: .customLong("xero-webhook-key"), help: "The webhook signing key (x-xero-signature = Base64(HMAC-SHA256(key, body))); required with --xero-webhook-url.")
    var xeroWebhookKey: String?

    @Option(name: .customLong("xero-webhook-retry-delays"), help: "Seconds between delivery attempts, comma-separated; the last repeats until a day has passed, then the subscription is disabled.")
    var xeroWebhookRetryDelays = "1,60,300,900"

    @Option(name: .customLong("xero-webhook-batch-ms"), help: "Events raised within this many milliseconds go out in one delivery.")
    var xeroWebhookBatchMilliseconds = 200

    @Option(name: .customLong("xero-fault"), help: ArgumentHelp(
        "A fault rule in force from the start, as JSON (repeatable); more can be added while running at POST /__sandbox/faults.",
        discussion: #"e.g. {"method":"GET","path":"/api.xro/2.0/Invoices*","fault":"status","status":503,"times":2}; faults: status, rateLimit, slow (delayMs), timeout, malformedJSON, drop, lostResponse, duplicateDelivery; optional times and probability. Default: none."#))
    var xeroFaults: [String] = []

    @Option(name: .customLong("cin7-fault"), help: "A fault rule for the Cin7 sandbox from the start, as JSON (repeatable; the same form as --xero-fault).")
    var cin7FaultRules: [String] = []

    @Option(name: .customLong("business"), help: ArgumentHelp(
        "Where the generated business lives: contacts (Xero contacts only), xero, cin7, or both (the same business seen from both sides).",
        discussion: "xero: contacts, items, tracking, invoices, bills and payments in Xero. cin7: customers, suppliers, products, stock, sales and purchases in Cin7 Core. both: Cin7 Core holds the history and Xero shows it as synced."))
    var business = "contacts"

    @Option(name: .customLong("scale"), help: "Generated contacts and products per organisation (0 for empty books).")
    var scale = 20

    @Option(name: .customLong("cin7-port"), help: "Port of the Cin7 Core sandbox; 0 picks a free one.")
    var cin7Port = 0

    @Option(name: .customLong("cin7-account-id"), help: ArgumentHelp(
        "An Account ID the Cin7 sandbox accepts (repeatable; paired in order with --cin7-application-key, each account its own company).",
        discussion: "Default: \(SandboxCommand.defaultCin7AccountID). Repeating an Account ID with another key adds an API application to that account."))
    var cin7AccountIDs: [String] = []

    @Option(name: .customLong("cin7-application-key"), help: ArgumentHelp(
        "The API Application Key for the --cin7-account-id at the same position (repeatable).",
        discussion: "Default: \(SandboxCommand.defaultCin7ApplicationKey)."))
    var cin7ApplicationKeys: [String] = []

    @Option(name: .customLong("cin7-limit-minute"), help: "Calls per rolling 60 s per Cin7 account (Cin7: 60).")
    var cin7LimitMinute = 60

    @Option(name: .customLong("cin7-rate-limit-per"), help: "What the Cin7 call budget is counted per: account (what clients observe) or application (what the portal says).")
    var cin7RateLimitPer = "account"

    @Option(name: .customLong("cin7-rate-limit-status"), help: "Status of a throttled Cin7 call: 429 (observed) or 503 (documented).")
    var cin7RateLimitStatus = 429

    @Option(name: .customLong("cin7-retry-after"), help: "Retry-After of a throttled Cin7 call: seconds (\"60\") or seconds-with-unit (\"60 Seconds\", as seen live).")
    var cin7RetryAfter = "seconds"

    @Option(name: .customLong("cin7-error-shape"), help: "Cin7 error bodies: array ([{\"ErrorCode\":…,\"Exception\":…}], usual) or object (one bare object, also seen).")
    var cin7ErrorShape = "array"

    @Option(name: .customLong("cin7-unknown-endpoint"), help: "An unknown Cin7 endpoint answers 404 (documented) or html200 (an HTML page with 200, as seen live).")
    var cin7UnknownEndpoint = "404"

    @Option(name: .customLong("cin7-webhook-delays"), help: "Seconds before the first webhook delivery attempt, then between attempts, comma-separated; after the last the webhook is deactivated (Cin7: 60,300,600,900,1200,1500).")
    var cin7WebhookDelays = "60,300,600,900,1200,1500"

    @Flag(name: .customLong("cin7-no-sample-data"), help: "Start Cin7 companies with reference books only, no demo customers, suppliers or products.")
    var cin7NoSampleData = false

    static let defaultCin7AccountID = "c1a70000-5a4d-4b0c-8000-000000000001"
    static let defaultCin7ApplicationKey = "c1a70000-5a4d-4b0c-8000-0000000000aa"

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
        if xeroWebhookURL != nil || xeroWebhookKey != nil {
            guard let configuration = try xeroWebhooks(), configuration.key.isEmpty == false else {
                throw ValidationError("--xero-webhook-url and --xero-webhook-key go together")
            }
        }
        guard WebhookRetrySchedule.delays(parsing: xeroWebhookRetryDelays) != nil else {
            throw ValidationError("--xero-webhook-retry-delays must be seconds (0 to 86400), comma-separated")
        }
        guard (0...60_000).contains(xeroWebhookBatchMilliseconds) else { throw ValidationError("--xero-webhook-batch-ms must be 0 to 60000") }
        _ = try Self.faultRules(xeroFaults, option: "--xero-fault")
        _ = try Self.faultRules(cin7FaultRules, option: "--cin7-fault")
        guard ["contacts", "xero", "cin7", "both"].contains(business) else { throw ValidationError("--business must be contacts, xero, cin7 or both") }
        guard (0...100_000).contains(scale) else { throw ValidationError("--scale must be 0 to 100000") }
        guard !xeroClientID.isEmpty else { throw ValidationError("--xero-client-id must not be empty") }
        guard (0...65535).contains(cin7Port) else { throw ValidationError("--cin7-port must be 0 to 65535") }
        guard cin7AccountIDs.count == cin7ApplicationKeys.count else {
            throw ValidationError("give --cin7-account-id and --cin7-application-key in pairs (\(cin7AccountIDs.count) ids, \(cin7ApplicationKeys.count) keys)")
        }
        for id in cin7AccountIDs where UUID(uuidString: id) == nil { throw ValidationError("--cin7-account-id \(id) is not a GUID") }
        guard !cin7ApplicationKeys.contains(where: \.isEmpty) else { throw ValidationError("--cin7-application-key must not be empty") }
        guard cin7LimitMinute >= 1 else { throw ValidationError("--cin7-limit-minute must be at least 1") }
        guard Cin7Limits.Status(rawValue: cin7RateLimitStatus) != nil else { throw ValidationError("--cin7-rate-limit-status must be 429 or 503") }
        guard Cin7Limits.Keying(rawValue: cin7RateLimitPer) != nil else { throw ValidationError("--cin7-rate-limit-per must be account or application") }
        guard ["seconds", "seconds-with-unit"].contains(cin7RetryAfter) else { throw ValidationError("--cin7-retry-after must be seconds or seconds-with-unit") }
        guard Cin7Configuration.ErrorShape(rawValue: cin7ErrorShape) != nil else { throw ValidationError("--cin7-error-shape must be array or object") }
        guard WebhookRetrySchedule.delays(parsing: cin7WebhookDelays) != nil else {
            throw ValidationError("--cin7-webhook-delays must be seconds (0 to 86400), comma-separated")
        }
        guard ["404", "html200"].contains(cin7UnknownEndpoint) else { throw ValidationError("--cin7-unknown-endpoint must be 404 or html200") }
    }

    /// Fault rules given as JSON options, each checked as the admin endpoint checks them.
    static func faultRules(_ texts: [String], option: String) throws -> [FaultRule] {
        try texts.map { text in
            guard let rule = try? JSONDecoder().decode(FaultRule.self, from: Data(text.utf8)) else {
                throw ValidationError("\(option) \(text) is not a fault rule (see --help)")
            }
            if let problem = rule.problem { throw ValidationError("\(option) \(text): \(problem)") }
            return rule
        }
    }

    /// The Xero app's webhook subscription from the options, if one is asked for.
    func xeroWebhooks() throws -> XeroWebhookSender.Configuration? {
        guard let url = xeroWebhookURL else { return nil }
        var configuration = XeroWebhookSender.Configuration(url: url, key: xeroWebhookKey ?? "")
        configuration.retry.delays = WebhookRetrySchedule.delays(parsing: xeroWebhookRetryDelays) ?? configuration.retry.delays
        configuration.batchWindow = .milliseconds(xeroWebhookBatchMilliseconds)
        if let problem = configuration.problem { throw ValidationError("--xero-webhook-url/--xero-webhook-key: \(problem)") }
        return configuration
    }

    /// The Cin7 sandbox's configuration from the options: pairs grouped by Account ID.
    func cin7Configuration() -> Cin7Configuration {
        let ids = cin7AccountIDs.isEmpty ? [Self.defaultCin7AccountID] : cin7AccountIDs
        let keys = cin7ApplicationKeys.isEmpty ? [Self.defaultCin7ApplicationKey] : cin7ApplicationKeys
        var accounts: [Cin7Configuration.Account] = []
        for (id, key) in zip(ids, keys) {
            if let index = accounts.firstIndex(where: { $0.accountID.lowercased() == id.lowercased() }) {
                accounts[index].applicationKeys.append(key)
            } else {
                var account = Cin7Configuration.Account(accountID: id, applicationKeys: [key],
                                                        companyName: accounts.isEmpty ? "Sandbox Trading Pty Ltd" : "Sandbox Company \(accounts.count + 1)")
                account.sampleData = !cin7NoSampleData
                // Account n holds business seed + n: the same business as Xero organisation n.
                if (business == "cin7" || business == "both") && scale > 0 {
                    account.business = BusinessGenerator.make(seed: seed &+ UInt64(accounts.count), scale: scale, name: account.companyName)
                }
                accounts.append(account)
            }
        }
        var configuration = Cin7Configuration(accounts: accounts)
        configuration.seed = seed
        configuration.limits.callsPerWindow = cin7LimitMinute
        configuration.limits.keying = Cin7Limits.Keying(rawValue: cin7RateLimitPer)!
        configuration.limits.status = Cin7Limits.Status(rawValue: cin7RateLimitStatus)!
        configuration.limits.retryAfter = cin7RetryAfter == "seconds" ? .seconds : .secondsWithUnit
        configuration.errorShape = Cin7Configuration.ErrorShape(rawValue: cin7ErrorShape)!
        configuration.unknownEndpoint = cin7UnknownEndpoint == "404" ? .notFound : .htmlPage
        if let delays = WebhookRetrySchedule.delays(parsing: cin7WebhookDelays) {
            configuration.webhooks.delays = delays
            configuration.webhooks.attempts = delays.count
        }
        return configuration
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
        configuration.webhooks = try xeroWebhooks()
        configuration.loadsGeneratedActivity = business == "xero" || business == "both"
        if business == "cin7" { configuration.businesses = [:] }
        let xeroFaults = FaultInjector(seed: seed)
        for rule in try Self.faultRules(self.xeroFaults, option: "--xero-fault") { xeroFaults.add(rule) }
        let xero = XeroSandbox(configuration: configuration, seed: seed, faults: xeroFaults)
        let logger = Logger(label: "ledgerbridge.sandbox")
        let server = try await HTTPServer.start(configuration: .init(host: host, port: xeroPort),
                                                handler: SandboxHTTPHandler(api: SandboxFrontDoor(api: xero, seed: seed, faults: xeroFaults)), logger: logger)
        do {
            try await xero.started(baseURL: "http://\(host):\(server.localPort)")
        } catch {
            await server.shutdown(gracePeriod: .seconds(2))
            throw error
        }
        let cin7Faults = FaultInjector(seed: seed)
        for rule in try Self.faultRules(cin7FaultRules, option: "--cin7-fault") { cin7Faults.add(rule) }
        let cin7 = Cin7Sandbox(configuration: cin7Configuration(), faults: cin7Faults)
        let cin7Server: HTTPServer
        do {
            cin7Server = try await HTTPServer.start(configuration: .init(host: host, port: cin7Port),
                                                    handler: SandboxHTTPHandler(api: SandboxFrontDoor(api: cin7, seed: seed, faults: cin7Faults)), logger: logger)
            // The generated history goes in through the API's own rules; a refusal is a bug to see at once.
            let refused = await cin7.started()
            guard refused.isEmpty else {
                await cin7Server.shutdown(gracePeriod: .seconds(2))
                throw CommandFailure("ledgerbridge sandbox: the generated business was refused by the Cin7 sandbox: \(refused.prefix(5).joined(separator: "; "))")
            }
        } catch {
            await server.shutdown(gracePeriod: .seconds(2))
            throw error
        }
        let shutdown = ShutdownSignal.install()
        announce("ledgerbridge sandbox: xero ready on http://\(host):\(server.localPort) (organisations: \(organisations.map { "\($0.name)=\($0.tenantID.uuidString.lowercased())" }.joined(separator: ", ")))")
        announce("ledgerbridge sandbox: cin7 ready on http://\(host):\(cin7Server.localPort)\(Cin7Sandbox.basePath)/")
        _ = await shutdown.wait()
        async let xeroStopped: Void = server.shutdown(gracePeriod: .seconds(2))
        async let cin7Stopped: Void = cin7Server.shutdown(gracePeriod: .seconds(2))
        _ = await (xeroStopped, cin7Stopped)
    }
}
