import Foundation

/// A payment, prepayment or refund as a document lists it inside a task
/// (`Invoices[].Payments`, `CreditNotes[].Refunds`, `Quote.Prepayments`;
/// apib "Sale Payment Line Model").
struct Cin7PaymentLine: Cin7Record, Sendable, Equatable {
    var ID: String
    var Reference: String
    var Amount: Decimal
    var DatePaid: Cin7Day
    var Account: String
    var CurrencyRate: Decimal
    var DateCreated: Cin7Timestamp
}

/// What a client sends to `/sale/payment` and `/advanced-purchase/payment`.
struct Cin7PaymentInput: Decodable {
    var ID: String?
    var SaleID: String?
    var PurchaseID: String?
    var TaskID: String?
    var `Type`: String?
    var Reference: String?
    var Amount: LenientDecimal?
    var DatePaid: String?
    var Account: LenientString?
    var CurrencyRate: LenientDecimal?
}

enum Cin7PaymentType: String {
    case prepayment = "PREPAYMENT", payment = "PAYMENT", refund = "REFUND"

    /// How GET spells it: `Payment`, `Refund`, `Prepayment` (the POST example sends `Payment` too).
    var display: String { rawValue.prefix(1) + rawValue.dropFirst().lowercased() }
}

extension Cin7Company {
    /// Checks the fields every payment has; returns the line, the type, and its task.
    func paymentLine(_ input: Cin7PaymentInput, existing: Cin7PaymentLine? = nil, check: inout Cin7Validation) -> Cin7PaymentLine {
        let amount = input.Amount?.value ?? existing?.Amount
        check.check(amount != nil, "Required attribute Amount is not provided.")
        check.check((amount ?? 1) > 0, "Amount must be greater than 0.")
        var datePaid = existing?.DatePaid
        if let text = input.DatePaid {
            if let date = Cin7DateFormat.parse(text) { datePaid = Cin7Day(date: date) } else { check.fail("DatePaid '\(text)' is not a valid date.") }
        }
        if datePaid == nil && input.DatePaid == nil { check.fail("Required attribute DatePaid is not provided.") }
        let code = input.Account?.value ?? existing?.Account ?? ""
        if code.isEmpty {
            check.fail("Required attribute Account is not provided.")
        } else {
            let account = accounts[code]
            check.check(account != nil && account!.Status == "ACTIVE" && (account!.Type == "BANK" || account!.ForPayments),
                        "Account '\(code)' should be an ACTIVE bank account or an account enabled for payments.")
        }
        let rate = input.CurrencyRate?.value ?? existing?.CurrencyRate ?? 1
        check.check(rate > 0, "CurrencyRate must be greater than 0.")
        return Cin7PaymentLine(ID: existing?.ID ?? newID(), Reference: input.Reference ?? existing?.Reference ?? "",
                               Amount: Cin7Number.rounded(amount ?? 0, places: 2), DatePaid: datePaid ?? Cin7Day(date: now()), Account: code,
                               CurrencyRate: rate, DateCreated: existing?.DateCreated ?? stamp())
    }

    func paymentType(_ value: String?, check: inout Cin7Validation) -> Cin7PaymentType? {
        guard let value, !value.isEmpty else {
            check.fail("Required attribute Type is not provided.")
            return nil
        }
        guard let type = Cin7PaymentType(rawValue: value.uppercased()) else {
            check.fail("Type '\(value)' is not valid. Use PREPAYMENT, PAYMENT or REFUND.")
            return nil
        }
        return type
    }
}
