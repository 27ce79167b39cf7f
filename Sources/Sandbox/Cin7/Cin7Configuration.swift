import Foundation

/// What the Cin7 Core sandbox accepts and how it misbehaves. Every option that
/// the live API is known to vary on (../shared/reference/cin7-core-api.md §2–3,
/// §10) is a setting here, defaulting to what current clients observe.
public struct Cin7Configuration: Sendable {
    /// One Cin7 Core company: its Account ID and the keys of the API
    /// applications created on it. Each account has its own data.
    public struct Account: Sendable {
        /// A GUID; compared without regard to case, as GUIDs are.
        public var accountID: String
        /// Compared exactly: a key is a password.
        public var applicationKeys: [String]
        /// `GET /me`'s `Company`.
        public var companyName: String
        /// `GET /me`'s `Currency`: the base currency.
        public var baseCurrency = "AUD"
        /// When true, a small demo catalogue (customers, suppliers, products with
        /// stock) is there from the start, besides the reference books every
        /// account has (chart of accounts, tax rules, payment terms, locations…).
        public var sampleData = true
        /// Cin7 refuses updates to the chart of accounts and tax rules while its
        /// Xero or QuickBooks integration is on (apib:950, the PUT note on `/ref/tax`).
        public var accountingIntegrationEnabled = false
        /// A generated business to load on top of the reference books (and the
        /// sample data): its customers, suppliers, products, stock and a year of
        /// sales and purchases, written through the company's own endpoints.
        /// It brings its base currency (`baseCurrency` is then ignored); an NZD
        /// company charges 15 % GST. Loads when the sandbox starts (`started()`)
        /// and again on every reset.
        public var business: GeneratedBusiness?

        public init(accountID: String, applicationKeys: [String], companyName: String) {
            self.accountID = accountID
            self.applicationKeys = applicationKeys
            self.companyName = companyName
        }
    }

    /// Live Cin7 answers errors as an array of Error Model objects, sometimes as
    /// one object (reference §2).
    public enum ErrorShape: String, Sendable {
        case array
        case object
    }

    /// A path that is no endpoint: the portal documents 404 (apib:120); live
    /// clients have seen an HTML page with 200 (reference §2).
    public enum UnknownEndpoint: String, Sendable {
        case notFound
        case htmlPage
    }

    public var accounts: [Account]
    public var limits = Cin7Limits()
    public var errorShape = ErrorShape.array
    public var unknownEndpoint = UnknownEndpoint.notFound
    /// When webhook deliveries are attempted (Cin7: 1 minute after the event, then +5 … +25 minutes).
    public var webhooks = Cin7WebhookSender.Configuration()
    /// Seeds the ids and numbers of the reference books and demo data.
    public var seed: UInt64 = 1

    public init(accounts: [Account]) {
        self.accounts = accounts
    }
}

/// Cin7 Core's API limit (reference §3): 60 calls in any 60 s. The portal says
/// 503 "You reached 60 calls per minute API limit", counted per API application;
/// clients in 2025-26 see 429 with a `Retry-After` (sometimes "60 Seconds"),
/// the budget shared by the whole account.
public struct Cin7Limits: Sendable {
    public enum Keying: String, Sendable {
        /// One budget per Account ID, shared by all its applications (observed).
        case account
        /// One budget per Account ID and application key (documented).
        case application
    }

    public enum Status: Int, Sendable {
        case tooManyRequests = 429
        case serviceUnavailable = 503
    }

    public enum RetryAfter: String, Sendable {
        /// `Retry-After: 60`: whole seconds until the window has room.
        case seconds
        /// `Retry-After: 60 Seconds`, which a strict parser refuses.
        case secondsWithUnit
    }

    public var callsPerWindow = 60
    public var window: Duration = .seconds(60)
    public var keying = Keying.account
    public var status = Status.tooManyRequests
    public var retryAfter = RetryAfter.seconds

    public init() {}

    /// Limits that never bite: for benchmarks.
    public static let unlimited: Cin7Limits = {
        var limits = Cin7Limits()
        limits.callsPerWindow = .max
        return limits
    }()
}
