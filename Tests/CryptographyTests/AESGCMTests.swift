import Cryptography
import Testing

@Suite struct AESGCMTests {
    static func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    let zeroKey = [UInt8](repeating: 0, count: 32), zeroNonce = [UInt8](repeating: 0, count: 12)

    /// The GCM specification's test cases 13 and 14 (McGrew & Viega), AES-256.
    @Test func matchesTheSpecificationsTestVectors() throws {
        #expect(try AESGCM.seal([], key: zeroKey, nonce: zeroNonce, additionalData: []) == Self.hex("530f8afbc74536b9a963b4f1c4cb738b"))
        let sealed = try AESGCM.seal([UInt8](repeating: 0, count: 16), key: zeroKey, nonce: zeroNonce, additionalData: [])
        #expect(sealed == Self.hex("cea7403d4d606b6e074ec5d3baf39d18" + "d0d1c8a799996bf0265b98b5d48ab919"))
        #expect(try AESGCM.open(sealed, key: zeroKey, nonce: zeroNonce, additionalData: []) == [UInt8](repeating: 0, count: 16))
    }

    @Test func anyChangeFailsAuthentication() throws {
        let key = SecureRandom.bytes(32), nonce = SecureRandom.bytes(12), data = Array("tenant-1".utf8)
        let sealed = try AESGCM.seal(Array("refresh-token".utf8), key: key, nonce: nonce, additionalData: data)
        #expect(try AESGCM.open(sealed, key: key, nonce: nonce, additionalData: data) == Array("refresh-token".utf8))
        var flipped = sealed
        flipped[0] ^= 1
        #expect(throws: AESGCM.Failure.authenticationFailed) { try AESGCM.open(flipped, key: key, nonce: nonce, additionalData: data) }
        #expect(throws: AESGCM.Failure.authenticationFailed) { try AESGCM.open(sealed, key: key, nonce: nonce, additionalData: Array("tenant-2".utf8)) }
        #expect(throws: AESGCM.Failure.authenticationFailed) { try AESGCM.open(sealed, key: SecureRandom.bytes(32), nonce: nonce, additionalData: data) }
        #expect(throws: AESGCM.Failure.authenticationFailed) { try AESGCM.open(Array(sealed.prefix(10)), key: key, nonce: nonce, additionalData: data) }
        #expect(throws: AESGCM.Failure.invalidKeySize) { try AESGCM.seal([1], key: [1, 2], nonce: nonce, additionalData: []) }
        #expect(throws: AESGCM.Failure.invalidNonceSize) { try AESGCM.seal([1], key: key, nonce: [1], additionalData: []) }
    }
}
