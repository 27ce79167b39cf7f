/// Backpressure on the socket: NIO reads only when a `read` event travels down the
/// pipeline, so a handler that holds that event back stops the reading, and the
/// peer's sends then stall in TCP instead of in our memory. This remembers whether
/// reads flow and whether one was asked for while they did not.
enum ReadGate: Equatable {
    case open
    case closed(readPending: Bool)

    /// A read was asked for: true when it should go on to the socket now.
    mutating func requestRead() -> Bool {
        switch self {
        case .open:
            return true
        case .closed:
            self = .closed(readPending: true)
            return false
        }
    }

    mutating func close() {
        if case .open = self { self = .closed(readPending: false) }
    }

    /// Reads flow again; true when a read held back meanwhile must be issued now.
    mutating func open() -> Bool {
        defer { self = .open }
        if case .closed(readPending: true) = self { return true }
        return false
    }

    var isOpen: Bool { self == .open }
}
