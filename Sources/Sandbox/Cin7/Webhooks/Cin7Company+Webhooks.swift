import Foundation

/// `/webhooks`: the subscriptions an integration makes (GET all, POST one,
/// PUT one, DELETE ?ID=), and the events the company raises for them.
extension Cin7Company {
    static let webhooksKey = "Webhooks"

    func listWebhooks(_ request: SandboxRequest) -> [UInt8] {
        webhooksJSON(webhooks.all)
    }

    func createWebhook(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7WebhookInput.self, from: request.body).get()
        var webhook = Cin7Webhook(ID: newID(), Type: "", Name: "", IsActive: true, ExternalURL: "",
                                  ExternalAuthorizationType: "noauth", ExternalHeaders: [])
        var check = Cin7Validation()
        apply(input, to: &webhook, check: &check, creating: true)
        try check.finish()
        webhooks.put(webhook)
        return webhooksJSON([webhook])
    }

    func updateWebhook(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let input = try Cin7JSON.decode(Cin7WebhookInput.self, from: request.body).get()
        var check = Cin7Validation()
        let id = check.required(input.ID, "ID")
        try check.finish()
        guard UUID(uuidString: id) != nil, var webhook = webhooks[id] else { throw .badRequest("Webhook with specified ID not found.") }
        apply(input, to: &webhook, check: &check, creating: false)
        try check.finish()
        webhooks.put(webhook)
        return webhooksJSON([webhook])
    }

    func deleteWebhook(_ request: SandboxRequest) throws(Cin7Failure) -> [UInt8] {
        let id = try Cin7Query.guid(request, "ID")
        guard let id, webhooks[id] != nil else { throw .badRequest("Webhook with specified ID not found.") }
        webhooks.remove(id)
        return webhooksJSON([])
    }

    /// Every retry failed: Cin7 switches the webhook off.
    func deactivateWebhook(_ id: String) {
        guard var webhook = webhooks[id], webhook.IsActive else { return }
        webhook.IsActive = false
        webhooks.put(webhook)
    }

    private func webhooksJSON(_ list: [Cin7Webhook]) -> [UInt8] {
        // No paging here, unlike the other lists: just the array.
        let items = list.map { Cin7JSON.encode($0) }
        return Array(#"{"Webhooks":["#.utf8) + Array(items.joined(separator: [UInt8(ascii: ",")])) + Array("]}".utf8)
    }

    private func apply(_ input: Cin7WebhookInput, to webhook: inout Cin7Webhook, check: inout Cin7Validation, creating: Bool) {
        if creating || input.Type != nil {
            let type = check.required(input.Type, "Type")
            if let name = Cin7Webhook.types[type] {
                let others = webhooks.all.filter { $0.Type == type && $0.ID != webhook.ID }.count
                check.check(others < Cin7Webhook.perTypeLimit, "There is a limit of \(Cin7Webhook.perTypeLimit) webhooks of the same type.")
                webhook.Type = type
                webhook.Name = name
            } else if !type.isEmpty {
                check.fail("Webhook Type '\(type)' is not valid.")
            }
        }
        if let active = input.IsActive { webhook.IsActive = active } else if creating { check.fail("Required attribute IsActive is not provided.") }
        if creating || input.ExternalURL != nil {
            let url = check.required(input.ExternalURL, "ExternalURL", maxLength: 2048)
            let parsed = URL(string: url)
            check.check(url.isEmpty || (["http", "https"].contains(parsed?.scheme?.lowercased() ?? "") && parsed?.host != nil),
                        "ExternalURL '\(url)' is not a valid URL.")
            webhook.ExternalURL = url
        }
        if creating || input.ExternalAuthorizationType != nil {
            let kind = check.required(input.ExternalAuthorizationType, "ExternalAuthorizationType").lowercased()
            check.check(kind.isEmpty || ["noauth", "basicauth", "bearerauth"].contains(kind),
                        "ExternalAuthorizationType should be one of: noauth, basicauth, bearerauth.")
            webhook.ExternalAuthorizationType = kind
        }
        if let name = input.ExternalUserName { webhook.ExternalUserName = name }
        if let password = input.ExternalPassword { webhook.ExternalPassword = password }
        if input.ExternalBearerToken != nil { webhook.ExternalBearerToken = input.ExternalBearerToken }
        if let headers = input.ExternalHeaders { webhook.ExternalHeaders = headers }
        switch webhook.ExternalAuthorizationType {
        case "basicauth":
            check.check(!webhook.ExternalUserName.isEmpty, "Required attribute ExternalUserName is not provided.")
            check.check(!webhook.ExternalPassword.isEmpty, "Required attribute ExternalPassword is not provided.")
        case "bearerauth":
            check.check(!(webhook.ExternalBearerToken ?? "").isEmpty, "Required attribute ExternalBearerToken is not provided.")
        default:
            break
        }
    }

    // MARK: Events

    /// Records an event for the active subscriptions of its type (none: nothing
    /// is kept). Every payload carries `EventType`, as the documented ones do.
    func raise(_ type: String, _ payload: [String: Any]) {
        raise(type, object: payload)
    }

    /// `Customer/Updated`, `Supplier/Updated`: `{NumberOfCustomers, CustomerDetailsList: [{Customer, Addresses, Contacts}]}`.
    func raisePartyUpdated(_ kind: String, _ details: [String: Any]) {
        raise("\(kind)/Updated", ["NumberOf\(kind)s": 1, "\(kind)DetailsList": [details]])
    }

    static func jsonObject(_ bytes: [UInt8]?) -> Any {
        bytes.flatMap { try? JSONSerialization.jsonObject(with: Data($0)) } ?? NSNull()
    }

    /// `Stock/AvailableStockLevelChanged` sends a bare array.
    func raise(_ type: String, object payload: Any) {
        let subscribers = webhooks.all.filter { $0.IsActive && $0.Type == type }
        guard !subscribers.isEmpty else { return }
        var body = payload
        if var object = payload as? [String: Any] {
            object["EventType"] = type
            body = object
        }
        let bytes = Array((try? JSONSerialization.data(withJSONObject: body, options: [.withoutEscapingSlashes])) ?? Data("{}".utf8))
        for webhook in subscribers { pendingWebhooks.append(PendingWebhook(webhook: webhook, body: bytes)) }
    }

    /// The deliveries raised since the last call, for the sender.
    func takeWebhookDeliveries() -> [Cin7WebhookSender.Delivery] {
        raiseStockEvents()
        defer { pendingWebhooks = [] }
        return pendingWebhooks.map { pending in
            let id = pending.webhook.ID
            return Cin7WebhookSender.Delivery(webhookID: id, url: pending.webhook.ExternalURL, headers: pending.webhook.deliveryHeaders,
                                              body: pending.body, deactivate: { [weak self] in await self?.deactivateWebhook(id) })
        }
    }

    struct PendingWebhook: Sendable {
        let webhook: Cin7Webhook
        let body: [UInt8]
    }
}
