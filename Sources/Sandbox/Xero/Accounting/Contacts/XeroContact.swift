import Foundation

/// A Contact as the Accounting API sends it (field names and enums of
/// ../shared/specs/xero/xero_accounting.yaml, `Contact`).
struct XeroContact: XeroEntity {
    static let collection = "Contacts"

    struct Address: Codable, Sendable, Equatable {
        var AddressType: String?
        var AddressLine1: String?
        var AddressLine2: String?
        var AddressLine3: String?
        var AddressLine4: String?
        var City: String?
        var Region: String?
        var PostalCode: String?
        var Country: String?
        var AttentionTo: String?
    }

    struct Phone: Codable, Sendable, Equatable {
        var PhoneType: String?
        var PhoneNumber: String?
        var PhoneAreaCode: String?
        var PhoneCountryCode: String?
    }

    @LowercaseID var ContactID: UUID
    var ContactNumber: String?
    var AccountNumber: String?
    var ContactStatus: String
    var Name: String
    var FirstName: String?
    var LastName: String?
    var CompanyNumber: String?
    var EmailAddress: String?
    var BankAccountDetails: String?
    var TaxNumber: String?
    var AccountsReceivableTaxType: String?
    var AccountsPayableTaxType: String?
    var Addresses: [Address]
    var Phones: [Phone]
    /// Derived from documents, never from writes.
    var IsSupplier: Bool
    var IsCustomer: Bool
    var SalesDefaultLineAmountType: String?
    var PurchasesDefaultLineAmountType: String?
    var DefaultCurrency: String?
    var SalesDefaultAccountCode: String?
    var PurchasesDefaultAccountCode: String?
    var UpdatedDateUTC: XeroDate?
    var ContactGroups: [String]
    var HasAttachments: Bool
    var HasValidationErrors: Bool

    var id: UUID { ContactID }
    var updatedDateUTC: XeroDate? {
        get { UpdatedDateUTC }
        set { UpdatedDateUTC = newValue }
    }
}

/// What a client may send for a contact: every field optional, read-only ones
/// (IsSupplier, IsCustomer, UpdatedDateUTC, HasAttachments…) ignored.
struct XeroContactInput: Decodable {
    var ContactID: UUID?
    var ContactNumber: String?
    var AccountNumber: String?
    var ContactStatus: String?
    var Name: String?
    var FirstName: String?
    var LastName: String?
    var CompanyNumber: String?
    var EmailAddress: String?
    var BankAccountDetails: String?
    var TaxNumber: String?
    var AccountsReceivableTaxType: String?
    var AccountsPayableTaxType: String?
    var Addresses: [XeroContact.Address]?
    var Phones: [XeroContact.Phone]?
    var SalesDefaultLineAmountType: String?
    var PurchasesDefaultLineAmountType: String?
    var DefaultCurrency: String?
    var SalesDefaultAccountCode: String?
    var PurchasesDefaultAccountCode: String?
}
