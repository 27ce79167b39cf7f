@testable import Connectors
import XCTest

/// `--xero-scopes` / BeginXeroConnection's `scopes`: the two families by name,
/// or an explicit list that cannot forget refresh tokens.
final class XeroScopeSetTests: XCTestCase {
    func testTheFamiliesByName() throws {
        XCTAssertEqual(try XeroScopeSet.parse("granular"), .granular)
        XCTAssertEqual(try XeroScopeSet.parse(" BROAD "), .broad)
        XCTAssertEqual(XeroScopeSet.default, .granular, "a new install's new Xero app may only ask for granular scopes")
        XCTAssertEqual(XeroScopeSet.granular.description, "openid profile email offline_access accounting.settings accounting.contacts "
                       + "accounting.invoices accounting.payments accounting.banktransactions accounting.manualjournals")
        XCTAssertTrue(XeroScopeSet.broad.scopes.contains("accounting.transactions"))
        XCTAssertFalse(XeroScopeSet.granular.scopes.contains("accounting.transactions"))
    }

    func testAnExplicitListKeepsItsOrderAndDropsRepeats() throws {
        let set = try XeroScopeSet.parse("offline_access accounting.contacts  accounting.contacts,accounting.settings.read")
        XCTAssertEqual(set.scopes, ["offline_access", "accounting.contacts", "accounting.settings.read"])
    }

    func testBadListsAreRefusedWithTheReason() {
        for (text, expected) in [("", XeroScopeSet.ParseError.empty), ("   ", .empty),
                                 ("accounting.contacts accounting.settings", .missingOfflineAccess),
                                 ("offline_access accounting/contacts", .malformed("accounting/contacts"))] {
            do {
                _ = try XeroScopeSet.parse(text)
                XCTFail("\"\(text)\" was accepted")
            } catch {
                XCTAssertEqual(error, expected, text)
            }
        }
        XCTAssertTrue(XeroScopeSet.ParseError.missingOfflineAccess.description.contains("offline_access"))
    }
}
