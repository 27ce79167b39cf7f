import Foundation

/// The Organisation as `GET /Organisation` sends it (xero_accounting.yaml
/// `Organisation`): a New Zealand GST-registered company, like Xero's own
/// demo company, whose OrganisationID is the tenant id of the connection.
struct XeroOrganisation: Encodable, Sendable {
    var APIKey: String
    var Name: String
    var LegalName: String
    var PaysTax = true
    var Version = "NZ"
    var OrganisationType = "COMPANY"
    var BaseCurrency = "NZD"
    var CountryCode = "NZ"
    var IsDemoCompany = false
    var OrganisationStatus = "ACTIVE"
    var TaxNumber = "071-138-054"
    var FinancialYearEndDay = 31
    var FinancialYearEndMonth = 3
    var SalesTaxBasis = "PAYMENTS"
    var SalesTaxPeriod = "TWOMONTHS"
    var DefaultSalesTax = "Tax Exclusive"
    var DefaultPurchasesTax = "Tax Exclusive"
    /// "Shown if set": no lock dates until someone sets them.
    var PeriodLockDate: XeroDate?
    var EndOfYearLockDate: XeroDate?
    var CreatedDateUTC: XeroDate
    var OrganisationEntityType = "COMPANY"
    var Timezone = "NEWZEALANDSTANDARDTIME"
    var ShortCode: String
    @LowercaseID var OrganisationID: UUID
    var Edition = "BUSINESS"
    var Class = "PREMIUM"
    var Addresses: [XeroContact.Address] = []
    var Phones: [XeroContact.Phone] = []
    var ExternalLinks: [String] = []
    var PaymentTerms: [String: String] = [:]

    init(tenantID: UUID, name: String, created: Date, random: inout SeededGenerator) {
        OrganisationID = tenantID
        Name = name
        LegalName = name
        CreatedDateUTC = XeroDate(created)
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        APIKey = String((0..<30).map { _ in letters[Int(random.next() % UInt64(letters.count))] })
        ShortCode = "!" + String((0..<5).map { _ in letters[Int(random.next() % UInt64(letters.count))] })
    }
}
