import XCTest

final class TLSPlaceholderTests: XCTestCase {
    func testNothingYet() {}
}
