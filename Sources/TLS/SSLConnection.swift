import COpenSSL
import NIOCore

/// One server-side OpenSSL connection (`SSL *`) between two memory BIOs: ciphertext from
/// the network goes into the read BIO, ciphertext for the network comes out of the write
/// BIO. No I/O, no event loop: ``TLSServerHandler`` moves the bytes. All the unsafe C
/// interop of a connection lives here.
final class SSLConnection {
    enum HandshakeResult {
        case complete
        /// OpenSSL needs more ciphertext from the peer (WANT_READ).
        case needsInput
        case failed(TLSError)
    }

    enum ReadResult {
        /// Some plaintext was appended to the buffer.
        case readSome
        /// No whole record is buffered: wait for more ciphertext (WANT_READ).
        case needsInput
        /// The peer sent close_notify.
        case closeNotify
        case failed(TLSError)
    }

    enum WriteResult {
        /// Some of the plaintext was encrypted into the write BIO (the buffer's reader index moved).
        case wroteSome
        /// OpenSSL must read before it can write (WANT_READ): retry after more ciphertext arrives.
        case needsInput
        case failed(TLSError)
    }

    /// Keeps the SSL_CTX (and the ALPN callback's argument) alive for as long as `ssl`.
    let context: TLSServerContext
    private let ssl: OpaquePointer
    private let readBIO: OpaquePointer
    private let writeBIO: OpaquePointer

    init(context: TLSServerContext) throws {
        OpenSSLErrorQueue.clear()
        guard let ssl = SSL_new(context.sslContext) else {
            throw TLSError.fromErrorQueue(.internalFailure, "SSL_new failed")
        }
        guard let readBIO = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw TLSError.fromErrorQueue(.internalFailure, "BIO_new(BIO_s_mem()) failed")
        }
        guard let writeBIO = BIO_new(BIO_s_mem()) else {
            BIO_free(readBIO)
            SSL_free(ssl)
            throw TLSError.fromErrorQueue(.internalFailure, "BIO_new(BIO_s_mem()) failed")
        }
        // An empty memory BIO reports "retry later" (not end of file) by default: SSL_read and
        // SSL_do_handshake then say WANT_READ, which is what we want between network reads.
        SSL_set_bio(ssl, readBIO, writeBIO)  // the SSL now owns both BIOs
        SSL_set_accept_state(ssl)
        self.context = context
        self.ssl = ssl
        self.readBIO = readBIO
        self.writeBIO = writeBIO
    }

    deinit {
        SSL_free(ssl)  // frees both BIOs too
    }

    /// Hands ciphertext received from the peer to OpenSSL.
    func receive(_ ciphertext: ByteBuffer) throws {
        try ciphertext.withUnsafeReadableBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let count = Int32(clamping: bytes.count - offset)
                let written = BIO_write(readBIO, bytes.baseAddress! + offset, count)
                guard written > 0 else {
                    throw TLSError.fromErrorQueue(.internalFailure, "BIO_write to the memory BIO failed")
                }
                offset += Int(written)
            }
        }
    }

    func handshake() -> HandshakeResult {
        OpenSSLErrorQueue.clear()
        let rc = SSL_do_handshake(ssl)
        if rc == 1 { return .complete }
        switch SSL_get_error(ssl, rc) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            // WANT_WRITE cannot happen with a memory BIO (it always accepts); waiting for the
            // next network read is the only way forward in either case.
            return .needsInput
        default:
            return .failed(TLSError.fromErrorQueue(.handshakeFailed, "the TLS handshake failed"))
        }
    }

    /// Decrypts into `buffer`'s writable space, at most `limit` bytes (one record at most).
    func read(into buffer: inout ByteBuffer, limit: Int) -> ReadResult {
        precondition(limit > 0)
        OpenSSLErrorQueue.clear()
        var rc: Int32 = 0
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: limit) { space in
            rc = SSL_read(ssl, space.baseAddress, Int32(clamping: min(limit, space.count)))
            return rc > 0 ? Int(rc) : 0
        }
        if rc > 0 { return .readSome }
        switch SSL_get_error(ssl, rc) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return .needsInput
        case SSL_ERROR_ZERO_RETURN:
            return .closeNotify
        default:
            return .failed(TLSError.fromErrorQueue(.protocolFailure, "decrypting data from the peer failed"))
        }
    }

    /// Encrypts up to `limit` readable bytes of `plaintext` into the write BIO, moving its reader index.
    func write(_ plaintext: inout ByteBuffer, limit: Int) -> WriteResult {
        precondition(limit > 0 && plaintext.readableBytes > 0)
        OpenSSLErrorQueue.clear()
        let rc = plaintext.withUnsafeReadableBytes { bytes in
            SSL_write(ssl, bytes.baseAddress, Int32(clamping: min(limit, bytes.count)))
        }
        if rc > 0 {
            plaintext.moveReaderIndex(forwardBy: Int(rc))
            return .wroteSome
        }
        switch SSL_get_error(ssl, rc) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return .needsInput
        default:
            return .failed(TLSError.fromErrorQueue(.protocolFailure, "encrypting data for the peer failed"))
        }
    }

    /// Queues our close_notify alert in the write BIO. Only meaningful after the handshake.
    func shutdown() {
        OpenSSLErrorQueue.clear()
        // 0: close_notify sent, the peer's not seen yet; 1: both done; <0: nothing more to do.
        // We never wait for the peer's close_notify, so every outcome is final.
        _ = SSL_shutdown(ssl)
        OpenSSLErrorQueue.clear()
    }

    /// Bytes of ciphertext waiting to be sent to the peer.
    var pendingCiphertextCount: Int {
        Int(BIO_ctrl_pending(writeBIO))
    }

    /// Takes all the ciphertext waiting for the peer, or nil when there is none.
    func takeCiphertext(allocator: ByteBufferAllocator) -> ByteBuffer? {
        let pending = pendingCiphertextCount
        guard pending > 0 else { return nil }
        var buffer = allocator.buffer(capacity: pending)
        while true {
            let available = pendingCiphertextCount
            if available == 0 { break }
            let read = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: available) { space in
                Int(max(0, BIO_read(writeBIO, space.baseAddress, Int32(clamping: available))))
            }
            if read == 0 { break }
        }
        return buffer.readableBytes > 0 ? buffer : nil
    }

    /// The ALPN protocol selected in the handshake, if any.
    var negotiatedProtocol: String? {
        var data: UnsafePointer<UInt8>? = nil
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }
}
