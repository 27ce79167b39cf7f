import Foundation

/// The Xero simulator: identity (OAuth 2.0, connections) and the Accounting
/// API, all of Xero's hosts on one port, state in memory.
public final class XeroSandbox: ResettableSandbox {
    public struct Configuration: Sendable {
        public var identity: XeroIdentityConfiguration
        public var limits = XeroLimits()
        /// The app's name, as the envelope's `ProviderName`.
        public var providerName = "LedgerBridge Sandbox App"
        public var idempotencyKeyLifetime: Duration = .seconds(360)
        /// Generated data per organisation (by tenant id), loaded at start and on reset.
        public var businesses: [UUID: GeneratedBusiness] = [:]
        /// The app's webhook subscription (URL and signing key), if any.
        public var webhooks: XeroWebhookSender.Configuration?
        /// Load each business's history (items, tracking, invoices and bills,
        /// payments) at start, not only its contacts.
        public var loadsGeneratedActivity = false

        public init(identity: XeroIdentityConfiguration) {
            self.identity = identity
        }
    }

    let identity: XeroIdentityStore
    let books: [UUID: XeroBooks]
    let router: SandboxRouter
    let webhookSender: XeroWebhookSender
    public var webhooks: (any WebhookOutbox)? { webhookSender }

    /// `faults` is the front door's injector: its outgoing rules (duplicated
    /// webhook deliveries) apply to this sandbox's webhooks.
    public init(configuration: Configuration, seed: UInt64 = 1, faults: FaultInjector? = nil) {
        webhookSender = XeroWebhookSender(configuration: configuration.webhooks, seed: seed, faults: faults)
        identity = XeroIdentityStore(configuration: configuration.identity)
        books = Dictionary(uniqueKeysWithValues: configuration.identity.organisations.map {
            ($0.tenantID, XeroBooks(tenantID: $0.tenantID, name: $0.name, providerName: configuration.providerName,
                                    business: configuration.businesses[$0.tenantID], loadsActivity: configuration.loadsGeneratedActivity))
        })
        var router = SandboxRouter(caseInsensitive: true)
        XeroIdentityRoutes(store: identity).register(in: &router)
        XeroAccountingRoutes(identity: identity, books: books, limits: XeroRateLimits(configuration.limits),
                             idempotency: XeroIdempotency(lifetime: configuration.idempotencyKeyLifetime),
                             webhooks: webhookSender).register(in: &router)
        self.router = router
    }

    public func respond(to request: SandboxRequest) async -> SandboxResponse {
        switch router.match(method: request.method, path: request.path) {
        case .found(let handler, let parameters):
            var request = request
            request.pathParameters = parameters
            return await handler(request)
        case .methodNotAllowed(let allowed):
            return SandboxResponse.text(405, "The requested resource does not support http method '\(request.method)'.")
                .with(header: "allow", allowed.joined(separator: ", "))
        case .notFound:
            return XeroProblem.notFound()
        }
    }
}

extension XeroSandbox {
    public func reset() async {
        for books in books.values { await books.reset() }
    }

    /// Starts the webhook sender (its first intent-to-receive check) once the
    /// sandbox's address is known: resource URLs in events point back at it.
    public func started(baseURL: String) async throws {
        for books in books.values { try await books.loadGeneratedActivity() }
        await webhookSender.start(apiBaseURL: baseURL)
    }

    /// Totals across organisations, by collection.
    public func recordCounts() async -> [String: Int] {
        var totals: [String: Int] = [:]
        for books in books.values {
            totals.merge(await books.recordCounts(), uniquingKeysWith: +)
        }
        return totals
    }

    /// A minute-limit breach, as Xero reports it.
    public func rateLimitResponse() -> SandboxResponse {
        .empty(429, headers: [("retry-after", "60"), ("x-rate-limit-problem", "minute")])
    }
}

extension SandboxResponse {
    func with(header name: String, _ value: String) -> SandboxResponse {
        var copy = self
        copy.setHeader(name, value)
        return copy
    }
}
