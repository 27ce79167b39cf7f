import Foundation
@testable import Sandbox
import Testing

@Suite struct BusinessGeneratorTests {
    @Test func theSameSeedAndScaleGiveTheSameBusiness() {
        let a = BusinessGenerator.make(seed: 42, scale: 500)
        let b = BusinessGenerator.make(seed: 42, scale: 500)
        #expect(a.parties == b.parties)
        #expect(a.products == b.products)
        #expect(BusinessGenerator.make(seed: 43, scale: 500).parties != a.parties)
    }

    @Test func recordsAreRealisticAndKeysUnique() {
        let business = BusinessGenerator.make(seed: 7, scale: 2000)
        #expect(business.parties.count == 2000 && business.products.count == 2000)
        #expect(Set(business.parties.map { $0.name.lowercased() }).count == 2000, "Xero needs unique active contact names")
        #expect(Set(business.parties.map(\.code)).count == 2000)
        #expect(Set(business.products.map(\.sku)).count == 2000)
        #expect(business.suppliers.count == 400 && business.customers.count == 1600)
        #expect(Set(business.parties.map(\.currency)).count > 1, "some trade abroad")
        #expect(business.products.allSatisfy { $0.salePrice > $0.cost && $0.cost > 0 })
        #expect(business.products.contains { $0.isAssembly })
    }

    @Test func zeroScaleIsAnEmptyBusiness() {
        let business = BusinessGenerator.make(seed: 1, scale: 0)
        #expect(business.parties.isEmpty && business.products.isEmpty)
    }
}

@Suite struct RateLimiterTests {
    @Test func aWindowRefusesPastItsLimitAndSaysWhenToRetry() {
        let limiter = RateLimiter(windows: [.init(name: "minute", limit: 3, length: .seconds(60))], maxConcurrent: nil)
        let start = ContinuousClock.now
        for expected in [2, 1, 0] {
            #expect(limiter.admit("org", now: start) == .admitted(remaining: ["minute": expected]))
        }
        guard case .refused(let window, let retry) = limiter.admit("org", now: start + .seconds(10)) else {
            Issue.record("the fourth call in the minute was admitted")
            return
        }
        #expect(window == "minute" && retry == .seconds(50))
        #expect(limiter.admit("other-org", now: start) == .admitted(remaining: ["minute": 2]), "keys are separate")
        #expect(limiter.admit("org", now: start + .seconds(60)) == .admitted(remaining: ["minute": 2]), "the window slid")
    }

    @Test func theConcurrencyCapCountsCallsInFlight() {
        let limiter = RateLimiter(windows: [], maxConcurrent: 2)
        #expect(limiter.admit("org") == .admitted(remaining: [:]))
        #expect(limiter.admit("org") == .admitted(remaining: [:]))
        #expect(limiter.admit("org") == .tooManyConcurrent)
        limiter.finish("org")
        #expect(limiter.admit("org") == .admitted(remaining: [:]))
    }

    @Test func theTighterOfTwoWindowsDecides() {
        let limiter = RateLimiter(windows: [.init(name: "minute", limit: 100, length: .seconds(60)),
                                            .init(name: "day", limit: 2, length: .seconds(86_400))], maxConcurrent: nil)
        let start = ContinuousClock.now
        _ = limiter.admit("org", now: start)
        _ = limiter.admit("org", now: start + .seconds(120))
        guard case .refused(let window, _) = limiter.admit("org", now: start + .seconds(240)) else {
            Issue.record("the day limit did not apply")
            return
        }
        #expect(window == "day")
    }
}
