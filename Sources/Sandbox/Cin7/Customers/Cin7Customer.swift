import Foundation

/// A customer, `/customer` (apib:1011-1532). Field order is the blueprint's
/// GET example's; `ProductPrices` is added to the JSON only when a list asks
/// for it (`IncludeProductPrices=true`), as in that example.
struct Cin7Customer: Cin7Stored {
    /// A customer-specific price (apib:30546, "Product Price Model").
    struct ProductPrice: Cin7Record, Sendable {
        var ProductID: String
        var ProductName: String
        var ProductSKU: String
        var Price: Decimal
    }

    var ID: String
    var Name: String
    var Currency: String
    var PaymentTerm: String
    var Discount: Decimal
    var TaxRule: String
    var Carrier: String?
    var SalesRepresentative: String?
    var Location: String
    var Comments: String
    var AccountReceivable: String
    var RevenueAccount: String
    var PriceTier: String
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
    var Tags: String
    var Status: String
    var CreditLimit: Decimal
    var IsOnCreditHold: Bool
    var LastModifiedOn: Cin7Timestamp
    var Addresses: [Cin7Party.Address]
    var Contacts: [Cin7Party.Contact]
    var _productPrices: [ProductPrice] = []

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

/// What a client may send for a customer. Absent and null are the same to
/// Cin7's .NET binding, so both leave a field as it was on PUT.
struct Cin7CustomerInput: Decodable {
    struct ProductPrice: Decodable {
        var ProductID: String?
        var ProductSKU: String?
        var Price: LenientDecimal?
    }

    var ID: String?
    var Name: String?
    var Status: String?
    var Currency: String?
    var PaymentTerm: String?
    var AccountReceivable: LenientString?
    var RevenueAccount: LenientString?
    var TaxRule: String?
    var PriceTier: String?
    var Carrier: String?
    var SalesRepresentative: String?
    var Location: String?
    var Discount: LenientDecimal?
    var Comments: String?
    var TaxNumber: LenientString?
    var CreditLimit: LenientDecimal?
    var Tags: String?
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
    var IsOnCreditHold: LenientBool?
    var ProductPrices: [ProductPrice]?
    var Addresses: [Cin7Party.AddressInput]?
    var Contacts: [Cin7Party.ContactInput]?

    var attributes: [String?] {
        [AdditionalAttribute1, AdditionalAttribute2, AdditionalAttribute3, AdditionalAttribute4, AdditionalAttribute5,
         AdditionalAttribute6, AdditionalAttribute7, AdditionalAttribute8, AdditionalAttribute9, AdditionalAttribute10].map { $0?.value }
    }
}
