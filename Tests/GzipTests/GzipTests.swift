import Gzip
import Testing

@Suite struct GzipTests {
    @Test func roundTripsEmptySmallAndLargeInputs() throws {
        for input in [[], Array("hello".utf8), (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 7) }] as [[UInt8]] {
            let compressed = try Gzip.compress(input)
            #expect(compressed.prefix(2) == [0x1f, 0x8b], "gzip magic")
            #expect(try Gzip.decompress(compressed, limit: input.count) == input)
        }
    }

    @Test func aBombIsStoppedAtTheLimit() throws {
        let bomb = try Gzip.compress([UInt8](repeating: 0, count: 8 << 20))
        #expect(bomb.count < 20_000)
        #expect(throws: GzipError.self) { try Gzip.decompress(bomb, limit: 1 << 20) }
        do {
            _ = try Gzip.decompress(bomb, limit: 1 << 20)
        } catch {
            #expect(error.limit == 1 << 20)
        }
    }

    @Test func corruptTruncatedAndTrailingInputsAreRejected() throws {
        let good = try Gzip.compress(Array(repeating: 7, count: 10_000))
        #expect(throws: GzipError.self) { try Gzip.decompress(Array("not gzip at all".utf8), limit: 1 << 20) }
        #expect(throws: GzipError.self) { try Gzip.decompress(Array(good.dropLast(6)), limit: 1 << 20) }
        #expect(throws: GzipError.self) { try Gzip.decompress(good + [1, 2, 3], limit: 1 << 20) }
        #expect(throws: GzipError.self) { try Gzip.decompress([], limit: 1 << 20) }
        var flipped = good
        flipped[flipped.count - 5] ^= 0xff // the CRC-32/length trailer
        #expect(throws: GzipError.self) { try Gzip.decompress(flipped, limit: 1 << 20) }
    }
}
