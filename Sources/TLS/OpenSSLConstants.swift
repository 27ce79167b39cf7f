import COpenSSL

/// Values of OpenSSL macros that Swift cannot import (they are built from function-like
/// macros such as `SSL_OP_BIT(n)`), checked against OpenSSL 3.0's `<openssl/ssl.h>`.
enum OpenSSLConstants {
    /// `SSL_OP_NO_TICKET` = `SSL_OP_BIT(14)`: no TLS 1.2 session tickets.
    static let optionNoTicket: UInt64 = 1 << 14
    /// `SSL_OP_NO_COMPRESSION` = `SSL_OP_BIT(17)`: no TLS compression (CRIME).
    static let optionNoCompression: UInt64 = 1 << 17
    /// `SSL_OP_CIPHER_SERVER_PREFERENCE` = `SSL_OP_BIT(22)`.
    static let optionCipherServerPreference: UInt64 = 1 << 22
    /// `SSL_OP_NO_RENEGOTIATION` = `SSL_OP_BIT(30)`: refuse TLS 1.2 renegotiation.
    static let optionNoRenegotiation: UInt64 = 1 << 30

    /// `SSL_CTRL_SET_SESS_CACHE_MODE`, the control behind the `SSL_CTX_set_session_cache_mode` macro.
    static let controlSetSessionCacheMode = Int32(SSL_CTRL_SET_SESS_CACHE_MODE)
    /// `SSL_SESS_CACHE_OFF`.
    static let sessionCacheOff = Int(SSL_SESS_CACHE_OFF)
}
