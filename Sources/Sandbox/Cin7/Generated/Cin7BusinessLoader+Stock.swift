import Foundation

/// Stock that moved outside documents: opening balances and write-offs as
/// completed stock adjustments (`POST /stockadjustment`), assembly builds as
/// completed finished-goods tasks (`POST /finishedGoods`), so each shows in
/// the company's lists and in `/transactions` as Cin7 would post it.
extension Cin7BusinessLoader {
    /// One adjustment per opening date, against Historical Adjustment: opening
    /// stock is a balance brought in, not a gain.
    mutating func loadOpeningStock(into company: isolated Cin7Company) {
        let opening = business.stockMovements.filter { $0.kind == .opening && $0.quantity > 0 }
        for date in Set(opening.map(\.date)).sorted() {
            let lines = opening.filter { $0.date == date }.compactMap { movement -> [String: Any]? in
                productIDs[movement.productID].map {
                    ["ProductID": $0, "Location": location, "Quantity": Self.number(movement.quantity), "UnitCost": Self.number(movement.unitCost)]
                }
            }
            guard !lines.isEmpty else { continue }
            company.pinnedNow = date
            let body: [String: Any] = ["Status": "COMPLETED", "EffectiveDate": Self.day(date), "Account": Self.openingBalances,
                                       "Reference": "Opening stock", "Lines": lines]
            _ = call("opening stock of \(Self.day(date))", body, { request throws(Cin7Failure) in try company.writeStockAdjustment(request, updating: false) })
        }
    }

    /// A build is the assembly's positive movement; its components' negative
    /// movements are what the company's bill of materials consumes.
    mutating func loadAssemblies(into company: isolated Cin7Company) {
        for build in business.stockMovements where build.kind == .assembly && build.quantity > 0 {
            guard let id = productIDs[build.productID] else { continue }
            company.pinnedNow = build.date
            let body: [String: Any] = ["ProductID": id, "Status": "COMPLETED", "Location": location, "Quantity": Self.number(build.quantity),
                                       "WIPAccount": Self.workInProgress, "WIPDate": Self.day(build.date), "Account": Self.inventory,
                                       "CompletionDate": Self.day(build.date), "Notes": "Generated build"]
            let sku = productsByID[build.productID]?.sku ?? ""
            _ = call("assembly of \(sku)", body, company.createFinishedGoods)
        }
    }

    /// Write-offs as stocktake adjustments: a line's quantity is the new on-hand.
    mutating func loadWriteOffs(into company: isolated Cin7Company) {
        let writeOffs = business.stockMovements.filter { $0.kind == .adjustment && $0.quantity != 0 }
        for date in Set(writeOffs.map(\.date)).sorted() {
            var lines: [[String: Any]] = []
            for movement in writeOffs where movement.date == date {
                guard let id = productIDs[movement.productID] else { continue }
                let counted = max(company.onHand(id, at: location) + movement.quantity, 0)
                lines.append(["ProductID": id, "Location": location, "Quantity": Self.number(counted), "Comments": "Stocktake write-off"])
            }
            guard !lines.isEmpty else { continue }
            company.pinnedNow = date
            let body: [String: Any] = ["Status": "COMPLETED", "EffectiveDate": Self.day(date), "Account": Self.writeOffs,
                                       "Reference": "Stocktake", "Lines": lines]
            _ = call("write-offs of \(Self.day(date))", body, { request throws(Cin7Failure) in try company.writeStockAdjustment(request, updating: false) })
        }
    }
}
