import NIOCore
@testable import RPC
import XCTest

/// The length-prefixed framing, fed the way HTTP/2 DATA frames deliver it.
final class EnvelopeTests: XCTestCase {
    func envelope(_ bytes: [UInt8], flags: Envelope.Flags = []) -> ByteBuffer {
        Envelope.encode(ByteBuffer(bytes: bytes), flags: flags)
    }

    func testAPrefixSplitAcrossChunksIsReassembled() throws {
        let whole = envelope(Array("hello, world".utf8))
        // Every split point, including inside the 5-byte prefix.
        for split in 1..<whole.readableBytes {
            var reader = EnvelopeReader(maxMessageSize: 1024)
            reader.append(whole.getSlice(at: 0, length: split)!)
            if split < whole.readableBytes {
                XCTAssertNil(try reader.next(), "split at \(split)")
            }
            reader.append(whole.getSlice(at: split, length: whole.readableBytes - split)!)
            let message = try XCTUnwrap(try reader.next(), "split at \(split)")
            XCTAssertEqual(String(buffer: message.message), "hello, world")
            XCTAssertEqual(reader.pendingBytes, 0)
        }
    }

    func testSeveralEnvelopesInOneChunkAndOneByteAtATime() throws {
        var all = envelope([1, 2, 3])
        var second = envelope([])
        var third = envelope([9], flags: .compressed)
        all.writeBuffer(&second)
        all.writeBuffer(&third)
        var reader = EnvelopeReader(maxMessageSize: 1024)
        reader.append(all)
        XCTAssertEqual(try reader.next()?.message, ByteBuffer(bytes: [1, 2, 3]))
        let empty = try XCTUnwrap(try reader.next())
        XCTAssertEqual(empty.message.readableBytes, 0, "a zero-length message is a message")
        XCTAssertEqual(try reader.next()?.flags, .compressed)
        XCTAssertNil(try reader.next())

        var trickle = EnvelopeReader(maxMessageSize: 1024)
        var count = 0
        for byte in envelope([7, 7, 7]).readableBytesView {
            trickle.append(ByteBuffer(bytes: [byte]))
            while try trickle.next() != nil { count += 1 }
        }
        XCTAssertEqual(count, 1)
    }

    func testADeclaredLengthOverTheLimitFailsBeforeTheBodyArrives() {
        var reader = EnvelopeReader(maxMessageSize: 100)
        var prefix = ByteBuffer()
        prefix.writeInteger(UInt8(0))
        prefix.writeInteger(UInt32(101))
        reader.append(prefix)  // only the prefix: the limit is known already
        XCTAssertThrowsError(try reader.next()) { error in
            XCTAssertEqual((error as? RPCError)?.code, .resourceExhausted)
        }
        var atLimit = EnvelopeReader(maxMessageSize: 100)
        atLimit.append(envelope([UInt8](repeating: 1, count: 100)))
        XCTAssertEqual(try atLimit.next()?.message.readableBytes, 100)
    }

    func testTimeoutsParse() {
        XCTAssertEqual(Timeout.parseGRPC("100m"), .milliseconds(100))
        XCTAssertEqual(Timeout.parseGRPC("2S"), .seconds(2))
        XCTAssertEqual(Timeout.parseGRPC("1H"), .seconds(3600))
        XCTAssertEqual(Timeout.parseGRPC("5u"), .microseconds(5))
        XCTAssertNil(Timeout.parseGRPC("100"))
        XCTAssertNil(Timeout.parseGRPC("123456789S"), "at most 8 digits")
        XCTAssertNil(Timeout.parseGRPC("-1S"))
        XCTAssertNil(Timeout.parseGRPC("1x"))
        XCTAssertEqual(Timeout.parseConnect("1500"), .milliseconds(1500))
        XCTAssertNil(Timeout.parseConnect("12345678901"))
        XCTAssertNil(Timeout.parseConnect("1.5"))
    }

    func testGRPCMessagePercentEncoding() {
        XCTAssertEqual(PercentEncoding.encode("plain text: ok"), "plain text: ok")
        XCTAssertEqual(PercentEncoding.encode("100% sure"), "100%25 sure")
        XCTAssertEqual(PercentEncoding.encode("line\nbreak"), "line%0Abreak")
        XCTAssertEqual(PercentEncoding.encode("café"), "caf%C3%A9")
    }

    func testConnectCodesMapToHTTPStatuses() {
        XCTAssertEqual(RPCCode.notFound.connectHTTPStatus, 404)
        XCTAssertEqual(RPCCode.unauthenticated.connectHTTPStatus, 401)
        XCTAssertEqual(RPCCode.resourceExhausted.connectHTTPStatus, 429)
        XCTAssertEqual(RPCCode.cancelled.connectName, "canceled")
        XCTAssertEqual(Set(RPCCode.allCases.map(\.connectName)).count, RPCCode.allCases.count)
    }
}
