#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import COpenSSL

/// The server side of TLS, shared by every connection: certificate chain, private key,
/// protocol versions, ciphers and ALPN. Immutable once built; make one per server (or per
/// certificate reload) and hand it to each connection's ``TLSServerHandler``.
///
/// Settings:
/// - TLS 1.2 minimum, TLS 1.3 allowed (and preferred: OpenSSL picks the highest shared version).
/// - TLS 1.2 ciphers: ECDHE with AES-GCM or ChaCha20-Poly1305 only (forward secret AEADs,
///   none on HTTP/2's TLS 1.2 block list); TLS 1.3 suites: OpenSSL's defaults. The server's
///   order wins (`SSL_OP_CIPHER_SERVER_PREFERENCE`).
/// - ALPN: `applicationProtocols` in server preference order; a client offering none of them
///   gets a fatal `no_application_protocol` alert (RFC 7301); a client sending no ALPN gets none.
/// - No session resumption: no session tickets (TLS 1.2 or 1.3) and no session cache. Every
///   connection does a full handshake; there are no ticket keys to rotate or leak, and nothing
///   weakens forward secrecy. HTTP/2 connections are long-lived, so the cost is small.
/// - No renegotiation, no compression; encrypted private keys are refused (never prompted for).
public final class TLSServerContext: @unchecked Sendable {
    // @unchecked: the SSL_CTX is fully configured in init and never changed afterwards;
    // OpenSSL allows SSL_new on one SSL_CTX from many threads at once.

    /// ALPN protocols, most preferred first, as `init` uses when none are given.
    public static let defaultApplicationProtocols = ["h2", "http/1.1"]

    /// TLS 1.2 cipher list (OpenSSL syntax); TLS 1.3 suites are configured separately.
    static let tls12Ciphers = [
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    ].joined(separator: ":")

    /// The ALPN protocols offered, most preferred first (empty: ALPN is not negotiated).
    public let applicationProtocols: [String]

    /// The `SSL_CTX *`.
    let sslContext: OpaquePointer
    private let alpn: ApplicationProtocolPreference?

    /// Loads the server's identity and builds the context.
    ///
    /// - Parameters:
    ///   - certificateChainPath: a PEM file: the server certificate first, then any
    ///     intermediates (and optionally the root), as `ops/make-dev-cert` writes `server.pem`.
    ///   - privateKeyPath: a PEM file with the server certificate's unencrypted private key.
    ///   - applicationProtocols: ALPN protocol names, most preferred first.
    /// - Throws: ``TLSError`` with code `.fileNotReadable`, `.invalidCertificateChain`,
    ///   `.invalidPrivateKey`, `.privateKeyMismatch`, `.invalidConfiguration` or
    ///   `.internalFailure`, carrying OpenSSL's error queue text.
    public init(
        certificateChainPath: String,
        privateKeyPath: String,
        applicationProtocols: [String] = TLSServerContext.defaultApplicationProtocols
    ) throws {
        OpenSSLErrorQueue.clear()
        let alpn = applicationProtocols.isEmpty ? nil : try ApplicationProtocolPreference(applicationProtocols)
        try Self.checkReadable(certificateChainPath, what: "certificate chain")
        try Self.checkReadable(privateKeyPath, what: "private key")

        guard let ctx = SSL_CTX_new(TLS_server_method()) else {
            throw TLSError.fromErrorQueue(.internalFailure, "SSL_CTX_new failed")
        }
        // From here on, a throw runs deinit, which frees ctx.
        self.sslContext = ctx
        self.alpn = alpn
        self.applicationProtocols = applicationProtocols

        try configureProtocol()
        try loadIdentity(certificateChainPath: certificateChainPath, privateKeyPath: privateKeyPath)
        alpn?.install(on: ctx)
    }

    deinit {
        SSL_CTX_free(sslContext)
    }

    private func configureProtocol() throws {
        let ctx = sslContext
        guard COpenSSL_SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) == 1 else {
            throw TLSError.fromErrorQueue(.internalFailure, "cannot set the minimum protocol version to TLS 1.2")
        }
        let options = OpenSSLConstants.optionCipherServerPreference
            | OpenSSLConstants.optionNoRenegotiation
            | OpenSSLConstants.optionNoCompression
            | OpenSSLConstants.optionNoTicket
        _ = COpenSSL_SSL_CTX_set_options(ctx, Int(options))
        // Release idle connections' record buffers; let a write be retried from a moved buffer
        // (a ByteBuffer's storage may move between an SSL_write that wants to read and its retry).
        _ = COpenSSL_SSL_CTX_set_mode(ctx, Int(SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER))
        // No resumption: no session cache, no TLS 1.3 tickets (TLS 1.2 tickets are off above).
        _ = SSL_CTX_ctrl(ctx, OpenSSLConstants.controlSetSessionCacheMode, OpenSSLConstants.sessionCacheOff, nil)
        guard SSL_CTX_set_num_tickets(ctx, 0) == 1 else {
            throw TLSError.fromErrorQueue(.internalFailure, "cannot turn TLS 1.3 session tickets off")
        }
        guard SSL_CTX_set_cipher_list(ctx, Self.tls12Ciphers) == 1 else {
            throw TLSError.fromErrorQueue(.invalidConfiguration, "OpenSSL accepts none of the TLS 1.2 ciphers")
        }
        // Never prompt on a terminal for a passphrase: an encrypted key simply fails to load.
        SSL_CTX_set_default_passwd_cb(ctx, refusePassphrase)
    }

    private func loadIdentity(certificateChainPath: String, privateKeyPath: String) throws {
        let ctx = sslContext
        guard SSL_CTX_use_certificate_chain_file(ctx, certificateChainPath) == 1 else {
            throw TLSError.fromErrorQueue(
                .invalidCertificateChain, "no valid PEM certificate chain in \(certificateChainPath)")
        }

        guard let file = BIO_new_file(privateKeyPath, "r") else {
            throw TLSError.fromErrorQueue(.fileNotReadable, "cannot open the private key file \(privateKeyPath)")
        }
        let key = PEM_read_bio_PrivateKey(file, nil, refusePassphrase, nil)
        BIO_free(file)
        guard let key else {
            throw TLSError.fromErrorQueue(
                .invalidPrivateKey, "no valid unencrypted PEM private key in \(privateKeyPath)")
        }
        defer { EVP_PKEY_free(key) }  // the SSL_CTX takes its own reference

        // OpenSSL 3 refuses a key that does not match the leaf certificate already loaded.
        guard SSL_CTX_use_PrivateKey(ctx, key) == 1, SSL_CTX_check_private_key(ctx) == 1 else {
            throw TLSError.fromErrorQueue(
                .privateKeyMismatch,
                "the private key in \(privateKeyPath) is not the key of the first certificate in \(certificateChainPath)")
        }
    }

    private static func checkReadable(_ path: String, what: String) throws {
        if access(path, R_OK) != 0 {
            let reason = String(cString: strerror(errno))
            throw TLSError(code: .fileNotReadable, message: "cannot read the \(what) file \(path): \(reason)")
        }
    }
}

/// A `pem_password_cb` that supplies no passphrase, so encrypted keys fail instead of prompting.
private func refusePassphrase(
    _ buffer: UnsafeMutablePointer<CChar>?, _ size: Int32, _ rwflag: Int32, _ userdata: UnsafeMutableRawPointer?
) -> Int32 {
    0
}
