import Foundation

/// How documents move stock: the rows `/ref/productavailability` reports.
/// Only stock products have rows; service lines move nothing.
extension Cin7Company {
    /// Where a product's stock rows are (at one location, when given). Every
    /// stock question starts here; it reads rows in place rather than copying
    /// them, as a loaded business asks thousands of these questions.
    func stockRows(_ productID: String, at location: String? = nil) -> [Int] {
        if stockIndex == nil {
            var index: [String: [Int]] = [:]
            for (position, row) in stock.enumerated() { index[row.productID, default: []].append(position) }
            (stockIndex, stockIndexedCount) = (index, stock.count)
        }
        let rows = stockIndex?[productID.lowercased()] ?? []
        guard let location else { return rows }
        return rows.filter { stock[$0].location.cin7Equals(location) }
    }

    /// On hand minus allocated, at one location.
    func available(_ productID: String, at location: String) -> Decimal {
        stockRows(productID, at: location).reduce(Decimal(0)) { $0 + stock[$1].onHand - stock[$1].allocated }
    }

    /// Changes one product's stock at a location (its first row there; one is
    /// made when there is none). Returns the unit cost of what left, for COGS.
    @discardableResult
    func moveStock(_ productID: String, at location: String, onHand: Decimal = 0, allocated: Decimal = 0, onOrder: Decimal = 0,
                   unitCost: Decimal? = nil) -> Decimal {
        let id = productID.lowercased()
        var index = stockRows(id, at: location).first
        if index == nil {
            stock.append(Cin7StockLevel(productID: id, location: location, onHand: 0, unitCost: products[id]?.AverageCost ?? 0))
            index = stock.count - 1
        }
        var row = stock[index!]
        let cost = row.unitCost
        // Stock coming in at a known cost re-weights the row's unit cost.
        if onHand > 0, let unitCost {
            let quantity = max(row.onHand, 0) + onHand
            row.unitCost = quantity > 0 ? Cin7Number.rounded((max(row.onHand, 0) * row.unitCost + onHand * unitCost) / quantity, places: 4) : unitCost
        }
        row.onHand += onHand
        row.allocated = max(row.allocated + allocated, 0)
        row.onOrder = max(row.onOrder + onOrder, 0)
        stock[index!] = row
        stockChanged.insert(id)
        refreshAverageCost(id)
        return cost
    }

    /// The location a document names, in the book's spelling.
    func documentLocation(_ name: String?, check: inout Cin7Validation, required: Bool = true) -> String {
        guard let name, !name.isEmpty else {
            if required { check.fail("Required attribute Location is not provided.") }
            return books.defaultLocation.name
        }
        guard let found = books.location(named: name) else {
            check.fail("Location '\(name)' not found.")
            return name
        }
        return found.name
    }
}

/// A movement of stock recorded on a document (apib "Inventory Movement Line Model").
struct Cin7InventoryMovement: Cin7Record, Sendable, Equatable {
    var TaskID: String
    var ProductID: String
    var Date: Cin7Day
    var COGS: Decimal
    var productFields: Cin7ProductFields

    init(TaskID: String, product: Cin7Product, Date: Cin7Day, COGS: Decimal) {
        (self.TaskID, ProductID, self.Date, self.COGS) = (TaskID, product.ID, Date, COGS)
        productFields = Cin7ProductFields(product)
    }
}
