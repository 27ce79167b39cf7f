import COpenSSL

/// An error from the TLS layer: building a ``TLSServerContext`` or running a connection.
///
/// `openSSLErrors` is the text of OpenSSL's (thread-local) error queue at the time of the
/// failure, oldest first, e.g. `error:0A000086:SSL routines::certificate verify failed`.
/// None of these texts ever contain key material.
public struct TLSError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Hashable, Sendable {
        /// A certificate or key file is missing or cannot be read.
        case fileNotReadable
        /// The certificate chain file holds no (valid) PEM certificate.
        case invalidCertificateChain
        /// The private key file holds no (valid, unencrypted) PEM private key.
        case invalidPrivateKey
        /// The private key is not the key of the chain's first (leaf) certificate.
        case privateKeyMismatch
        /// A setting was rejected (e.g. an ALPN protocol name that is empty or too long).
        case invalidConfiguration
        /// The TLS handshake failed, or the peer went away during it.
        case handshakeFailed
        /// A TLS failure after the handshake (bad record, bad MAC, fatal alert from the peer...).
        case protocolFailure
        /// The peer closed the TCP connection without sending close_notify first.
        case uncleanShutdown
        /// OpenSSL failed in a way that is not the peer's fault (e.g. allocation failure).
        case internalFailure
    }

    public let code: Code
    /// What failed, in words (may name a file path; never its contents).
    public let message: String
    /// OpenSSL's error queue texts, oldest first (may be empty).
    public let openSSLErrors: [String]

    public init(code: Code, message: String, openSSLErrors: [String] = []) {
        self.code = code
        self.message = message
        self.openSSLErrors = openSSLErrors
    }

    public var description: String {
        if openSSLErrors.isEmpty { return "TLS \(code.rawValue): \(message)" }
        return "TLS \(code.rawValue): \(message) [OpenSSL: \(openSSLErrors.joined(separator: "; "))]"
    }

    /// An error carrying (and clearing) the calling thread's OpenSSL error queue.
    static func fromErrorQueue(_ code: Code, _ message: String) -> TLSError {
        TLSError(code: code, message: message, openSSLErrors: OpenSSLErrorQueue.drain())
    }
}

/// OpenSSL's per-thread error queue.
enum OpenSSLErrorQueue {
    /// Empties the calling thread's queue, so a later failure reports only its own errors.
    static func clear() {
        ERR_clear_error()
    }

    /// Empties the calling thread's queue and returns its entries as text, oldest first.
    static func drain() -> [String] {
        var texts: [String] = []
        while true {
            var data: UnsafePointer<CChar>? = nil
            var flags: Int32 = 0
            let code = ERR_get_error_all(nil, nil, nil, &data, &flags)
            if code == 0 { break }
            var text = [CChar](repeating: 0, count: 256)
            text.withUnsafeMutableBufferPointer { ERR_error_string_n(code, $0.baseAddress, $0.count) }
            var entry = text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            // The optional detail OpenSSL attached (a file name, "Expecting: ANY PRIVATE KEY"...).
            if let data, flags & Int32(ERR_TXT_STRING) != 0, data.pointee != 0 {
                entry += " (\(String(cString: data)))"
            }
            texts.append(entry)
        }
        return texts
    }
}
