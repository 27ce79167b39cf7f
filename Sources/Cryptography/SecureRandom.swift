import COpenSSL

/// Cryptographically secure random bytes from OpenSSL's DRBG.
public enum SecureRandom {
    public static func bytes(_ count: Int) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: count)
        let ok = output.withUnsafeMutableBytes { RAND_bytes($0.baseAddress, Int32(count)) }
        // RAND_bytes fails only when the DRBG cannot be seeded: never hand out predictable bytes.
        precondition(ok == 1, "RAND_bytes failed: the system random source is unavailable")
        return output
    }
}
