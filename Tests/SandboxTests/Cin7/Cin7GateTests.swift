import Foundation
@testable import Sandbox
import Testing

/// What every Cin7 call passes before it reaches a company: the path, the two
/// auth headers, the rate limit; and the Error Model they answer with.
@Suite struct Cin7GateTests {
    @Test func credentialsAreBothHeadersOfAConfiguredPair() async throws {
        let harness = Cin7Harness()
        #expect(await harness.call("GET", "me").status == 200)
        #expect(await harness.call("GET", "me", account: Cin7Harness.account.uppercased()).status == 200, "an Account ID is a GUID")
        for (account, key) in [(nil, Cin7Harness.key), (Cin7Harness.account, nil), (nil, nil), (Cin7Harness.account, "wrong"),
                               (UUID().uuidString, Cin7Harness.key), (Cin7Harness.account, Cin7Harness.key.uppercased()), ("", "")] as [(String?, String?)] {
            let response = await harness.call("GET", "me", account: account, key: key)
            #expect(response.status == 403, "\(String(describing: account)) / \(String(describing: key))")
            #expect(try Cin7Harness.errorMessages(response, status: 403).first?.contains("authentication failed") == true)
        }
    }

    @Test func basePathAndEndpointsMatchWithoutRegardToCase() async throws {
        let harness = Cin7Harness()
        for path in ["/externalapi/v2/me", "/EXTERNALAPI/V2/ME", "/ExternalApi/v2/Me/"] {
            let response = await harness.sandbox.respond(to: SandboxRequest(method: "GET", target: path, headers: [
                ("api-auth-accountid", Cin7Harness.account), ("api-auth-applicationkey", Cin7Harness.key)], body: []))
            #expect(response.status == 200, "\(path)")
        }
        #expect(await harness.call("GET", "REF/ACCOUNT?page=1&limit=2").status == 200)
    }

    @Test func unknownEndpointsAre404BeforeAuthenticationAndWrongMethods405() async throws {
        let harness = Cin7Harness()
        #expect(try await harness.failure("GET", "Products", status: 404).first?.contains("Products") == true)
        #expect(await harness.call("GET", "Products", account: nil, key: nil).status == 404)
        let outside = await harness.sandbox.respond(to: SandboxRequest(method: "GET", target: "/ExternalApi/v1/me", headers: [], body: []))
        #expect(outside.status == 404)
        let wrong = await harness.call("DELETE", "customer")
        #expect(wrong.status == 405)
        #expect(wrong.header("allow")?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.sorted() == ["GET", "POST", "PUT"])
        _ = try Cin7Harness.errorMessages(wrong, status: 405)
        #expect(await harness.call("POST", "me").status == 405)
        #expect(await harness.call("PUT", "ref/productavailability").status == 405)
    }

    @Test func theQuirkSwitchesChangeTheAnswers() async throws {
        let harness = Cin7Harness { $0.errorShape = .object; $0.unknownEndpoint = .htmlPage }
        let unknown = await harness.call("GET", "Products")
        #expect(unknown.status == 200)
        #expect(unknown.header("content-type")?.hasPrefix("text/html") == true)
        let refused = await harness.call("POST", "customer", body: ["Name": ""])
        #expect(refused.status == 400)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(refused.body)) as? [String: Any])
        #expect(object["ErrorCode"] as? Int == 400)
        #expect((object["Exception"] as? String)?.contains("Currency") == true, "one object joins every message")
    }

    @Test func unparseableBodiesAre500() async throws {
        let harness = Cin7Harness()
        for body in ["{nope", "", "[]", "\"text\"", #"{"Name": 12, "Discount": "lots"}"#] {
            _ = try await harness.failure("POST", "customer", rawBody: Array(body.utf8), status: 500)
        }
        _ = try await harness.failure("PUT", "product", rawBody: Array(#"{"ID": "x", "PriceTier1": "ten"}"#.utf8), status: 500)
    }

    @Test func theBudgetIsPerAccountAcrossItsApplicationsAndRolls() async throws {
        let other = UUID().uuidString
        let harness = Cin7Harness {
            $0.accounts[0].applicationKeys.append("second")
            $0.accounts.append(.init(accountID: other, applicationKeys: ["k"], companyName: "Other"))
            $0.limits = Cin7Limits()
            $0.limits.callsPerWindow = 3
            $0.limits.window = .milliseconds(400)
        }
        #expect(await harness.call("GET", "me").status == 200)
        #expect(await harness.call("GET", "me", key: "second").status == 200)
        #expect(await harness.call("GET", "customer").status == 200)
        let refused = await harness.call("GET", "me", key: "second")
        #expect(refused.status == 429)
        #expect(try Cin7Harness.errorMessages(refused, status: 429) == ["You reached 3 calls per 400 milliseconds API limit"])
        #expect(refused.header("retry-after") == "1", "the wait, rounded up to whole seconds")
        #expect(await harness.call("GET", "me", account: other, key: "k").status == 200, "another account, another budget")
        #expect(await harness.call("GET", "me", key: "bad").status == 403, "credentials before the limit")
        try await Task.sleep(for: .milliseconds(450))
        #expect(await harness.call("GET", "me").status == 200, "the window rolled on")
    }

    @Test func the503VariantWithAUnitInRetryAfterPerApplication() async throws {
        let harness = Cin7Harness {
            $0.accounts[0].applicationKeys.append("second")
            $0.limits = Cin7Limits()
            $0.limits.callsPerWindow = 1
            $0.limits.keying = .application
            $0.limits.status = .serviceUnavailable
            $0.limits.retryAfter = .secondsWithUnit
        }
        #expect(await harness.call("GET", "me").status == 200)
        let refused = await harness.call("GET", "me")
        #expect(refused.status == 503)
        #expect(try Cin7Harness.errorMessages(refused, status: 503) == ["You reached 1 calls per minute API limit"])
        let retry = try #require(refused.header("retry-after"))
        #expect(retry.hasSuffix(" Seconds"))
        #expect((59...60).contains(Int(retry.split(separator: " ")[0]) ?? 0))
        #expect(await harness.call("GET", "me", key: "second").status == 200, "each application its own budget")
    }

    @Test func accountsAreSeparateCompanies() async throws {
        let other = UUID().uuidString
        let harness = Cin7Harness { $0.accounts.append(.init(accountID: other, applicationKeys: ["k"], companyName: "Other Co")) }
        _ = try await harness.ok("POST", "customer", body: Cin7Harness.customer("Only In First"))
        let first = try await harness.ok("GET", "customer?Name=Only")
        #expect(first["Total"] as? Int == 1)
        let response = await harness.call("GET", "customer?Name=Only", account: other, key: "k")
        let second = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        #expect(second["Total"] as? Int == 0)
        let me = await harness.call("GET", "me", account: other, key: "k")
        #expect(String(decoding: me.body, as: UTF8.self).contains("\"Company\":\"Other Co\""))
    }
}
