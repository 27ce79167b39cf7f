import Foundation
import Postgres
import TestSupport
import XCTest

final class ListenerTests: XCTestCase {
    func testNotificationsArriveAndSurviveAReconnect() async throws {
        let url = try TestDatabase.appURL()
        let applicationName = "lb-listener-\(UUID().uuidString.prefix(8))"
        let channel = "test_channel_\(UUID().uuidString.prefix(8).lowercased())"
        let events = try PostgresListener.events(
            configuration: PostgresConfiguration(url: url, applicationName: applicationName),
            channels: [channel], reconnectDelay: 0.05)
        var iterator = events.makeAsyncIterator()
        let sender = try await TestDatabase.connect(url)
        defer { sender.close() }

        let first = await iterator.next()
        XCTAssertEqual(first, .subscribed)
        try await sender.query("SELECT pg_notify(\(channel), \("héllo"))")
        guard case .notification(let notification)? = await iterator.next() else { return XCTFail("no notification") }
        XCTAssertEqual(notification.channel, channel)
        XCTAssertEqual(notification.payload, "héllo")
        XCTAssertEqual(notification.senderPID, sender.backendPID)

        // Kill the listener's session: it must come back and LISTEN again by itself.
        try await sender.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = \(applicationName)")
        let again = await iterator.next()
        XCTAssertEqual(again, .subscribed)
        try await sender.query("SELECT pg_notify(\(channel), \("after reconnect"))")
        guard case .notification(let later)? = await iterator.next() else { return XCTFail("no notification after reconnect") }
        XCTAssertEqual(later.payload, "after reconnect")
    }

    func testRejectsChannelNamesThatCouldInjectSQL() {
        XCTAssertThrowsError(try PostgresListener.events(configuration: PostgresConfiguration(url: "postgresql://x@127.0.0.1:1/x"), channels: ["a\"; DROP TABLE tenants; --"]))
    }
}
