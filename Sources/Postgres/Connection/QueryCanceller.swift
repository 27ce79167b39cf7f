import CLibPQ
import Foundation

/// Owns libpq's PGcancel object for one session.
///
/// PQcancel opens a separate connection and blocks until the server has the
/// request, so it runs on a throwaway thread, never on a shared one. The object
/// is independent of the session's PGconn and safe to use from any thread.
final class QueryCanceller: @unchecked Sendable {
    private let cancel: OpaquePointer?

    init(_ cancel: OpaquePointer?) {
        self.cancel = cancel
    }

    deinit {
        if let cancel { PQfreeCancel(cancel) }
    }

    func sendInBackground() {
        guard cancel != nil else { return }
        Thread.detachNewThread { [self] in
            var errorBuffer = [CChar](repeating: 0, count: 256)
            _ = PQcancel(cancel, &errorBuffer, Int32(errorBuffer.count))
        }
    }
}
