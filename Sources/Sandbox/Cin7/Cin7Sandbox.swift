import Foundation

/// The Cin7 Core simulator: API v2 under `/ExternalApi/v2/` (any case, as the
/// portal prints both `ExternalApi` and `externalapi`), one company per
/// configured Account ID, state in memory.
///
/// Order of checks: the path (404 unknown endpoint, 405 wrong method), then the
/// credentials (403), then the rate limit, then the call. Routing comes first
/// because the live service answers an unknown path with its web application's
/// page whatever the headers (reference §2).
public final class Cin7Sandbox: ResettableSandbox {
    public static let basePath = "/ExternalApi/v2"

    let configuration: Cin7Configuration
    let companies: [String: Cin7Company]
    let limits: Cin7RateLimits
    let router: SandboxRouter
    let webhookSender: Cin7WebhookSender
    public var webhooks: (any WebhookOutbox)? { webhookSender }

    /// `faults` is the front door's injector: its outgoing rules (duplicated
    /// webhook deliveries) apply to this sandbox's webhooks.
    public init(configuration: Cin7Configuration, faults: FaultInjector? = nil) {
        self.configuration = configuration
        webhookSender = Cin7WebhookSender(configuration: configuration.webhooks, faults: faults)
        var companies: [String: Cin7Company] = [:]
        var keys: [String: Set<String>] = [:]
        for account in configuration.accounts {
            let id = account.accountID.lowercased()
            keys[id, default: []].formUnion(account.applicationKeys)
            if companies[id] == nil { companies[id] = Cin7Company(account: account, seed: configuration.seed) }
        }
        self.companies = companies
        limits = Cin7RateLimits(configuration.limits)
        var router = SandboxRouter(caseInsensitive: true)
        Cin7Routes(companies: companies, keys: keys, limits: limits, errorShape: configuration.errorShape,
                   webhookSender: webhookSender).register(in: &router)
        self.router = router
    }

    public func respond(to request: SandboxRequest) async -> SandboxResponse {
        switch router.match(method: request.method, path: request.path) {
        case .found(let handler, let parameters):
            var request = request
            request.pathParameters = parameters
            return await handler(request)
        case .methodNotAllowed(let allowed):
            // ASP.NET Web API's wording for a 405, in Cin7's Error Model.
            return Cin7Failure(405, "The requested resource does not support http method '\(request.method)'.")
                .response(shape: configuration.errorShape, headers: [("allow", allowed.joined(separator: ", "))])
        case .notFound:
            switch configuration.unknownEndpoint {
            case .notFound:
                return Cin7Failure(404, "Endpoint \(request.path) does not exist.").response(shape: configuration.errorShape)
            case .htmlPage:
                return .text(200, "<!DOCTYPE html><html><head><title>Cin7 Core</title></head><body><h1>Cin7 Core Inventory</h1></body></html>",
                             contentType: "text/html; charset=utf-8")
            }
        }
    }

    /// A company's data, for tests and the seeding of scenarios (nil for an unknown Account ID).
    func company(_ accountID: String) -> Cin7Company? {
        companies[accountID.lowercased()]
    }

    /// Sets one stock row of a company (the sandbox has no stock endpoints yet).
    public func setStock(accountID: String, _ level: Cin7StockLevel) async {
        await company(accountID)?.setStock(level)
    }
}

extension Cin7Sandbox {
    /// Loads each account's generated business, if it has one. Call once the
    /// server is up (a company is an actor: its synchronous init cannot write
    /// through its own endpoints); calling it again does nothing. Returns what
    /// the companies refused, one message per failed call, empty when all was
    /// accepted — the loader's bodies are the sandbox's own, so anything here
    /// is a bug to fix.
    @discardableResult
    public func started() async -> [String] {
        var failures: [String] = []
        for (id, company) in companies.sorted(by: { $0.key < $1.key }) {
            await company.loadGeneratedBusiness()
            failures += await company.loadFailures.map { "\(id): \($0)" }
        }
        return failures
    }

    /// Back to the first state: reference books, sample data and the generated business, reloaded.
    public func reset() async {
        for company in companies.values { await company.reset() }
    }

    /// Totals across companies, by list key.
    public func recordCounts() async -> [String: Int] {
        var totals: [String: Int] = [:]
        for company in companies.values { totals.merge(await company.recordCounts(), uniquingKeysWith: +) }
        return totals
    }

    /// A breach as this sandbox is configured to report it (429 or 503, Retry-After style).
    public func rateLimitResponse() -> SandboxResponse {
        let limits = configuration.limits
        let retryAfter = limits.retryAfter == .secondsWithUnit ? "60 Seconds" : "60"
        return Cin7Failure(limits.status.rawValue, "You reached \(limits.callsPerWindow) calls per minute API limit")
            .response(shape: configuration.errorShape, headers: [("retry-after", retryAfter)])
    }
}
