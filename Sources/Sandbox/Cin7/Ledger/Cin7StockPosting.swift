import Foundation

/// A posting a stock task made (apib "Transaction Stock Line Model"): what
/// `Transactions[]` of a stock adjustment, assembly or disassembly lists. Cin7
/// writes the accounts there by display name (`"715: Inventory"`, apib:25065);
/// `/transactions` reads the codes kept beside them.
struct Cin7StockPosting: Cin7Record, Sendable, Equatable {
    var ID: String
    var Debit: String
    var Credit: String
    var Amount: Decimal
    var EffectiveDate: Cin7Day
    var _debitCode: String
    var _creditCode: String
    var _description: String
}

extension Cin7Company {
    /// A posting between two account codes, named as Cin7 names them.
    func posting(debit: String, credit: String, amount: Decimal, on date: Cin7Day, _ description: String) -> Cin7StockPosting {
        Cin7StockPosting(ID: newID(), Debit: accounts[debit]?.DisplayName ?? debit, Credit: accounts[credit]?.DisplayName ?? credit,
                         Amount: Cin7Number.rounded(amount, places: 2), EffectiveDate: date, _debitCode: debit, _creditCode: credit,
                         _description: description)
    }

    /// The inventory account a product's stock is valued in.
    func inventoryAccount(_ productID: String) -> String {
        products[productID]?.InventoryAccount ?? "630"
    }

    /// On hand at one location, all bins and batches.
    func onHand(_ productID: String, at location: String) -> Decimal {
        stockRows(productID, at: location).reduce(Decimal(0)) { $0 + stock[$1].onHand }
    }

    /// The unit cost stock of a product carries at a location (its product's average when it has none there).
    func unitCost(_ productID: String, at location: String) -> Decimal {
        let rows = stockRows(productID, at: location).map { stock[$0] }
        return Self.averageCost(of: rows) ?? rows.first?.unitCost ?? products[productID]?.AverageCost ?? 0
    }

    /// A location named by `LocationID` or `Location`, in the book's spelling; one of them is required.
    func taskLocation(id: String?, name: String?, label: String = "", check: inout Cin7Validation) -> Cin7ReferenceBooks.Location? {
        if let id, !id.isEmpty {
            guard let found = books.location(id: id) else {
                check.fail("\(label)LocationID '\(id)' not found.")
                return nil
            }
            return found
        }
        guard let name, !name.isEmpty else {
            check.fail("Required attribute \(label)Location or \(label)LocationID is not provided.")
            return nil
        }
        guard let found = books.location(named: name) else {
            check.fail("\(label)Location '\(name)' not found.")
            return nil
        }
        return found
    }
}
