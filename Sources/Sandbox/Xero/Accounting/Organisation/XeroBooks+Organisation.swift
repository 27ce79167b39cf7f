import Foundation

/// `GET /Organisation`: the organisation the tenant id names, as a one-element
/// `Organisations` array. Nothing about it can be changed through the API.
extension XeroBooks {
    func getOrganisation() -> SandboxResponse {
        .json(200, XeroEnvelope.list("Organisations", [XeroJSON.encode(organisation)], providerName: providerName))
    }

    /// Sets or clears the lock dates (from the Xero UI in real life; from tests here).
    func setLockDates(period: Date?, endOfYear: Date?) {
        organisation.PeriodLockDate = period.map { XeroDate($0).day }
        organisation.EndOfYearLockDate = endOfYear.map { XeroDate($0).day }
    }

    /// Xero answers methods it declares but does not implement, such as
    /// `POST /Organisation`, with 501 ([CODES]; the body's wording is ours).
    static func notImplemented() -> SandboxResponse {
        .json(501, object: ["ErrorNumber": 20, "Type": "ApiMethodNotImplementedException",
                            "Message": "The Api Method called is not implemented"] as [String: Any])
    }
}
