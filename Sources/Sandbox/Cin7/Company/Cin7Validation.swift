import Foundation

/// Collects what is wrong with a write, so that one 400 names every problem,
/// one Error Model element each. The wording follows the one message seen from
/// live Cin7 for a missing field ("Required attribute ProductionBOMs is not
/// provided.", reference §2); the others are the sandbox's own, as the portal
/// lists none.
struct Cin7Validation {
    private(set) var messages: [String] = []

    /// A required text field: trimmed, non-empty, within its length.
    mutating func required(_ value: String?, _ field: String, maxLength: Int? = nil) -> String {
        guard let value = value?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
            messages.append("Required attribute \(field) is not provided.")
            return ""
        }
        length(value, field, maxLength)
        return value
    }

    /// An optional text field within its length.
    mutating func length(_ value: String?, _ field: String, _ maxLength: Int?) {
        guard let value, let maxLength, value.count > maxLength else { return }
        messages.append("\(field) should not be longer than \(maxLength) characters.")
    }

    mutating func check(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { messages.append(message()) }
    }

    mutating func fail(_ message: String) {
        messages.append(message)
    }

    var isValid: Bool { messages.isEmpty }

    func finish() throws(Cin7Failure) {
        guard messages.isEmpty else { throw .validation(messages) }
    }
}
