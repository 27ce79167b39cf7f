import Foundation

extension XeroBooks {
    /// The webhook events for what changed since the last call: contacts,
    /// invoices and credit notes (Xero has no events for the other
    /// collections — those are polled with If-Modified-Since).
    func takeWebhookEvents() -> [XeroWebhookEvent] {
        var events: [XeroWebhookEvent] = []
        for change in contacts.takeChanges() {
            guard let contact = contacts[change.id] else { continue }
            events.append(event(.contact, change, contact.updatedDateUTC))
        }
        for change in invoices.takeChanges() {
            guard let invoice = invoices[change.id] else { continue }
            events.append(event(.invoice, change, invoice.updatedDateUTC))
        }
        for change in creditNotes.takeChanges() {
            guard let note = creditNotes[change.id] else { continue }
            var event = event(.creditNote, change, note.updatedDateUTC)
            event.creditNoteData = (note.type, note.status)
            events.append(event)
        }
        return events.sorted { $0.date < $1.date }
    }

    /// Forgets changes nobody is to hear of (the seeded data, a reset).
    func discardWebhookEvents() {
        _ = takeWebhookEvents()
    }

    private func event(_ category: XeroWebhookEvent.Category, _ change: EntityTable<some XeroEntity>.Change, _ updated: XeroDate?) -> XeroWebhookEvent {
        XeroWebhookEvent(tenantID: tenantID, resourceID: change.id, category: category, created: change.created, date: updated?.date ?? Date())
    }
}
