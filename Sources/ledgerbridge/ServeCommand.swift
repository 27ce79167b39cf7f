import ArgumentParser
import Connectors
import Foundation
import HTTPServer
import Logging
import Postgres
import RPC
import Services
import Vault
import Scheduler
import Storage
import TLS

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the LedgerBridge server."
    )

    @Option(name: .customLong("database-url"), help: "Connection URL of the server's role, ledgerbridge_app (env: DATABASE_URL).")
    var databaseURL: String?

    @OptionGroup var migrations: MigrationsOptions

    @Option(help: "Address to listen on (env: LEDGERBRIDGE_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Cleartext port for h2c and HTTP/1.1; 0 picks a free one (env: LEDGERBRIDGE_PORT; default 8080).")
    var port: Int?

    @Option(name: .customLong("tls-port"), help: "TLS port (h2 or HTTP/1.1 by ALPN) (env: LEDGERBRIDGE_TLS_PORT; default 8443 when a certificate is given).")
    var tlsPort: Int?

    @Option(name: .customLong("tls-cert"), help: "PEM certificate chain; TLS is off unless both it and --tls-key are given (env: LEDGERBRIDGE_TLS_CERT).")
    var tlsCertificate: String?

    @Option(name: .customLong("tls-key"), help: "PEM private key (env: LEDGERBRIDGE_TLS_KEY).")
    var tlsKey: String?

    @Option(name: .customLong("admin-token"), help: "Bootstrap operator credential for protected RPCs (env: LEDGERBRIDGE_ADMIN_TOKEN).")
    var adminToken: String?

    @Option(name: .customLong("keyring"), help: "The key ring file that seals stored secrets (env: LEDGERBRIDGE_KEYRING; or the ring itself in LEDGERBRIDGE_KEYRING_JSON). Required: `ledgerbridge admin new-keyring PATH` makes one.")
    var keyring: String?

    @Option(name: .customLong("xero-login-url"), help: "Xero's authorize host (env: LEDGERBRIDGE_XERO_LOGIN_URL; default https://login.xero.com).")
    var xeroLoginURL: String?

    @Option(name: .customLong("xero-identity-url"), help: "Xero's token host (env: LEDGERBRIDGE_XERO_IDENTITY_URL; default https://identity.xero.com).")
    var xeroIdentityURL: String?

    @Option(name: .customLong("xero-api-url"), help: "Xero's API host (env: LEDGERBRIDGE_XERO_API_URL; default https://api.xero.com).")
    var xeroAPIURL: String?

    @Option(name: .customLong("xero-client-id"), help: "The Xero app's client id (env: LEDGERBRIDGE_XERO_CLIENT_ID).")
    var xeroClientID: String?

    @Option(name: .customLong("xero-client-secret"), help: "The Xero app's client secret; none for a PKCE-only app (env: LEDGERBRIDGE_XERO_CLIENT_SECRET).")
    var xeroClientSecret: String?

    @Option(name: .customLong("xero-scopes"), help: "What a Xero consent asks for: granular (default; required of apps created since 2 March 2026), broad (older apps), or a space-separated list including offline_access (env: LEDGERBRIDGE_XERO_SCOPES).")
    var xeroScopes: String?

    @Option(name: .customLong("cin7-api-url"), help: "Cin7 Core's host (env: LEDGERBRIDGE_CIN7_API_URL; default https://inventory.dearsystems.com).")
    var cin7APIURL: String?

    @Option(name: .customLong("max-message-size"), help: "Largest request message in bytes (default 4 MiB).")
    var maxMessageSize: Int = 4 << 20

    @Option(name: .customLong("handshake-timeout"), help: "Seconds a new connection has to send its preface or finish TLS (default 10).")
    var handshakeTimeout: Double = 10

    @Option(name: .customLong("shutdown-grace"), help: "Seconds in-flight calls and running jobs may take to finish after SIGTERM/SIGINT; jobs still running then are handed back to other processes (env: LEDGERBRIDGE_SHUTDOWN_GRACE; default 10).")
    var shutdownGrace: Double?

    @Option(name: .customLong("idle-timeout"), help: """
        Seconds an established connection may have nothing in flight (HTTP/2: no open stream, \
        GOAWAY first; HTTP/1.1: between requests) before it is closed; an open stream such as \
        a Watch keeps it; 0 turns this off (env: LEDGERBRIDGE_IDLE_TIMEOUT; default 300: long \
        enough for a client pool to reuse its connection between bursts of calls, short enough \
        that abandoned connections do not pile up).
        """)
    var idleTimeout: Double?

    @Option(name: .customLong("connection-memory-budget"), help: """
        Bytes one connection may make the server hold: unread request bodies, queued \
        responses, headers, HTTP/2 library state. The HTTP/2 receive window is a quarter of \
        it; over it new streams are refused (env: LEDGERBRIDGE_CONNECTION_MEMORY_BUDGET; \
        at least 1048576; default 16777216 = 16 MiB: one 4 MiB message each way plus the \
        windows, per connection).
        """)
    var connectionMemoryBudget: Int?

    @Option(name: .customLong("log-level"), help: "trace, debug (a line per successful call too), info (failed calls, lifecycle), notice, warning, error or critical (env: LEDGERBRIDGE_LOG_LEVEL; default info).")
    var logLevel: String?

    @OptionGroup var jobs: JobOptions

    @Option(name: .customLong("max-concurrent-streams"), help: "HTTP/2 streams one connection may have open at once, SETTINGS_MAX_CONCURRENT_STREAMS (env: LEDGERBRIDGE_MAX_CONCURRENT_STREAMS; default 100).")
    var maxConcurrentStreams: Int?

    func run() async throws {
        let levelText = Environment.value(logLevel, "LEDGERBRIDGE_LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: levelText.lowercased()) else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical, not \(levelText)")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let metrics = ServeMetrics.bootstrap()
        let logger = Logger(label: "ledgerbridge.serve")
        let url = try Environment.require(databaseURL, "DATABASE_URL", option: "--database-url")
        let host = Environment.value(host, "LEDGERBRIDGE_HOST") ?? "127.0.0.1"
        let portText = Environment.value(port.map(String.init), "LEDGERBRIDGE_PORT") ?? "8080"
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw ValidationError("--port must be a number from 0 to 65535, not \(portText)")
        }
        let graceText = Environment.value(shutdownGrace.map { String($0) }, "LEDGERBRIDGE_SHUTDOWN_GRACE") ?? "10"
        guard let grace = Double(graceText), grace >= 0, grace <= 3600 else {
            throw ValidationError("--shutdown-grace must be from 0 to 3600 seconds, not \(graceText)")
        }
        let tls = try tlsConfiguration()
        let scopes: XeroScopeSet
        do { scopes = try Environment.value(xeroScopes, "LEDGERBRIDGE_XERO_SCOPES").map(XeroScopeSet.parse) ?? .default } catch {
            throw ValidationError("--xero-scopes: \(error.description)")
        }
        let limits = try connectionLimits()
        // No key ring, no server: every stored secret depends on it.
        let keys: KeyRingProvider
        do {
            keys = try KeyRingProvider.fromConfiguration(path: Environment.value(keyring, "LEDGERBRIDGE_KEYRING"),
                                                         json: ProcessInfo.processInfo.environment["LEDGERBRIDGE_KEYRING_JSON"])
        } catch {
            throw CommandFailure("ledgerbridge serve: refusing to start: \(error.description)")
        }
        logger.info("key ring loaded", metadata: ["active_key": "\(keys.ring.activeID)", "keys": "\(keys.ring.keys.count)"])
        let files = try migrations.load()
        let jobSettings = try jobs.resolved()
        // Room for every worker's job plus claims, completions, heartbeats and the RPCs.
        let database = Database(url: url, pool: PoolConfiguration(maxConnections: max(10, jobSettings.pool.workers + 8)))
        defer { database.close() }
        do {
            try await database.verifySchema(matches: files)
        } catch let error as MigrationError {
            throw CommandFailure("ledgerbridge serve: refusing to start: \(error)")
        } catch let error as PostgresError {
            throw CommandFailure("ledgerbridge serve: cannot reach the database (\(PostgresConfiguration(url: url).safeDescription)): \(error)")
        }

        let databaseIsUp: @Sendable () async -> Bool = { (try? await database.ping()) != nil }
        var registry = MethodRegistry()
        DiagnosticsService.register(in: &registry)
        TenantService(database: database).register(in: &registry)
        let connections = ConnectionService(
            database: database, vault: CredentialVault(keys: keys),
            xero: XeroIdentityClient(endpoints: XeroEndpoints(
                loginURL: Environment.value(xeroLoginURL, "LEDGERBRIDGE_XERO_LOGIN_URL") ?? "https://login.xero.com",
                identityURL: Environment.value(xeroIdentityURL, "LEDGERBRIDGE_XERO_IDENTITY_URL") ?? "https://identity.xero.com",
                apiURL: Environment.value(xeroAPIURL, "LEDGERBRIDGE_XERO_API_URL") ?? "https://api.xero.com",
                clientID: Environment.value(xeroClientID, "LEDGERBRIDGE_XERO_CLIENT_ID") ?? "",
                clientSecret: Environment.value(xeroClientSecret, "LEDGERBRIDGE_XERO_CLIENT_SECRET"))),
            cin7: Cin7Client(baseURL: Environment.value(cin7APIURL, "LEDGERBRIDGE_CIN7_API_URL") ?? "https://inventory.dearsystems.com"),
            scopes: scopes)
        connections.register(in: &registry)
        let queue = JobQueue(database: database)
        let jobRegistry = JobKinds.registry(database: database, queue: queue, connections: connections,
                                            engine: UnconfiguredSyncEngine(runDuration: jobSettings.testSyncDuration), testHooks: jobSettings.testHooks)
        SyncService(database: database, queue: queue, policy: jobSettings.pool.schedules).register(in: &registry)
        AdminService(queue: queue, kinds: jobRegistry.kinds).register(in: &registry)
        HealthService(services: [DiagnosticsService.name, TenantService.name, ConnectionService.name, SyncService.name, AdminService.name],
                      databaseIsUp: databaseIsUp).register(in: &registry)
        // Last: reflection lists every service registered before it.
        ReflectionService.register(in: &registry)
        let rpc = RPCServer(
            registry: registry,
            // Metrics outermost: refused (UNAUTHENTICATED) calls are counted too.
            interceptors: [metrics.interceptor, RequestLoggingInterceptor(), AuthInterceptor(
                bootstrapToken: Environment.value(adminToken, "LEDGERBRIDGE_ADMIN_TOKEN"),
                directory: PrincipalDirectory(database: database),
                // Reflection describes only the public API (the same proto/ files the repository publishes).
                openServices: [DiagnosticsService.name, HealthService.name, ReflectionService.name, ReflectionService.alphaName])],
            routes: [
                "/healthz": HealthzRoute(databaseIsUp: databaseIsUp),
                "/metrics": metrics.route,
                "/oauth/xero/callback": XeroCallbackRoute(service: connections),
            ],
            maxMessageSize: maxMessageSize)
        let server = try await HTTPServer.start(
            configuration: .init(
                host: host, port: port, tls: tls,
                handshakeTimeout: .milliseconds(Int64(max(0.001, handshakeTimeout) * 1000)),
                idleTimeout: limits.idleTimeout,
                connectionMemoryBudget: limits.memoryBudget,
                maxConcurrentStreams: limits.maxConcurrentStreams),
            handler: rpc, logger: logger)
        var poolConfiguration = jobSettings.pool
        poolConfiguration.housekeeping = { _ = try await connections.sweepExpiredConsents() }
        let pool = poolConfiguration.workers > 0 ? WorkerPool(queue: queue, registry: jobRegistry, configuration: poolConfiguration) : nil
        let poolRun = Task { try await pool?.run() }
        let shutdown = ShutdownSignal.install()
        let tlsNote = server.localTLSPort.map { " and https://\(host):\($0) (h2 or HTTP/1.1 by ALPN)" } ?? ""
        announce("ledgerbridge serve: ready on http://\(host):\(server.localPort) (h2c and HTTP/1.1)\(tlsNote); database schema at migration \(files.last?.version ?? 0)")
        let signal = await shutdown.wait()
        logger.info("shutting down", metadata: ["signal": "\(signal)", "grace_seconds": "\(grace)"])
        // Stop claiming first; running jobs and in-flight calls then share the grace period.
        async let drained: Void = { await pool?.drain(grace: grace) }()
        await server.shutdown(gracePeriod: .milliseconds(Int64(grace * 1000)))
        await drained
        // A job body that ignores cancellation must not keep the process alive: the pool
        // gets a few seconds more, then its jobs are handed back from here and serve exits.
        if let pool, await !pool.settled(within: .seconds(5)) {
            logger.error("jobs did not stop when cancelled; handing them back to other processes and exiting")
            try? await queue.deregister(worker: pool.id)
            return
        }
        do {
            try await poolRun.value
        } catch {
            logger.error("the worker pool stopped with an error", metadata: ["error": "\(error)"])
        }
    }

    /// The per-connection limits, from the flags or the environment, checked.
    private func connectionLimits() throws -> (idleTimeout: Duration?, memoryBudget: Int, maxConcurrentStreams: Int) {
        let idleText = Environment.value(idleTimeout.map { String($0) }, "LEDGERBRIDGE_IDLE_TIMEOUT")
            ?? String(HTTPServer.Configuration.defaultIdleTimeout.components.seconds)
        guard let idleSeconds = Double(idleText), idleSeconds.isFinite, idleSeconds >= 0, idleSeconds <= 86_400 * 365 else {
            throw ValidationError("--idle-timeout must be a number of seconds from 0 (off) up, not \(idleText)")
        }
        let budgetText = Environment.value(connectionMemoryBudget.map(String.init), "LEDGERBRIDGE_CONNECTION_MEMORY_BUDGET")
            ?? String(HTTPServer.Configuration.defaultConnectionMemoryBudget)
        let minimum = HTTPServer.Configuration.minimumConnectionMemoryBudget
        guard let budget = Int(budgetText), budget >= minimum else {
            throw ValidationError("--connection-memory-budget must be a number of bytes, at least \(minimum), not \(budgetText)")
        }
        let streamsText = Environment.value(maxConcurrentStreams.map(String.init), "LEDGERBRIDGE_MAX_CONCURRENT_STREAMS")
            ?? String(HTTPServer.Configuration.defaultMaxConcurrentStreams)
        guard let streams = Int(streamsText), (1...1_000_000).contains(streams) else {
            throw ValidationError("--max-concurrent-streams must be a number from 1 to 1000000, not \(streamsText)")
        }
        let idle: Duration? = idleSeconds == 0 ? nil : .milliseconds(Int64(max(1, idleSeconds * 1000)))
        return (idle, budget, streams)
    }

    /// TLS is on when both a certificate chain and a key are given.
    private func tlsConfiguration() throws -> (port: Int, context: TLSServerContext)? {
        let certificate = Environment.value(tlsCertificate, "LEDGERBRIDGE_TLS_CERT")
        let key = Environment.value(tlsKey, "LEDGERBRIDGE_TLS_KEY")
        switch (certificate, key) {
        case (nil, nil):
            return nil
        case (let certificate?, let key?):
            let portText = Environment.value(tlsPort.map(String.init), "LEDGERBRIDGE_TLS_PORT") ?? "8443"
            guard let port = Int(portText), (0...65535).contains(port) else {
                throw ValidationError("--tls-port must be a number from 0 to 65535, not \(portText)")
            }
            do {
                return (port, try TLSServerContext(certificateChainPath: certificate, privateKeyPath: key))
            } catch {
                throw CommandFailure("ledgerbridge serve: cannot use the TLS certificate: \(error)")
            }
        default:
            throw ValidationError("--tls-cert and --tls-key go together")
        }
    }
}
