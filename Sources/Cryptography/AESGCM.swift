import COpenSSL

/// AES-256-GCM through OpenSSL's libcrypto (EVP): authenticated encryption
/// with additional data. The caller supplies the 96-bit nonce, which must
/// never repeat under one key — `SecretBox` draws a random one per message.
public enum AESGCM {
    public static let keySize = 32
    public static let nonceSize = 12
    public static let tagSize = 16

    public enum Failure: Error, Equatable {
        /// Wrong key, wrong additional data, or the bytes were changed.
        case authenticationFailed
        case invalidKeySize
        case invalidNonceSize
    }

    /// Returns ciphertext followed by the 16-byte tag.
    public static func seal(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8], additionalData: [UInt8]) throws(Failure) -> [UInt8] {
        guard key.count == keySize else { throw .invalidKeySize }
        guard nonce.count == nonceSize else { throw .invalidNonceSize }
        guard let context = EVP_CIPHER_CTX_new() else { fatalError("EVP_CIPHER_CTX_new: out of memory") }
        defer { EVP_CIPHER_CTX_free(context) }
        var output = [UInt8](repeating: 0, count: plaintext.count + tagSize)
        var length: Int32 = 0
        var ok = EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce) == 1
        if !additionalData.isEmpty { ok = ok && EVP_EncryptUpdate(context, nil, &length, additionalData, Int32(additionalData.count)) == 1 }
        var written = 0
        if !plaintext.isEmpty {
            ok = ok && output.withUnsafeMutableBufferPointer { EVP_EncryptUpdate(context, $0.baseAddress, &length, plaintext, Int32(plaintext.count)) } == 1
            written = Int(length)
        }
        ok = ok && output.withUnsafeMutableBufferPointer { EVP_EncryptFinal_ex(context, $0.baseAddress! + written, &length) } == 1
        written += Int(length)
        ok = ok && output.withUnsafeMutableBufferPointer {
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(tagSize), $0.baseAddress! + written)
        } == 1
        // Encryption with a valid key and nonce cannot fail short of a broken library.
        precondition(ok && written == plaintext.count, "AES-256-GCM encryption failed")
        return output
    }

    /// Takes ciphertext followed by the tag; throws unless the tag checks out.
    public static func open(_ sealed: [UInt8], key: [UInt8], nonce: [UInt8], additionalData: [UInt8]) throws(Failure) -> [UInt8] {
        guard key.count == keySize else { throw .invalidKeySize }
        guard nonce.count == nonceSize else { throw .invalidNonceSize }
        guard sealed.count >= tagSize else { throw .authenticationFailed }
        guard let context = EVP_CIPHER_CTX_new() else { fatalError("EVP_CIPHER_CTX_new: out of memory") }
        defer { EVP_CIPHER_CTX_free(context) }
        let ciphertext = Array(sealed.dropLast(tagSize))
        var tag = Array(sealed.suffix(tagSize))
        var output = [UInt8](repeating: 0, count: ciphertext.count + AESGCM.tagSize)
        var length: Int32 = 0
        var ok = EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce) == 1
        if !additionalData.isEmpty { ok = ok && EVP_DecryptUpdate(context, nil, &length, additionalData, Int32(additionalData.count)) == 1 }
        var written = 0
        if !ciphertext.isEmpty {
            ok = ok && output.withUnsafeMutableBufferPointer { EVP_DecryptUpdate(context, $0.baseAddress, &length, ciphertext, Int32(ciphertext.count)) } == 1
            written = Int(length)
        }
        ok = ok && EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(tagSize), &tag) == 1
        ok = ok && output.withUnsafeMutableBufferPointer { EVP_DecryptFinal_ex(context, $0.baseAddress! + written, &length) } == 1
        // Nothing of a message that failed authentication leaves this function.
        guard ok else {
            output.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) }
            throw .authenticationFailed
        }
        return Array(output.prefix(written + Int(length)))
    }
}
