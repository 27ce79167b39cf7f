import Foundation

/// Xero's batch writes (`PUT`/`POST` with `{"<Collection>":[…]}`): each element
/// saved or refused on its own — a batch is not a transaction. With the default
/// `summarizeErrors`, any failure makes the answer a 400 listing only the failed
/// elements, though the good ones were saved; with `summarizeErrors=false` the
/// answer is 200 with every element and its `StatusAttributeString`.
struct XeroBatch {
    enum Outcome {
        case saved(json: [UInt8])
        case failed(messages: [String])
    }

    let collection: String
    /// The id field a failed element echoes with the zero GUID, e.g. "ContactID";
    /// nil for records keyed otherwise (TaxRates by TaxType).
    let idField: String?
    /// Invoices and credit notes flag errors with `HasErrors`; contacts and payments with
    /// `HasValidationErrors`; accounts, items and tax rates have no such flag.
    let errorFlag: String?

    /// The elements of a request body, as JSON objects; nil when the body is not such a batch.
    func elements(of body: [UInt8]) -> [[String: Any]]? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { return nil }
        if let list = object[collection] as? [[String: Any]] { return list }
        return nil
    }

    func response(_ outcomes: [(input: [String: Any], outcome: Outcome)], summarizeErrors: Bool, providerName: String) -> SandboxResponse {
        let failed = outcomes.filter { if case .failed = $0.outcome { true } else { false } }
        if summarizeErrors && !failed.isEmpty {
            let elements = failed.map { item -> [String: Any] in
                guard case .failed(let messages) = item.outcome else { return [:] }
                return echo(item.input, messages: messages, statusAttribute: false)
            }
            return XeroValidation.exception(elements: elements)
        }
        let items = outcomes.map { item -> [UInt8] in
            switch item.outcome {
            case .saved(let json):
                guard summarizeErrors == false else { return json }
                // `StatusAttributeString` is spliced in so the cached JSON need not be re-encoded.
                return Array(json.dropLast()) + Array(#","StatusAttributeString":"OK"}"#.utf8)
            case .failed(let messages):
                let object = echo(item.input, messages: messages, statusAttribute: true)
                return Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8))
            }
        }
        return .json(200, XeroEnvelope.list(collection, items, providerName: providerName))
    }

    private func echo(_ input: [String: Any], messages: [String], statusAttribute: Bool) -> [String: Any] {
        var element = input
        if let idField { element[idField] = "00000000-0000-0000-0000-000000000000" }
        if let errorFlag { element[errorFlag] = true }
        element["ValidationErrors"] = messages.map { ["Message": $0] }
        if statusAttribute { element["StatusAttributeString"] = "ERROR" }
        return element
    }

    /// `summarizeErrors` arrives as `false`, `False` (the Python SDK) or not at all (= true).
    static func summarizeErrors(_ request: SandboxRequest) -> Bool {
        request.query.value("summarizeErrors")?.lowercased() != "false"
    }
}

/// The 400 body of a validation failure.
enum XeroValidation {
    static func exception(elements: [[String: Any]], message: String = "A validation exception occurred") -> SandboxResponse {
        .json(400, object: ["ErrorNumber": 10, "Type": "ValidationException", "Message": message, "Elements": elements] as [String: Any])
    }

    /// A request whose body is not the JSON the endpoint takes.
    static func postDataInvalid(_ message: String) -> SandboxResponse {
        .json(400, object: ["ErrorNumber": 14, "Type": "PostDataInvalidException", "Message": message] as [String: Any])
    }
}
