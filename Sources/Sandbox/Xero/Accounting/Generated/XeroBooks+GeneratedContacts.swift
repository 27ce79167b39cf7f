import Foundation

/// The generated business's customers and suppliers as Xero contacts.
extension XeroBooks {
    static func contacts(of business: GeneratedBusiness) -> EntityTable<XeroContact> {
        var table = EntityTable<XeroContact>()
        for party in business.parties {
            table.put(XeroContact(
                ContactID: party.id, ContactNumber: party.code, ContactStatus: "ACTIVE", Name: party.name,
                EmailAddress: party.email,
                Addresses: [.init(AddressType: "STREET", AddressLine1: party.street, City: party.city, PostalCode: party.postalCode, Country: party.country)],
                Phones: [.init(PhoneType: "DEFAULT", PhoneNumber: party.phone)],
                // Derived from documents in Xero; the generated business has none yet.
                IsSupplier: false, IsCustomer: false,
                DefaultCurrency: party.currency == business.baseCurrency ? nil : party.currency,
                ContactGroups: [], HasAttachments: false, HasValidationErrors: false))
        }
        return table
    }
}
