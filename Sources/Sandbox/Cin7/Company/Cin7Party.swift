import Foundation

/// What customers and suppliers share: addresses and contacts (apib:30519-30545,
/// "Supplier/Customer Address Model" and "Contact Model").
///
/// Free text is never null once written: the blueprint's PUT answers turn the
/// nulls a client sent into `""` (customer `Comments`, `Tags`, `TaxNumber`,
/// `AdditionalAttribute1`…), and openapi.yaml types these as plain strings in
/// write answers. References to other books (`Carrier`, `AttributeSet`,
/// `SalesRepresentative`) stay null until set.
enum Cin7Party {
    struct Address: Cin7Record, Sendable {
        var ID: String
        var Line1: String
        var Line2: String
        var City: String
        var State: String
        var Postcode: String
        var Country: String
        var `Type`: String
        var DefaultForType: Bool
    }

    struct Contact: Cin7Record, Sendable {
        var ID: String
        var Name: String
        var JobTitle: String
        var Phone: String
        var MobilePhone: String
        var Fax: String
        var Email: String
        var Website: String
        var Default: Bool
        var Comment: String
        var IncludeInEmail: Bool
    }

    struct AddressInput: Decodable {
        var ID: String?
        var Line1: String?
        var Line2: String?
        var City: String?
        var State: String?
        var Postcode: LenientString?
        var Country: String?
        var `Type`: String?
        var DefaultForType: LenientBool?
    }

    struct ContactInput: Decodable {
        var ID: String?
        var Name: String?
        var JobTitle: String?
        var Phone: LenientString?
        var MobilePhone: LenientString?
        var Fax: LenientString?
        var Email: String?
        var Website: String?
        var Default: LenientBool?
        var Comment: String?
        var IncludeInEmail: LenientBool?
    }

    static let addressTypes = ["Billing", "Business", "Shipping"]
    static let statuses = ["Active", "Deprecated"]

    /// Addresses after a write: "If passed in PUT method, entry will be searched
    /// by id, found entry will be updated, otherwise created" (apib:30523).
    /// Entries the write does not mention stay; a new one's ID comes from `newID`
    /// (the company's, so a generated business gets the same ids every run).
    static func merge(_ inputs: [AddressInput], into existing: [Address], check: inout Cin7Validation, newID: () -> String) -> [Address] {
        var result = existing
        for (index, input) in inputs.enumerated() {
            let label = "Addresses[\(index)]"
            let found = input.ID.flatMap { id in result.firstIndex { $0.ID.cin7Equals(id) } }
            var address = found.map { result[$0] } ?? Address(ID: newID(), Line1: "", Line2: "", City: "", State: "",
                                                             Postcode: "", Country: "", Type: "", DefaultForType: false)
            if found == nil || input.Line1 != nil { address.Line1 = check.required(input.Line1, "\(label).Line1", maxLength: 256) }
            if let v = input.Line2 { address.Line2 = v }
            if let v = input.City { address.City = v }
            if let v = input.State { address.State = v }
            if let v = input.Postcode { address.Postcode = v.value }
            if found == nil || input.Country != nil { address.Country = check.required(input.Country, "\(label).Country") }
            if found == nil || input.Type != nil {
                let type = check.required(input.Type, "\(label).Type")
                let canonical = addressTypes.first { $0.cin7Equals(type) }
                check.check(type.isEmpty || canonical != nil, "\(label).Type should be one of Billing, Business or Shipping.")
                address.Type = canonical ?? type
            }
            if let v = input.DefaultForType { address.DefaultForType = v.value }
            for (field, value, limit) in [("Line2", address.Line2, 256), ("City", address.City, 256), ("State", address.State, 256), ("Postcode", address.Postcode, 20)] {
                check.length(value, "\(label).\(field)", limit)
            }
            if let found { result[found] = address } else { result.append(address) }
            // One default address per type.
            if address.DefaultForType {
                for i in result.indices where result[i].ID != address.ID && result[i].Type == address.Type { result[i].DefaultForType = false }
            }
        }
        return result
    }

    /// Contacts after a write, merged by ID as addresses are; one default contact.
    static func merge(_ inputs: [ContactInput], into existing: [Contact], check: inout Cin7Validation, newID: () -> String) -> [Contact] {
        var result = existing
        for (index, input) in inputs.enumerated() {
            let label = "Contacts[\(index)]"
            let found = input.ID.flatMap { id in result.firstIndex { $0.ID.cin7Equals(id) } }
            var contact = found.map { result[$0] } ?? Contact(ID: newID(), Name: "", JobTitle: "", Phone: "", MobilePhone: "",
                                                             Fax: "", Email: "", Website: "", Default: false, Comment: "", IncludeInEmail: false)
            if found == nil || input.Name != nil { contact.Name = check.required(input.Name, "\(label).Name", maxLength: 256) }
            if let v = input.JobTitle { contact.JobTitle = v }
            if let v = input.Phone { contact.Phone = v.value }
            if let v = input.MobilePhone { contact.MobilePhone = v.value }
            if let v = input.Fax { contact.Fax = v.value }
            if let v = input.Email { contact.Email = v }
            if let v = input.Website { contact.Website = v }
            if let v = input.Default { contact.Default = v.value }
            if let v = input.Comment { contact.Comment = v }
            if let v = input.IncludeInEmail { contact.IncludeInEmail = v.value }
            for (field, value, limit) in [("Phone", contact.Phone, 50), ("MobilePhone", contact.MobilePhone, 50), ("Fax", contact.Fax, 50),
                                          ("Email", contact.Email, 256), ("Website", contact.Website, 256), ("Comment", contact.Comment, 256)] {
                check.length(value, "\(label).\(field)", limit)
            }
            if let found { result[found] = contact } else { result.append(contact) }
            if contact.Default {
                for i in result.indices where result[i].ID != contact.ID { result[i].Default = false }
            }
        }
        return result
    }

    /// `Active` or `Deprecated`, in Cin7's spelling.
    static func status(_ value: String?, check: inout Cin7Validation, required: Bool) -> String? {
        guard let value, !value.isEmpty else {
            if required { check.fail("Required attribute Status is not provided.") }
            return nil
        }
        guard let canonical = statuses.first(where: { $0.cin7Equals(value) }) else {
            check.fail("Status '\(value)' is not valid. Use Active or Deprecated.")
            return nil
        }
        return canonical
    }

    /// Additional attributes 1-10 after a write: those sent replace, the others
    /// stay (on create they start as "").
    static func attributes(_ values: [String?], over existing: [String]) -> [String] {
        zip(values, existing).map { $0 ?? $1 }
    }
}
