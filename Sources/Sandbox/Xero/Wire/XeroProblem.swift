import Foundation

/// Xero's error responses outside validation: problem-details JSON for 401 and
/// 403, plain text for 404 (../shared/reference/xero-api.md §4).
enum XeroProblem {
    static func unauthorized(detail: String) -> SandboxResponse {
        problem(401, title: "Unauthorized", detail: detail)
    }

    /// A missing or unknown xero-tenant-id, or one the token may not use.
    static func forbidden() -> SandboxResponse {
        problem(403, title: "Forbidden", detail: "AuthenticationUnsuccessful")
    }

    static func notFound() -> SandboxResponse {
        .text(404, "The resource you're looking for cannot be found")
    }

    static func badRequest(_ message: String) -> SandboxResponse {
        .json(400, object: ["ErrorNumber": 16, "Type": "QueryParseException", "Message": message] as [String: Any])
    }

    private static func problem(_ status: Int, title: String, detail: String) -> SandboxResponse {
        let body: [String: Any] = ["Type": NSNull(), "Title": title, "Status": status, "Detail": detail,
                                   "Instance": UUID().uuidString.lowercased(), "Extensions": [String: Any]()]
        return .json(status, object: body)
    }

    /// "TokenExpired: token expired at 04/09/2023 05:16:59" (UTC, month first).
    static func tokenExpired(at date: Date) -> SandboxResponse {
        unauthorized(detail: "TokenExpired: token expired at \(XeroDateFormat.expiryStamp(date))")
    }
}
