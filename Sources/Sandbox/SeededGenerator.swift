import Foundation

/// A deterministic random source (SplitMix64): the same seed gives the same
/// organisations and data on every run and machine.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    /// A stream of its own for something that already has a (seeded) id.
    public init(seed id: UUID) {
        state = withUnsafeBytes(of: id.uuid) { $0.load(as: UInt64.self) ^ $0.load(fromByteOffset: 8, as: UInt64.self) }
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A version-4-shaped UUID from the stream.
    public mutating func nextUUID() -> UUID {
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in stride(from: 0, to: 16, by: 8) {
            withUnsafeBytes(of: next().littleEndian) { bytes.replaceSubrange(i..<i + 8, with: $0) }
        }
        bytes[6] = bytes[6] & 0x0f | 0x40
        bytes[8] = bytes[8] & 0x3f | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
