import Foundation

/// A refused call, in Cin7 Core's Error Model (apib:30431): `ErrorCode` (int)
/// and `Exception` (text). Endpoints return it; the gate writes it in the
/// configured shape (`Cin7Configuration.ErrorShape`), so the shape is decided
/// in one place.
struct Cin7Failure: Error, Equatable {
    var status: Int
    /// One Error Model element each: a validation failure can name several problems.
    var messages: [String]

    init(_ status: Int, _ messages: [String]) {
        self.status = status
        self.messages = messages
    }

    init(_ status: Int, _ message: String) {
        self.init(status, [message])
    }

    /// "The request was not in a correct form, or the posted data failed a validation test" (apib:118).
    static func badRequest(_ messages: String...) -> Cin7Failure { Cin7Failure(400, messages) }

    static func validation(_ messages: [String]) -> Cin7Failure { Cin7Failure(400, messages) }

    /// "The object passed to the API could not be parsed" (apib:122).
    static func unparseable(_ detail: String) -> Cin7Failure { Cin7Failure(500, detail) }

    /// The sandbox's wording for a 403: the portal documents the status
    /// ("Method authentication failed", apib:119) but shows no body, so the body
    /// is the Error Model every other error uses, with the portal's own words.
    static let forbidden = Cin7Failure(403, "Method authentication failed. Check the api-auth-accountid and api-auth-applicationkey headers.")
}

/// The `Result` every endpoint returns: the JSON body of a 200, or a failure.
typealias Cin7Result = Result<[UInt8], Cin7Failure>

extension Cin7Failure {
    /// The response for this failure. Live Cin7 sends a JSON array of Error Model
    /// objects (`[{"ErrorCode":400,"Exception":"…"}]`) and, at times, one bare
    /// object (../shared/reference/cin7-core-api.md §2: "parse both").
    func response(shape: Cin7Configuration.ErrorShape, headers: [(name: String, value: String)] = []) -> SandboxResponse {
        let body = switch shape {
        case .array:
            Cin7JSON.encode(messages.map { ErrorModel(ErrorCode: status, Exception: $0) })
        case .object:
            // One object cannot hold several messages: they are joined.
            Cin7JSON.encode(ErrorModel(ErrorCode: status, Exception: messages.joined(separator: " ")))
        }
        return .json(status, body, headers: headers)
    }

    struct ErrorModel: Encodable {
        let ErrorCode: Int
        let Exception: String
    }
}
