/// Routes by method and path pattern (`/Invoices/{InvoiceID}/Allocations`).
/// Literal segments match without regard to case when the API does so (Xero
/// answers `/Connections` and `/connections` alike).
public struct SandboxRouter: Sendable {
    public typealias Handler = @Sendable (SandboxRequest) async -> SandboxResponse

    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    struct Route: Sendable {
        let method: String
        let segments: [Segment]
        let handler: Handler
    }

    public enum Match: Sendable {
        case found(Handler, parameters: [String: String])
        /// The path exists, with other methods.
        case methodNotAllowed(allowed: [String])
        case notFound
    }

    let caseInsensitive: Bool
    private var routes: [Route] = []
    /// Routes without parameters by their (comparable) segments, in the order added:
    /// most calls are found here with one lookup instead of trying every route.
    private var literalRoutes: [[String]: [Int]] = [:]

    public init(caseInsensitive: Bool) {
        self.caseInsensitive = caseInsensitive
    }

    public mutating func add(_ method: String, _ pattern: String, _ handler: @escaping Handler) {
        let segments = pattern.split(separator: "/").map { part -> Segment in
            if part.hasPrefix("{") && part.hasSuffix("}") { return .parameter(String(part.dropFirst().dropLast())) }
            return .literal(caseInsensitive ? part.lowercased() : String(part))
        }
        let literals = segments.compactMap { if case .literal(let text) = $0 { text } else { nil } }
        if literals.count == segments.count { literalRoutes[literals, default: []].append(routes.count) }
        routes.append(Route(method: method, segments: segments, handler: handler))
    }

    /// The handler for a request; literal routes win over parameters, so
    /// `/Invoices/{id}` does not swallow a literal sibling.
    public func match(method: String, path: String) -> Match {
        // Split byte-wise (a Character-wise split showed in every request's profile).
        let parts = path.utf8.split(separator: UInt8(ascii: "/")).map { PercentDecoding.decode(Substring($0), plusIsSpace: false) }
        // Lower-cased once per request, not once per route tried.
        let comparable = caseInsensitive ? parts.map { $0.lowercased() } : parts
        // A literal route of this method is the best match there can be (all literals).
        if let index = literalRoutes[comparable]?.first(where: { routes[$0].method == method }) {
            return .found(routes[index].handler, parameters: [:])
        }
        var best: (route: Route, parameters: [String: String], literals: Int)?
        var allowed: [String] = []
        for route in routes where route.segments.count == parts.count {
            var parameters: [String: String] = [:]
            var literals = 0
            var matched = true
            for (index, segment) in route.segments.enumerated() {
                let part = parts[index]
                switch segment {
                case .literal(let literal):
                    if comparable[index] != literal { matched = false }
                    literals += 1
                case .parameter(let name):
                    parameters[name] = part
                }
                if !matched { break }
            }
            guard matched else { continue }
            guard route.method == method else {
                allowed.append(route.method)
                continue
            }
            if best == nil || literals > best!.literals { best = (route, parameters, literals) }
        }
        if let best { return .found(best.route.handler, parameters: best.parameters) }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed)
    }
}
