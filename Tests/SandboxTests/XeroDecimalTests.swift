import Foundation
@testable import Sandbox
import Testing

/// Numbers and ids as Xero writes them: exact decimals with their scale,
/// lower-case GUIDs; and field names read as leniently as Xero reads them.
@Suite struct XeroDecimalTests {
    struct Sample: Codable {
        var Total: XeroMoney
        var Rate: XeroRate
        var UnitPrice: XeroUnitAmount
        var Note: String
    }

    @Test(arguments: [("12.3", 2, "12.30"), ("-2.345", 2, "-2.35"), ("15", 4, "15.0000"), ("0.00005", 4, "0.0001"),
                      ("123456789012.5", 2, "123456789012.50"), ("7", 0, "7")])
    func fixedPlaces(value: String, places: Int, expected: String) {
        #expect(XeroDecimal.fixed(Decimal(string: value)!, places: places) == expected)
    }

    @Test func encodedWithTheirScaleAndStringsLeftAlone() throws {
        let sample = Sample(Total: XeroMoney(Decimal(string: "25000")!), Rate: XeroRate(Decimal(string: "9.975")!),
                            UnitPrice: XeroUnitAmount(Decimal(string: "12.3456")!), Note: "1.50 \u{1} not a number")
        let two = String(decoding: XeroJSON.encode(sample), as: UTF8.self)
        #expect(two.contains(#""Total":25000.00"#) && two.contains(#""Rate":9.9750"#) && two.contains(#""UnitPrice":12.35"#))
        #expect(two.contains(#""Note":"1.50 \u0001 not a number""#))
        let four = String(decoding: XeroJSON.encode(sample, unitPlaces: 4), as: UTF8.self)
        #expect(four.contains(#""UnitPrice":12.3456"#) && four.contains(#""Total":25000.00"#), "unitdp changes unit amounts only")
        #expect(try JSONSerialization.jsonObject(with: Data(two.utf8)) is [String: Any], "still JSON")
    }

    @Test func decodingIsExactAndRoundsToTheScale() throws {
        let body = Array(#"{"Total": 0.30000000000000004, "Rate": "2.25", "UnitPrice": 12.34567, "Note": ""}"#.utf8)
        let two = try XeroJSON.decode(Sample.self, from: body)
        #expect(two.Total.value == Decimal(string: "0.3")! && two.Rate.value == Decimal(string: "2.25")!)
        #expect(two.UnitPrice.value == Decimal(string: "12.35")!, "written without unitdp=4: two places")
        let four = try XeroJSON.decode(Sample.self, from: body, unitPlaces: 4)
        #expect(four.UnitPrice.value == Decimal(string: "12.3457")!)
        #expect(throws: DecodingError.self) { try XeroJSON.decode(Sample.self, from: Array(#"{"Total": "lots", "Rate": 1, "UnitPrice": 1, "Note": ""}"#.utf8)) }
    }

    @Test func guidsAreWrittenInLowerCaseAndReadInEither() throws {
        struct Row: Codable { @LowercaseID var ID: UUID }
        let id = UUID()
        #expect(String(decoding: XeroJSON.encode(Row(ID: id)), as: UTF8.self) == #"{"ID":"\#(id.uuidString.lowercased())"}"#)
        #expect(try XeroJSON.decode(Row.self, from: Array(#"{"ID":"\#(id.uuidString)"}"#.utf8)).ID == id)
    }

    @Test func aLowerCaseFirstLetterStillNamesTheField() throws {
        let input = try XeroJSON.decode(XeroItemInput.self, from: Array(#"{"code": "A1", "purchaseDetails": {"cOGSAccountCode": "310"}}"#.utf8))
        #expect(input.Code == "A1" && input.PurchaseDetails?.COGSAccountCode == "310")
    }
}
