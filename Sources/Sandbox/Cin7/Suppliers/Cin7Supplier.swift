import Foundation

/// A supplier, `/supplier` (apib:26665-27016): a customer's mirror image with
/// `AccountPayable`, no price tier, carrier or credit limit.
struct Cin7Supplier: Cin7Stored {
    var ID: String
    var Name: String
    var Currency: String
    var PaymentTerm: String
    var TaxRule: String
    var Discount: Decimal
    var Comments: String
    var AccountPayable: String
    var TaxNumber: String
    var AdditionalAttribute1: String = ""
    var AdditionalAttribute2: String = ""
    var AdditionalAttribute3: String = ""
    var AdditionalAttribute4: String = ""
    var AdditionalAttribute5: String = ""
    var AdditionalAttribute6: String = ""
    var AdditionalAttribute7: String = ""
    var AdditionalAttribute8: String = ""
    var AdditionalAttribute9: String = ""
    var AdditionalAttribute10: String = ""
    var AttributeSet: String?
    var Status: String
    var LastModifiedOn: Cin7Timestamp
    var Addresses: [Cin7Party.Address]
    var Contacts: [Cin7Party.Contact]

    var key: String { ID }
    var isDeprecated: Bool { Status == "Deprecated" }

    var attributes: [String] {
        get {
            [AdditionalAttribute1, AdditionalAttribute2, AdditionalAttribute3, AdditionalAttribute4, AdditionalAttribute5,
             AdditionalAttribute6, AdditionalAttribute7, AdditionalAttribute8, AdditionalAttribute9, AdditionalAttribute10]
        }
        set {
            (AdditionalAttribute1, AdditionalAttribute2, AdditionalAttribute3, AdditionalAttribute4, AdditionalAttribute5) =
                (newValue[0], newValue[1], newValue[2], newValue[3], newValue[4])
            (AdditionalAttribute6, AdditionalAttribute7, AdditionalAttribute8, AdditionalAttribute9, AdditionalAttribute10) =
                (newValue[5], newValue[6], newValue[7], newValue[8], newValue[9])
        }
    }
}

struct Cin7SupplierInput: Decodable {
    var ID: String?
    var Name: String?
    var Status: String?
    var Currency: String?
    var PaymentTerm: String?
    var AccountPayable: LenientString?
    var TaxRule: String?
    var Discount: LenientDecimal?
    var Comments: String?
    var TaxNumber: LenientString?
    var AttributeSet: String?
    var AdditionalAttribute1: LenientString?
    var AdditionalAttribute2: LenientString?
    var AdditionalAttribute3: LenientString?
    var AdditionalAttribute4: LenientString?
    var AdditionalAttribute5: LenientString?
    var AdditionalAttribute6: LenientString?
    var AdditionalAttribute7: LenientString?
    var AdditionalAttribute8: LenientString?
    var AdditionalAttribute9: LenientString?
    var AdditionalAttribute10: LenientString?
    var Addresses: [Cin7Party.AddressInput]?
    var Contacts: [Cin7Party.ContactInput]?

    var attributes: [String?] {
        [AdditionalAttribute1, AdditionalAttribute2, AdditionalAttribute3, AdditionalAttribute4, AdditionalAttribute5,
         AdditionalAttribute6, AdditionalAttribute7, AdditionalAttribute8, AdditionalAttribute9, AdditionalAttribute10].map { $0?.value }
    }
}
