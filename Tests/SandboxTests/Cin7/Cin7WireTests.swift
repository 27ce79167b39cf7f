import Foundation
@testable import Sandbox
import Testing

/// Cin7's dates, numbers and JSON as the sandbox writes and reads them.
@Suite struct Cin7WireTests {
    @Test func timestampsDropTrailingZerosLikeDotNet() {
        let base = 1_517_292_463.0 // 2018-01-30T06:07:43Z
        #expect(Cin7DateFormat.timestamp(Date(timeIntervalSince1970: base)) == "2018-01-30T06:07:43Z")
        #expect(Cin7DateFormat.timestamp(Date(timeIntervalSince1970: base + 0.46)) == "2018-01-30T06:07:43.46Z")
        #expect(Cin7DateFormat.timestamp(Date(timeIntervalSince1970: base + 0.917)) == "2018-01-30T06:07:43.917Z")
        #expect(Cin7DateFormat.timestamp(Cin7Timestamp(Date(timeIntervalSince1970: base + 0.0019)).date) == "2018-01-30T06:07:43.001Z")
        #expect(Cin7DateFormat.day(Date(timeIntervalSince1970: base)) == "2018-01-30T00:00:00")
    }

    @Test(arguments: ["2018-01-30T06:07:43.46Z", "2018-01-30T06:07:43.460", "2018-01-30T06:07:43.4600000Z", "2018-01-30T17:07:43.46+11:00"])
    func requestDatesParseAsUTC(_ text: String) throws {
        let date = try #require(Cin7DateFormat.parse(text))
        #expect(Cin7Timestamp(Date(timeIntervalSince1970: 1_517_292_463.46)).isAtOrAfter(date))
        #expect(!Cin7Timestamp(Date(timeIntervalSince1970: 1_517_292_463.459)).isAtOrAfter(date))
    }

    @Test(arguments: ["", "30/01/2018", "2018-02-30x", "yesterday", "2018-01-30T25:00:00"])
    func badDatesDoNotParse(_ text: String) {
        #expect(Cin7DateFormat.parse(text) == nil)
    }

    @Test func recordsEncodeNilAsNullAndSkipBookkeeping() throws {
        let account = Cin7Account(Code: "1", Status: "ACTIVE", Name: "N", Type: "BANK", Description: "", Class: "ASSET", SystemAccount: nil,
                                  BankAccountNumber: nil, BankAccountId: nil, ForPayments: true, DisplayName: "1: N", OldCode: nil, _bank: "Secret Bank")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(Cin7JSON.encode(account))) as? [String: Any])
        #expect(object.count == 12)
        #expect(object["SystemAccount"] is NSNull && object["OldCode"] is NSNull)
        #expect(object["_bank"] == nil && object["Bank"] == nil)
    }

    @Test func lenientValuesAcceptWhatDotNetConverts() throws {
        struct Probe: Decodable {
            var d: LenientDecimal
            var s: LenientString
            var b: LenientBool
        }
        for json in [#"{"d": "10.0000000000", "s": 123, "b": "TRUE"}"#, #"{"d": 10, "s": "123", "b": true}"#, #"{"d": 10.0, "s": "123", "b": 1}"#] {
            let probe = try Cin7JSON.decode(Probe.self, from: Array(json.utf8)).get()
            #expect(probe.d.value == 10 && probe.s.value == "123" && probe.b.value)
        }
        #expect(throws: Cin7Failure.self) { try Cin7JSON.decode(Probe.self, from: Array(#"{"d": "ten", "s": "", "b": true}"#.utf8)).get() }
        #expect(throws: Cin7Failure.self) { try Cin7JSON.decode(Probe.self, from: Array(#"{"d": 1, "s": "", "b": "maybe"}"#.utf8)).get() }
        let decimal = try Cin7JSON.decode(Probe.self, from: Array(#"{"d": 0.1, "s": "", "b": false}"#.utf8)).get()
        #expect(decimal.d.value == Decimal(string: "0.1"), "no binary floating point on the way")
    }

    @Test func fixedDecimalsAndRounding() {
        #expect(Cin7Number.fixed(10, places: 10) == "10.0000000000")
        #expect(Cin7Number.fixed(Decimal(string: "2.5")!, places: 10) == "2.5000000000")
        #expect(Cin7Number.fixed(Decimal(string: "0.12345678901")!, places: 10) == "0.1234567890")
        #expect(Cin7Number.rounded(Decimal(string: "12.34565")!, places: 4) == Decimal(string: "12.3457"))
    }

    @Test func theListWrapperAndAppendedMembers() {
        let list = Cin7JSON.list("Things", [Array(#"{"a":1}"#.utf8), Array(#"{"a":2}"#.utf8)], total: 7, page: 3)
        #expect(String(decoding: list, as: UTF8.self) == #"{"Total":7,"Page":3,"Things":[{"a":1},{"a":2}]}"#)
        #expect(String(decoding: Cin7JSON.list("Things", [], total: 0, page: 1), as: UTF8.self) == #"{"Total":0,"Page":1,"Things":[]}"#)
        let appended = Cin7JSON.appending(Array(#"{"a":1}"#.utf8), [("b", Array("[]".utf8)), ("c", Array("2".utf8))])
        #expect(String(decoding: appended, as: UTF8.self) == #"{"a":1,"b":[],"c":2}"#)
        #expect(String(decoding: Cin7JSON.appending(Array("{}".utf8), [("b", Array("1".utf8))]), as: UTF8.self) == #"{"b":1}"#)
    }

    @Test func theSameSeedGivesTheSameCompany() async throws {
        let one = Cin7Harness(), two = Cin7Harness()
        for endpoint in ["me", "ref/account?Limit=1000", "ref/tax", "customer", "supplier", "product", "ref/productavailability"] {
            let a = await one.call("GET", endpoint), b = await two.call("GET", endpoint)
            #expect(a.body == b.body, "\(endpoint)")
        }
        let other = Cin7Harness { $0.seed = 2 }
        #expect(await other.call("GET", "customer").body != (await one.call("GET", "customer")).body)
    }
}
