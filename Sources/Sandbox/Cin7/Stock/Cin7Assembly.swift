import Foundation

/// A finished goods (assembly) task, `/finishedGoods` (apib:2032-2560). Status
/// runs DRAFT → AUTHORISED (components ordered: `OrderLines`) → IN PROGRESS
/// (components picked: off hand, their cost debited to `WIPAccount`) →
/// COMPLETED (the assembly on hand at the picked cost, moved from WIP to `Account`).
struct Cin7FinishedGoods: Cin7Stored {
    struct OrderLine: Cin7Record, Sendable, Equatable {
        var ProductID: String
        var ProductCode: String
        var Name: String
        var Quantity: Decimal
        var Unit: String
        var WastagePercent: Decimal
        var WastageQuantity: Decimal
        var TotalQuantity: Decimal
        var TotalCost: Decimal
        var ExpenseAccount: String?
    }

    struct PickLine: Cin7Record, Sendable, Equatable {
        var ProductID: String
        var ProductCode: String
        var Name: String
        var Quantity: Decimal
        var Unit: String
        var Cost: Decimal
        var Bin: String?
        var BinID: String?
        var BatchSN: String?
        var ExpiryDate: Cin7Day?
    }

    var TaskID: String
    var AssemblyNumber: String
    var Status = "DRAFT"
    var ProductID: String
    var ProductCode: String
    var ProductName: String
    var LocationID: String
    var Location: String
    var BinID: String?
    var Bin: String?
    var WIPAccount: String
    var WIPDate: Cin7Day?
    var Account: String
    var Quantity: Decimal
    var AssemblyInstructionURL: String
    var CompletionDate: Cin7Day?
    var BatchSN = ""
    var ExpiryDate: Cin7Day?
    var Notes = ""
    var OrderLines: [OrderLine] = []
    var PickLines: [PickLine] = []
    var Transactions: [Cin7StockPosting] = []
    var Errors: [Cin7Failure.ErrorModel] = []
    var _created: Cin7Timestamp

    var key: String { TaskID }
    var pickedCost: Decimal { PickLines.reduce(0) { $0 + $1.Cost } }

    /// The order of the statuses a task moves through.
    static let steps = ["DRAFT", "AUTHORISED", "IN PROGRESS", "COMPLETED"]
}

/// One row of `FinishedGoods` (apib:1952).
struct Cin7FinishedGoodsRow: Cin7Record, Sendable {
    var TaskID: String
    var AssemblyNumber: String
    var BatchSN: String
    var ExpiryDate: Cin7Day?
    var ProductID: String
    var ProductCode: String
    var ProductName: String
    var Quantity: Decimal
    var LocationID: String
    var Location: String
    var Date: Cin7Day
    var Status: String
    var UnitCost: Decimal
    var Notes: String

    init(_ task: Cin7FinishedGoods) {
        (TaskID, AssemblyNumber, BatchSN, ExpiryDate) = (task.TaskID, task.AssemblyNumber, task.BatchSN, task.ExpiryDate)
        (ProductID, ProductCode, ProductName, Quantity) = (task.ProductID, task.ProductCode, task.ProductName, task.Quantity)
        (LocationID, Location, Status, Notes) = (task.LocationID, task.Location, task.Status, task.Notes)
        Date = task.CompletionDate ?? task.WIPDate ?? Cin7Day(date: task._created.date)
        UnitCost = task.Quantity > 0 ? Cin7Number.rounded(task.pickedCost / task.Quantity, places: 4) : 0
    }
}

/// A disassembly task, `/disassembly` (apib:1587-1949): the inverse of an
/// assembly. WORK IN PROGRESS picks the assembled product (off hand, its cost
/// to `WIPAccount`); COMPLETED puts the components (`OrderLines`) on hand,
/// sharing that cost between them, and moves it out of WIP.
struct Cin7Disassembly: Cin7Stored {
    struct PickLine: Cin7Record, Sendable, Equatable {
        var Bin: String?
        var BinID: String?
        var Date: Cin7Day
        var BatchSN: String
        var ExpiryDate: Cin7Day?
        var Available: Decimal
        var UnitCost: Decimal
        var Quantity: Decimal
        var TotalCost: Decimal
    }

    struct OrderLine: Cin7Record, Sendable, Equatable {
        var ProductID: String
        var ProductCode: String
        var Name: String
        var BinID: String?
        var Bin: String?
        var Unit: String
        var BatchSN: String?
        var ExpiryDate: Cin7Day?
        var Account: String
        var Quantity: Decimal
        var Cost: Decimal
        /// Whether the client gave the cost (else it is shared out by the components' average costs).
        var _costGiven: Bool
    }

    var TaskID: String
    var DisassemblyNumber: String
    var Status = "DRAFT"
    var ProductID: String
    var ProductCode: String
    var ProductName: String
    var LocationID: String
    var Location: String
    var WIPAccount: String
    var Quantity: Decimal
    var AssemblyInstructionURL: String
    var CompletionDate: Cin7Day?
    var PickLines: [PickLine] = []
    var OrderLines: [OrderLine] = []
    var OrderServiceLines: [String] = []
    var Transactions: [Cin7StockPosting] = []
    var Errors: [Cin7Failure.ErrorModel] = []
    var _created: Cin7Timestamp

    var key: String { TaskID }
    var pickedCost: Decimal { PickLines.reduce(0) { $0 + $1.TotalCost } }

    static let steps = ["DRAFT", "WORK IN PROGRESS", "COMPLETED"]
}

/// One row of `Disassemblies` (apib:1536).
struct Cin7DisassemblyRow: Cin7Record, Sendable {
    var TaskID: String
    var DisassemblyNumber: String
    var ProductID: String
    var ProductCode: String
    var ProductName: String
    var Quantity: Decimal
    var LocationID: String
    var Location: String
    var Date: Cin7Day
    var Status: String

    init(_ task: Cin7Disassembly) {
        (TaskID, DisassemblyNumber, ProductID, ProductCode) = (task.TaskID, task.DisassemblyNumber, task.ProductID, task.ProductCode)
        (ProductName, Quantity, LocationID, Location, Status) = (task.ProductName, task.Quantity, task.LocationID, task.Location, task.Status)
        Date = task.CompletionDate ?? Cin7Day(date: task._created.date)
    }
}

/// The body of `/finishedGoods`, `/finishedGoods/order`, `/finishedGoods/pick`,
/// `/disassembly` and `/disassembly/order`.
struct Cin7AssemblyInput: Decodable {
    var ID: String?
    var TaskID: String?
    var Status: String?
    var ProductID: String?
    var ProductCode: String?
    var LocationID: String?
    var Location: String?
    var WIPAccount: LenientString?
    var WIPDate: String?
    var Account: LenientString?
    var Quantity: LenientDecimal?
    var CompletionDate: String?
    var BatchSN: String?
    var ExpiryDate: String?
    var Notes: String?
    var OrderLines: [Component]?

    struct Component: Decodable {
        var ProductID: String?
        var ProductCode: String?
        var Quantity: LenientDecimal?
        var WastagePercent: LenientDecimal?
        var WastageQuantity: LenientDecimal?
        var Cost: LenientDecimal?
    }
}
