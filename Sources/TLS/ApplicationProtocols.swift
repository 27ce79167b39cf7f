import COpenSSL

/// The server's ALPN protocols, in preference order, in the TLS wire format
/// (each name preceded by its one-byte length) in memory that never moves, because OpenSSL
/// may keep pointers into it while it builds the ServerHello.
///
/// Owned by ``TLSServerContext``; the `SSL_CTX`'s ALPN callback gets it through its
/// `arg` pointer (unretained: the context outlives every connection made from it).
final class ApplicationProtocolPreference: @unchecked Sendable {
    // @unchecked: `wire` is written once in init and only read afterwards.
    let protocols: [String]
    private let wire: UnsafeMutableBufferPointer<UInt8>
    private let wireCount: Int

    init(_ protocols: [String]) throws {
        var bytes: [UInt8] = []
        for name in protocols {
            let utf8 = Array(name.utf8)
            guard (1...255).contains(utf8.count) else {
                throw TLSError(
                    code: .invalidConfiguration,
                    message: "ALPN protocol names must be 1 to 255 bytes long; got \(utf8.count) bytes (\"\(name)\")")
            }
            bytes.append(UInt8(utf8.count))
            bytes.append(contentsOf: utf8)
        }
        self.protocols = protocols
        self.wire = .allocate(capacity: max(bytes.count, 1))
        _ = self.wire.initialize(from: bytes)
        self.wireCount = bytes.count
    }

    deinit {
        wire.deallocate()
    }

    /// Chooses our most preferred protocol that the client also offered.
    /// - Returns: the selected name (pointing into our own wire list), or nil when the lists
    ///   do not overlap or the client's list is malformed.
    func select(clientList: UnsafePointer<UInt8>, clientCount: UInt32) -> (UnsafePointer<UInt8>, UInt8)? {
        var selected: UnsafeMutablePointer<UInt8>? = nil
        var selectedLength: UInt8 = 0
        // The first list is the one whose order wins: ours.
        let outcome = SSL_select_next_proto(
            &selected, &selectedLength, wire.baseAddress, UInt32(wireCount), clientList, clientCount)
        guard outcome == OPENSSL_NPN_NEGOTIATED, let selected, selectedLength > 0 else { return nil }
        return (UnsafePointer(selected), selectedLength)
    }

    /// Installs the selection callback on `sslContext`; `self` must outlive it.
    func install(on sslContext: OpaquePointer) {
        let arg = Unmanaged.passUnretained(self).toOpaque()
        SSL_CTX_set_alpn_select_cb(sslContext, { _, out, outLength, clientList, clientCount, arg in
            guard let out, let outLength, let clientList, let arg else {
                return SSL_TLSEXT_ERR_ALERT_FATAL
            }
            let preference = Unmanaged<ApplicationProtocolPreference>.fromOpaque(arg).takeUnretainedValue()
            guard let (name, length) = preference.select(clientList: clientList, clientCount: clientCount) else {
                // RFC 7301 §3.2: no protocol in common is a fatal no_application_protocol alert.
                // (A client that sends no ALPN extension at all never gets here.)
                return SSL_TLSEXT_ERR_ALERT_FATAL
            }
            out.pointee = name
            outLength.pointee = length
            return SSL_TLSEXT_ERR_OK
        }, arg)
    }
}
