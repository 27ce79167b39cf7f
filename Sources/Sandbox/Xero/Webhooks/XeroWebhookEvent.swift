import Foundation

/// One change Xero announces (xero-webhooks.yaml `WebhookEvent.events[]`):
/// thin — the receiver fetches the record by `resourceUrl`.
struct XeroWebhookEvent: Sendable, Equatable {
    enum Category: String, Sendable {
        case contact = "CONTACT", invoice = "INVOICE", creditNote = "CREDITNOTE"

        /// The Accounting API collection the resource URL points into.
        var collection: String {
            switch self {
            case .contact: "Contacts"
            case .invoice: "Invoices"
            case .creditNote: "CreditNotes"
            }
        }
    }

    let tenantID: UUID
    let resourceID: UUID
    let category: Category
    /// CREATE or UPDATE (archiving counts as UPDATE).
    let created: Bool
    let date: Date
    /// Credit note events carry `data: {Type, Status}`.
    var creditNoteData: (type: String, status: String)?

    static func == (a: Self, b: Self) -> Bool {
        a.tenantID == b.tenantID && a.resourceID == b.resourceID && a.category == b.category && a.created == b.created && a.date == b.date
    }

    func json(apiBaseURL: String) -> [String: Any] {
        var object: [String: Any] = [
            "resourceUrl": "\(apiBaseURL)/api.xro/2.0/\(category.collection)/\(resourceID.uuidString.lowercased())",
            "resourceId": resourceID.uuidString.lowercased(),
            "eventDateUtc": Self.eventDate(date),
            "eventType": created ? "CREATE" : "UPDATE",
            "eventCategory": category.rawValue,
            "tenantId": tenantID.uuidString.lowercased(),
            "tenantType": "ORGANISATION",
        ]
        if let data = creditNoteData { object["data"] = ["Type": data.type, "Status": data.status] }
        return object
    }

    /// Xero's examples: `2024-06-21T01:15:39.902` — UTC, milliseconds, no zone.
    static func eventDate(_ date: Date) -> String {
        // Whole milliseconds first: the nanoseconds of a Double date round down to .901 for .902.
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let seconds = Date(timeIntervalSince1970: TimeInterval(milliseconds.quotient(1000)))
        let c = XeroDateFormat.utcCalendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: seconds)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!,
                      Int(milliseconds - milliseconds.quotient(1000) * 1000))
    }
}

private extension Int64 {
    /// Division rounding towards minus infinity (dates before 1970 stay right).
    func quotient(_ divisor: Int64) -> Int64 {
        let q = self / divisor
        return (self % divisor < 0) ? q - 1 : q
    }
}
