@testable import Connectors
import Foundation
import HTTPServer
import Logging
import Sandbox
import XCTest

/// The Cin7 credential check against the Cin7 sandbox on a real socket.
final class Cin7ClientTests: XCTestCase {
    let account = "c1a70000-5a4d-4b0c-8000-000000000009", key = "app-key-9"

    func withSandbox(limit: Int = 60, _ body: (String) async throws -> Void) async throws {
        var configuration = Cin7Configuration(accounts: [.init(accountID: account, applicationKeys: [key], companyName: "Checked Co")])
        configuration.limits.callsPerWindow = limit
        let server = try await HTTPServer.start(configuration: .init(host: "127.0.0.1", port: 0),
                                                handler: SandboxHTTPHandler(api: SandboxFrontDoor(api: Cin7Sandbox(configuration: configuration), seed: 1)),
                                                logger: Logger(label: "test"))
        do {
            try await body("http://127.0.0.1:\(server.localPort)/ExternalApi/v2/")
        } catch {
            await server.shutdown(gracePeriod: .seconds(1))
            throw error
        }
        await server.shutdown(gracePeriod: .seconds(1))
    }

    func testGoodCredentialsNameTheCompanyAndBadOnesAre403() async throws {
        try await withSandbox { base in
            let client = Cin7Client(baseURL: base)
            XCTAssertEqual(client.baseURL.hasSuffix("/ExternalApi/v2"), false, "the API root is accepted and normalised")
            let company = try await client.verify(.init(accountID: account, applicationKey: key))
            XCTAssertEqual(company.Company, "Checked Co")
            do {
                _ = try await client.verify(.init(accountID: account, applicationKey: "wrong"))
                XCTFail("a wrong key was accepted")
            } catch {
                XCTAssertEqual(error as? Cin7Client.Failure, .invalidCredentials)
            }
        }
    }

    func testTheRateLimitSaysWhenToRetry() async throws {
        try await withSandbox(limit: 1) { base in
            let client = Cin7Client(baseURL: base)
            _ = try await client.verify(.init(accountID: account, applicationKey: key))
            do {
                _ = try await client.verify(.init(accountID: account, applicationKey: key))
                XCTFail("the second call within the window passed a limit of 1")
            } catch {
                guard let failure = error as? Cin7Client.Failure, case .rateLimited(let seconds) = failure else { return XCTFail("\(error)") }
                XCTAssertNotNil(seconds)
            }
        }
    }

    func testAnUnreachableServiceIsATransportFailure() async {
        do {
            _ = try await Cin7Client(baseURL: "http://127.0.0.1:9", timeout: .seconds(2)).verify(.init(accountID: account, applicationKey: key))
            XCTFail("nothing listens on port 9")
        } catch {
            guard case .transport = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(Cin7Client.seconds("60 Seconds"), 60)
        XCTAssertEqual(Cin7Client.seconds("60"), 60)
    }
}
