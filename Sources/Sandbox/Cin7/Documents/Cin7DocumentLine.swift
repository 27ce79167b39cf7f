import Foundation

/// The lines of sale and purchase documents (apib "Sale Quote Line Model",
/// "Sale Invoice Line Model", "Purchase Order Line Model"): one line type for
/// all of them, so that a quote's lines become an order's and an order's an
/// invoice's without conversion. Fields one kind of document lacks are sent
/// anyway (openapi.yaml's schemas do not forbid extra members).
///
/// Amounts: `Total` = Quantity × Price × (1 − Discount/100), to 2 places;
/// `Tax` from the line's tax rule, to 2 places, on that total (exclusive) or
/// inside it (inclusive). Cin7 computes both; a client's `Total` is "for
/// validation" (reference §5), so one that disagrees by more than a cent is a 400.
struct Cin7DocumentLine: Cin7Record, Sendable, Equatable {
    var ProductID: String
    var SKU: String
    var Name: String
    var Quantity: Decimal
    var Price: Decimal
    var Discount: Decimal
    var Tax: Decimal
    var AverageCost: Decimal
    var TaxRule: String
    var Account: String
    var Comment: String
    var DropShip: Bool = false
    var BackorderQuantity: Decimal = 0
    var SupplierSKU: String = ""
    var Total: Decimal
    var _isStock: Bool = false
    /// How much of the line an authorised order holds allocated (released when shipped or voided).
    var _allocated: Decimal = 0
    var productFields = Cin7ProductFields()
}

/// An additional charge (freight, service fees): no product, same arithmetic.
struct Cin7AdditionalCharge: Cin7Record, Sendable, Equatable {
    var Description: String
    var Price: Decimal
    var Quantity: Decimal
    var Discount: Decimal
    var Tax: Decimal
    var Total: Decimal
    var TaxRule: String
    var Account: String
    var Comment: String
    var Reference: String = ""
}

struct Cin7LineInput: Decodable {
    var ProductID: String?
    var SKU: LenientString?
    var Name: String?
    var Quantity: LenientDecimal?
    var Price: LenientDecimal?
    var Discount: LenientDecimal?
    var Tax: LenientDecimal?
    var TaxRule: String?
    var Account: LenientString?
    var Comment: String?
    var DropShip: LenientBool?
    var SupplierSKU: LenientString?
    var Total: LenientDecimal?
    // Additional charges
    var Description: String?
    var Reference: String?
    // Credit note restock, stock received, unstock and stock adjustment lines
    var Location: String?
    var LocationID: String?
    var Received: LenientBool?
    var Date: String?
    var BatchSN: String?
    var ExpiryDate: String?
    var UnitCost: LenientDecimal?
    var ReceivedDate: String?
    var Comments: String?
    // Assembly and disassembly component lines
    var ProductCode: String?
}

/// Document totals, from lines and charges.
struct Cin7DocumentTotals: Equatable {
    var beforeTax: Decimal = 0
    var tax: Decimal = 0
    var total: Decimal { beforeTax + tax }

    init(lines: [Cin7DocumentLine], charges: [Cin7AdditionalCharge], inclusive: Bool) {
        let amounts = lines.map { ($0.Total, $0.Tax) } + charges.map { ($0.Total, $0.Tax) }
        for (total, tax) in amounts {
            self.tax += tax
            beforeTax += inclusive ? total - tax : total
        }
    }
}

enum Cin7Arithmetic {
    /// A line's total and tax: total to 2 places after discount; tax at `percent` on it
    /// (exclusive) or the tax part of it (inclusive).
    static func line(quantity: Decimal, price: Decimal, discount: Decimal, percent: Decimal, inclusive: Bool) -> (total: Decimal, tax: Decimal) {
        let total = Cin7Number.rounded(quantity * price * (100 - discount) / 100, places: 2)
        let tax = inclusive ? Cin7Number.rounded(total - total * 100 / (100 + percent), places: 2)
                            : Cin7Number.rounded(total * percent / 100, places: 2)
        return (total, tax)
    }
}

/// What the lines of a document are checked and completed against.
struct Cin7LineContext {
    var label: String
    /// The document's default tax rule (sale's or purchase's), and which kind of rule lines may use.
    var taxRule: String
    var forSale: Bool
    var inclusive: Bool
    /// Default account for lines whose product names none.
    var defaultAccount: String
    var priceTier: String?
}

extension Cin7Company {
    /// Product lines as the document stores them, every problem recorded in `check`.
    func documentLines(_ inputs: [Cin7LineInput], _ context: Cin7LineContext, check: inout Cin7Validation) -> [Cin7DocumentLine] {
        var lines: [Cin7DocumentLine] = []
        for (index, input) in inputs.enumerated() {
            let label = "\(context.label)Lines[\(index)]"
            let product = input.ProductID.flatMap { products[$0] } ?? input.SKU.flatMap { sku in products.all.first { $0.SKU.cin7Equals(sku.value) } }
            guard let product else {
                check.fail("\(label): product \(input.ProductID ?? input.SKU?.value ?? "(no ProductID or SKU)") not found.")
                continue
            }
            guard let quantity = input.Quantity?.value else {
                check.fail("Required attribute \(label).Quantity is not provided.")
                continue
            }
            check.check(quantity > 0, "\(label).Quantity must be greater than 0.")
            let price = input.Price?.value ?? defaultPrice(product, tier: context.priceTier, forSale: context.forSale)
            check.check(price >= 0, "\(label).Price must not be negative.")
            let discount = input.Discount?.value ?? 0
            check.check(discount >= 0 && discount <= 100, "\(label).Discount must be between 0 and 100.")
            let ruleName = input.TaxRule ?? (context.forSale ? product.SaleTaxRule : product.PurchaseTaxRule) ?? context.taxRule
            let rule = taxRule(named: ruleName, forSale: context.forSale)
            check.check(rule != nil, "\(label).TaxRule '\(ruleName)' not found or is not an active tax rule for \(context.forSale ? "sales" : "purchases").")
            let account = input.Account?.value ?? (context.forSale ? product.RevenueAccount : (product.isStock ? product.InventoryAccount : product.ExpenseAccount)) ?? context.defaultAccount
            check.check(account.isEmpty || accounts[account] != nil, "\(label).Account '\(account)' not found.")
            let (total, tax) = Cin7Arithmetic.line(quantity: quantity, price: price, discount: discount, percent: rule?.TaxPercent ?? 0, inclusive: context.inclusive)
            if let sent = input.Total?.value {
                check.check(abs(sent - total) <= 0.01, "\(label).Total \(sent) does not match Quantity × Price less Discount (\(total)).")
            }
            lines.append(Cin7DocumentLine(ProductID: product.ID, SKU: product.SKU, Name: input.Name ?? product.Name, Quantity: quantity, Price: price,
                                          Discount: discount, Tax: tax, AverageCost: product.AverageCost, TaxRule: rule?.Name ?? ruleName,
                                          Account: account, Comment: input.Comment ?? "", DropShip: input.DropShip?.value ?? false,
                                          SupplierSKU: input.SupplierSKU?.value ?? "", Total: total, _isStock: product.isStock,
                                          productFields: Cin7ProductFields(product)))
        }
        return lines
    }

    func additionalCharges(_ inputs: [Cin7LineInput], _ context: Cin7LineContext, check: inout Cin7Validation) -> [Cin7AdditionalCharge] {
        inputs.enumerated().map { index, input in
            let label = "\(context.label)AdditionalCharges[\(index)]"
            let description = check.required(input.Description, "\(label).Description", maxLength: 256)
            let quantity = input.Quantity?.value ?? 1
            let price = input.Price?.value ?? 0
            let discount = input.Discount?.value ?? 0
            check.check(quantity > 0, "\(label).Quantity must be greater than 0.")
            check.check(discount >= 0 && discount <= 100, "\(label).Discount must be between 0 and 100.")
            let ruleName = input.TaxRule ?? context.taxRule
            let rule = taxRule(named: ruleName, forSale: context.forSale)
            check.check(rule != nil, "\(label).TaxRule '\(ruleName)' not found or is not an active tax rule for \(context.forSale ? "sales" : "purchases").")
            let account = input.Account?.value ?? context.defaultAccount
            check.check(account.isEmpty || accounts[account] != nil, "\(label).Account '\(account)' not found.")
            let (total, tax) = Cin7Arithmetic.line(quantity: quantity, price: price, discount: discount, percent: rule?.TaxPercent ?? 0, inclusive: context.inclusive)
            if let sent = input.Total?.value {
                check.check(abs(sent - total) <= 0.01, "\(label).Total \(sent) does not match Quantity × Price less Discount (\(total)).")
            }
            return Cin7AdditionalCharge(Description: description, Price: price, Quantity: quantity, Discount: discount, Tax: tax, Total: total,
                                        TaxRule: rule?.Name ?? ruleName, Account: account, Comment: input.Comment ?? "", Reference: input.Reference ?? "")
        }
    }

    /// The price a line gets when it names none: the sale's price tier, or for
    /// purchases the product's average cost.
    private func defaultPrice(_ product: Cin7Product, tier: String?, forSale: Bool) -> Decimal {
        guard forSale else { return product.AverageCost }
        let index = tier.flatMap { name in books.priceTiers.firstIndex { $0.cin7Equals(name) } } ?? 0
        return product.priceTierValues[index]
    }

    /// The next number of a series: `SO-00001`, `INV-00001`, `CR-00001`, `PO-00001`.
    func nextNumber(_ prefix: String) -> String {
        let next = (numbers[prefix] ?? 0) + 1
        numbers[prefix] = next
        return String(format: "%@-%05d", prefix, next)
    }
}
