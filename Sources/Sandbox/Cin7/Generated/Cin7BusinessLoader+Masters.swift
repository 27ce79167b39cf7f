import Foundation

/// Customers, suppliers and products, as `POST /customer`, `/supplier` and
/// `/product` bodies. Cin7 has no field for a contact's code, so the
/// generator's `code` (Xero's ContactNumber) goes in `AdditionalAttribute1`.
extension Cin7BusinessLoader {
    mutating func loadParties(into company: isolated Cin7Company) {
        for party in business.parties {
            let address: [String: Any] = ["Line1": party.street, "City": party.city, "Postcode": party.postalCode, "Country": party.country,
                                          "Type": party.role == .customer ? "Billing" : "Business", "DefaultForType": true]
            let contact: [String: Any] = ["Name": "Accounts", "Phone": party.phone, "Email": party.email, "Default": true, "IncludeInEmail": true]
            var body: [String: Any] = ["Name": party.name, "Status": "Active", "Currency": party.currency, "PaymentTerm": Self.paymentTerm,
                                       "AdditionalAttribute1": party.code, "Addresses": [address], "Contacts": [contact]]
            switch party.role {
            case .customer:
                body.merge(["AccountReceivable": Self.receivable, "RevenueAccount": Self.revenue, "TaxRule": Self.saleTax, "PriceTier": "Tier 1"]) { $1 }
                if let id = call("customer \(party.code)", body, parse: true, company.createCustomer).flatMap(Self.firstID(in: Cin7Company.customersKey)) {
                    customerIDs[party.id] = id
                }
            case .supplier:
                body.merge(["AccountPayable": Self.payable, "TaxRule": Self.purchaseTax]) { $1 }
                if let id = call("supplier \(party.code)", body, parse: true, company.createSupplier).flatMap(Self.firstID(in: Cin7Company.suppliersKey)) {
                    supplierIDs[party.id] = id
                }
            }
        }
    }

    /// Every product first, then the bills of materials: a component may come
    /// after its assembly in the generator's order, and a BOM line must name a
    /// product that exists.
    mutating func loadProducts(into company: isolated Cin7Company) {
        for product in business.products {
            let body: [String: Any] = [
                "SKU": product.sku, "Name": product.name, "Category": "General", "Type": "Stock", "CostingMethod": "FIFO", "UOM": "Item",
                "Status": "Active", "PriceTier1": Self.number(product.salePrice), "COGSAccount": Self.costOfSales, "RevenueAccount": Self.revenue,
                "InventoryAccount": Self.inventory, "SaleTaxRule": Self.saleTax, "PurchaseTaxRule": Self.purchaseTax,
            ]
            if let id = call("product \(product.sku)", body, parse: true, company.createProduct).flatMap(Self.firstID(in: Cin7Company.productsKey)) {
                productIDs[product.id] = id
            }
        }
        for product in business.products where product.isAssembly && !product.components.isEmpty {
            guard let id = productIDs[product.id] else { continue }
            let lines = product.components.compactMap { part in
                productIDs[part.productID].map { ["ComponentProductID": $0, "Quantity": Self.number(part.quantity)] as [String: Any] }
            }
            let body: [String: Any] = ["ID": id, "BillOfMaterial": true, "QuantityToProduce": 1, "AssemblyCostEstimationMethod": "Average Cost",
                                       "BillOfMaterialsProducts": lines]
            _ = call("bill of materials of \(product.sku)", body, company.updateProduct)
        }
    }

    /// The `ID` of the one record a create answers with, in its list wrapper.
    static func firstID(in key: String) -> ([String: Any]) -> String? {
        { answer in (answer[key] as? [[String: Any]])?.first?["ID"] as? String }
    }
}
