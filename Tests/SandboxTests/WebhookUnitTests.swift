import Foundation
@testable import Sandbox
import Testing

/// The pure parts of webhook delivery: retry schedules, the change journal,
/// and the events the books raise for it.
@Suite struct WebhookUnitTests {
    @Test func xeroScheduleRepeatsItsLastDelayUntilADayHasPassed() {
        let schedule = WebhookRetrySchedule.xero
        #expect(schedule.delay(after: 1, elapsed: .zero) == .seconds(1))
        #expect(schedule.delay(after: 4, elapsed: .seconds(3600)) == .seconds(900))
        #expect(schedule.delay(after: 40, elapsed: .seconds(7200)) == .seconds(900))
        #expect(schedule.delay(after: 90, elapsed: .seconds(86_000)) == nil)
    }

    @Test func cin7ScheduleGivesUpAfterSixAttempts() {
        let schedule = WebhookRetrySchedule.cin7
        #expect(schedule.delay(after: 1, elapsed: .zero) == .seconds(300))
        #expect(schedule.delay(after: 5, elapsed: .zero) == .seconds(1500))
        #expect(schedule.delay(after: 6, elapsed: .zero) == nil)
    }

    @Test func delaysParseSecondsAndRefuseNonsense() {
        #expect(WebhookRetrySchedule.delays(parsing: "0.5, 2") == [.milliseconds(500), .seconds(2)])
        #expect(WebhookRetrySchedule.delays(parsing: "") == nil)
        #expect(WebhookRetrySchedule.delays(parsing: "1,-2") == nil)
        #expect(WebhookRetrySchedule.delays(parsing: "soon") == nil)
    }

    @Test func eventDatesHaveMillisecondsAndNoZone() {
        let date = Date(timeIntervalSince1970: 1_718_932_539.902)
        #expect(XeroWebhookEvent.eventDate(date) == "2024-06-21T01:15:39.902")
    }

    @Test func writesRaiseOneEventPerRecordAndTheSeedNone() async throws {
        let harness = XeroBooksHarness()
        #expect(await harness.books.takeWebhookEvents().isEmpty)
        let created = try XeroBooksHarness.record(await harness.books.saveContacts(
            XeroBooksHarness.request("PUT", "/api.xro/2.0/Contacts", ["Contacts": [["Name": "Evented Ltd"]]]), createOnly: true), "Contacts")
        let id = try #require(created["ContactID"] as? String)
        _ = await harness.books.saveContacts(
            XeroBooksHarness.request("POST", "/api.xro/2.0/Contacts", ["Contacts": [["ContactID": id, "EmailAddress": "x@example.com"]]]), createOnly: false)
        let events = await harness.books.takeWebhookEvents()
        // Created then updated before anyone looked: one CREATE.
        #expect(events.map(\.created) == [true])
        #expect(events.map(\.resourceID.uuidString) == [id.uppercased()])
        #expect(events.first?.category == .contact)
        #expect(await harness.books.takeWebhookEvents().isEmpty)
    }
}
