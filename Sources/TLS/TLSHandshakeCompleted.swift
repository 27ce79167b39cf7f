/// The user inbound event ``TLSServerHandler`` fires once a connection's TLS handshake has
/// completed, before any decrypted application data is passed on.
///
/// The server installs its protocol handlers on it: HTTP/2 when `negotiatedProtocol` is
/// `"h2"`, HTTP/1.1 when it is `"http/1.1"` or nil (the client did not use ALPN).
public struct TLSHandshakeCompleted: Hashable, Sendable {
    /// The ALPN protocol both sides agreed on, or nil when the client offered none.
    public let negotiatedProtocol: String?

    public init(negotiatedProtocol: String?) {
        self.negotiatedProtocol = negotiatedProtocol
    }
}
