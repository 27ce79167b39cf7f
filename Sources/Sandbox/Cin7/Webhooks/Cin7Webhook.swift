import Foundation

/// A webhook subscription, `/webhooks` (apib:27430-28078): which event type
/// goes to which URL, with which credentials. Cin7 signs nothing; receivers
/// authenticate deliveries by these credentials or a secret custom header.
struct Cin7Webhook: Cin7Stored {
    struct Header: Codable, Sendable, Equatable {
        var Key: String
        var Value: String
    }

    var ID: String
    var `Type`: String
    var Name: String
    var IsActive: Bool
    var ExternalURL: String
    var ExternalAuthorizationType: String
    /// Empty when unused (the spec has them as plain strings); the token may be null.
    var ExternalUserName = ""
    var ExternalPassword = ""
    var ExternalBearerToken: String?
    var ExternalHeaders: [Header]

    var key: String { ID }

    /// The headers a delivery carries: the authorization asked for, then the custom ones.
    var deliveryHeaders: [(String, String)] {
        var headers: [(String, String)] = []
        switch ExternalAuthorizationType {
        case "basicauth":
            let credentials = Data("\(ExternalUserName):\(ExternalPassword)".utf8).base64EncodedString()
            headers.append(("authorization", "Basic \(credentials)"))
        case "bearerauth":
            headers.append(("authorization", "Bearer \(ExternalBearerToken ?? "")"))
        default:
            break
        }
        return headers + ExternalHeaders.map { ($0.Key, $0.Value) }
    }

    /// The documented event types and the friendly names Cin7 gives them.
    static let types: [String: String] = [
        "Sale/QuoteAuthorised": "Sale quote has been authorised",
        "Sale/OrderAuthorised": "Sale order has been authorised",
        "Sale/Voided": "Sale has been voided",
        "Sale/Backordered": "Sale has been backordered",
        "Sale/ShipmentAuthorised": "Sale shipment has been authorised",
        "Sale/InvoiceAuthorised": "Sale invoice has been authorised",
        "Sale/PickAuthorised": "Sale pick has been authorised",
        "Sale/PackAuthorised": "Sale pack has been authorised",
        "Sale/CreditNoteAuthorised": "Sale credit note has been authorised",
        "Sale/Undo": "Sale has been undone",
        "Sale/PartialPaymentReceived": "Sale partial payment has been received",
        "Sale/FullPaymentReceived": "Sale full payment has been received",
        "Sale/ShipmentTrackingNumberChanged": "Sale shipment tracking number has been changed",
        "Purchase/OrderAuthorised": "Purchase order has been authorised",
        "Purchase/InvoiceAuthorised": "Purchase invoice has been authorised",
        "Purchase/StockReceivedAuthorised": "Purchase stock received has been authorised",
        "Purchase/CreditNoteAuthorised": "Purchase credit note has been authorised",
        "Customer/Updated": "Customer has been updated",
        "Supplier/Updated": "Supplier has been updated",
        "Stock/AvailableStockLevelChanged": "Available stock level has been changed",
    ]

    /// "There is a limit of 5 webhooks of the same type at the same time."
    static let perTypeLimit = 5
}

/// A POST or PUT body of `/webhooks`.
struct Cin7WebhookInput: Decodable {
    var ID: String?
    var `Type`: String?
    var IsActive: Bool?
    var ExternalURL: String?
    var ExternalAuthorizationType: String?
    var ExternalUserName: String?
    var ExternalPassword: String?
    var ExternalBearerToken: String?
    var ExternalHeaders: [Cin7Webhook.Header]?
}
