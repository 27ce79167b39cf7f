import Foundation
import Gzip
import NIOCore
@testable import RPC
import RPCMessages
import SwiftProtobuf
import Testing

/// The protocols end to end in memory: one registered handler, many wire shapes.
@Suite struct ProtocolTests {
    static let ping = "/ledgerbridge.v1.DiagnosticsService/Ping"
    static let echo = "/test.Echo/Chat"
    static let sum = "/test.Echo/Sum"
    static let fail = "/test.Echo/Fail"

    let server: RPCServer = {
        var registry = MethodRegistry()
        registry.unary(ProtocolTests.ping) { (request: Ledgerbridge_V1_PingRequest, _) in
            var response = Ledgerbridge_V1_PingResponse()
            response.payload = request.payload
            return response
        }
        // Bidirectional: one reply per message, as it arrives.
        registry.bidiStreaming(ProtocolTests.echo) { (requests: RPCRequestStream<Ledgerbridge_V1_PingRequest>, _, writer: RPCStreamWriter<Ledgerbridge_V1_PingResponse>) in
            for try await request in requests {
                var response = Ledgerbridge_V1_PingResponse()
                response.payload = request.payload + request.payload
                try await writer.send(response)
            }
        }
        // Client streaming: one reply after the last message.
        registry.clientStreaming(ProtocolTests.sum) { (requests: RPCRequestStream<Ledgerbridge_V1_PingRequest>, _) in
            var all = Data()
            for try await request in requests { all += request.payload }
            var response = Ledgerbridge_V1_PingResponse()
            response.payload = all
            return response
        }
        registry.unary(ProtocolTests.fail) { (_: Ledgerbridge_V1_PingRequest, _) -> Ledgerbridge_V1_PingResponse in
            var violation = Google_Rpc_BadRequest.FieldViolation()
            violation.field = "payload"
            violation.description_p = "must not be empty"
            var detail = Google_Rpc_BadRequest()
            detail.fieldViolations = [violation]
            throw RPCError(.invalidArgument, "payload: must not be empty", details: [detail])
        }
        return RPCServer(registry: registry, maxMessageSize: 64 << 10)
    }()

    static let grpcHeaders = [(name: "content-type", value: "application/grpc"), (name: "te", value: "trailers")]

    func pingBytes(_ payload: [UInt8]) throws -> [UInt8] {
        var request = Ledgerbridge_V1_PingRequest()
        request.payload = Data(payload)
        return try request.serializedBytes()
    }

    func pingPayload(_ envelope: Envelope) throws -> [UInt8] {
        Array(try Ledgerbridge_V1_PingResponse(serializedBytes: Array(envelope.message.readableBytesView)).payload)
    }

    // MARK: framing

    @Test func aPrefixSplitAcrossOneByteChunksStillMakesOneCall() async throws {
        let body = grpcBody([try pingBytes(Array("hello".utf8))])
        let response = await InMemoryCall(path: Self.ping, headers: Self.grpcHeaders, chunks: chunked(body, size: 1)).run(on: server)
        #expect(response.grpcStatus == 0)
        let envelopes = try response.envelopes()
        #expect(envelopes.count == 1)
        #expect(try pingPayload(envelopes[0]) == Array("hello".utf8))
    }

    @Test func aZeroLengthMessageIsAValidRequestAndResponse() async throws {
        let response = await InMemoryCall(path: Self.ping, headers: Self.grpcHeaders, chunks: [grpcBody([[]])]).run(on: server)
        #expect(response.grpcStatus == 0)
        let envelopes = try response.envelopes()
        #expect(envelopes.count == 1)
        #expect(envelopes[0].message.readableBytes == 0)
    }

    @Test func theCompressedFlagWithoutAnEncodingIsInternal() async throws {
        let body = grpcBody([try pingBytes([1])], flags: .compressed)
        let response = await InMemoryCall(path: Self.ping, headers: Self.grpcHeaders, chunks: [body]).run(on: server)
        #expect(response.headEndedStream, "trailers-only")
        #expect(response.grpcStatus == RPCCode.internal.rawValue)
    }

    @Test func aDeclaredLengthOverTheLimitIsRefusedBeforeItArrives() async throws {
        var body = ByteBuffer()
        body.writeInteger(UInt8(0))
        body.writeInteger(UInt32(1 << 20)) // 1 MiB declared, limit is 64 KiB; no bytes follow
        let response = await InMemoryCall(path: Self.ping, headers: Self.grpcHeaders, chunks: [body]).run(on: server)
        #expect(response.grpcStatus == RPCCode.resourceExhausted.rawValue)
    }

    @Test func aBodyThatEndsInsideAMessageIsInvalidArgument() async throws {
        let body = grpcBody([try pingBytes(Array("truncated".utf8))])
        let response = await InMemoryCall(path: Self.ping, headers: Self.grpcHeaders, chunks: [body.getSlice(at: 0, length: body.readableBytes - 2)!]).run(on: server)
        #expect(response.grpcStatus == RPCCode.invalidArgument.rawValue)
    }

    @Test func anUnknownMethodIsTrailersOnlyUnimplemented() async throws {
        let response = await InMemoryCall(path: "/nope.Service/Method", headers: Self.grpcHeaders, chunks: [grpcBody([[]])]).run(on: server)
        #expect(response.status == 200)
        #expect(response.headEndedStream)
        #expect(response.header("grpc-status") == "12")
        #expect(response.body.readableBytes == 0)
    }

    // MARK: compression

    @Test func gzipRequestsAreInflatedAndLargeResponsesCompressed() async throws {
        let payload = [UInt8](repeating: 0x61, count: 10_000)
        let compressed = try Gzip.compress(try pingBytes(payload))
        let headers = Self.grpcHeaders + [("grpc-encoding", "gzip"), ("grpc-accept-encoding", "gzip")]
        let response = await InMemoryCall(path: Self.ping, headers: headers, chunks: chunked(grpcBody([compressed], flags: .compressed), size: 7)).run(on: server)
        #expect(response.grpcStatus == 0)
        #expect(response.header("grpc-encoding") == "gzip")
        #expect(response.header("grpc-accept-encoding")?.contains("gzip") == true)
        let envelopes = try response.envelopes()
        #expect(envelopes.count == 1)
        #expect(envelopes[0].flags.contains(.compressed))
        #expect(envelopes[0].message.readableBytes < 1_000, "10 kB of one letter compresses well")
        let inflated = try Gzip.decompress(Array(envelopes[0].message.readableBytesView), limit: 1 << 20)
        #expect(Array(try Ledgerbridge_V1_PingResponse(serializedBytes: inflated).payload) == payload)
    }

    @Test func smallResponsesAreSentUncompressedEvenUnderGzip() async throws {
        let headers = Self.grpcHeaders + [("grpc-encoding", "gzip"), ("grpc-accept-encoding", "gzip")]
        let body = grpcBody([try Gzip.compress(try pingBytes([1, 2, 3]))], flags: .compressed)
        let response = await InMemoryCall(path: Self.ping, headers: headers, chunks: [body]).run(on: server)
        let envelopes = try response.envelopes()
        #expect(response.grpcStatus == 0)
        #expect(envelopes.first?.flags.contains(.compressed) == false)
        #expect(try envelopes.first.map(pingPayload) == [1, 2, 3])
    }

    @Test func identityRequestsGetIdentityResponses() async throws {
        let response = await InMemoryCall(path: Self.ping, headers: Self.grpcHeaders + [("grpc-accept-encoding", "gzip, identity")],
                                          chunks: [grpcBody([try pingBytes(Array(repeating: 1, count: 5000))])]).run(on: server)
        #expect(response.header("grpc-encoding") == nil)
        #expect(try response.envelopes().first?.flags.contains(.compressed) == false)
    }

    @Test func anUnsupportedEncodingIsUnimplementedAndSaysWhatIsSupported() async throws {
        let response = await InMemoryCall(path: Self.ping, headers: Self.grpcHeaders + [("grpc-encoding", "br")], chunks: [grpcBody([[]])]).run(on: server)
        #expect(response.grpcStatus == RPCCode.unimplemented.rawValue)
        #expect(response.header("grpc-accept-encoding") == "gzip, identity")
    }

    @Test func aGzipBombIsResourceExhaustedNotAllocated() async throws {
        // 16 MiB of zeros in a message field, against a 64 KiB limit.
        var request = Ledgerbridge_V1_PingRequest()
        request.payload = Data(count: 16 << 20)
        let bomb = try Gzip.compress(try request.serializedBytes())
        #expect(bomb.count < 64 << 10)
        let response = await InMemoryCall(path: Self.ping, headers: Self.grpcHeaders + [("grpc-encoding", "gzip")],
                                          chunks: [grpcBody([bomb], flags: .compressed)]).run(on: server)
        #expect(response.grpcStatus == RPCCode.resourceExhausted.rawValue)
    }

    @Test func corruptGzipIsInternal() async throws {
        let response = await InMemoryCall(path: Self.ping, headers: Self.grpcHeaders + [("grpc-encoding", "gzip")],
                                          chunks: [grpcBody([Array("not gzip".utf8)], flags: .compressed)]).run(on: server)
        #expect(response.grpcStatus == RPCCode.internal.rawValue)
    }

    @Test func connectUnaryGzipBothWays() async throws {
        var request = Ledgerbridge_V1_PingRequest()
        request.payload = Data(repeating: 0x62, count: 6000)
        let body = try Gzip.compress(try request.jsonUTF8Bytes() as [UInt8])
        let response = await InMemoryCall(path: Self.ping, headers: [("content-type", "application/json"), ("content-encoding", "gzip"),
                                                                     ("accept-encoding", "gzip")], chunks: [ByteBuffer(bytes: body)]).run(on: server)
        #expect(response.status == 200)
        #expect(response.header("content-encoding") == "gzip")
        let json = try Gzip.decompress(Array(response.body.readableBytesView), limit: 1 << 20)
        #expect(try Ledgerbridge_V1_PingResponse(jsonUTF8Bytes: json).payload == request.payload)
    }

    @Test func connectUnaryWithAnUnknownEncodingIsUnimplemented() async throws {
        let response = await InMemoryCall(path: Self.ping, headers: [("content-type", "application/json"), ("content-encoding", "br")],
                                          chunks: [ByteBuffer(string: "{}")]).run(on: server)
        #expect(response.status == RPCCode.unimplemented.connectHTTPStatus)
        #expect(String(buffer: response.body).contains("\"unimplemented\""))
    }

    // MARK: error details

    @Test func grpcErrorDetailsTravelInGrpcStatusDetailsBin() async throws {
        let response = await InMemoryCall(path: Self.fail, headers: Self.grpcHeaders, chunks: [grpcBody([[]])]).run(on: server)
        #expect(response.grpcStatus == RPCCode.invalidArgument.rawValue)
        let encoded = try #require(response.header("grpc-status-details-bin"))
        #expect(!encoded.hasSuffix("="), "binary metadata is sent unpadded")
        let padded = encoded + String(repeating: "=", count: (4 - encoded.count % 4) % 4)
        let status = try Google_Rpc_Status(serializedBytes: try #require(Data(base64Encoded: padded)))
        #expect(status.code == Int32(RPCCode.invalidArgument.rawValue))
        #expect(status.message == "payload: must not be empty")
        #expect(status.details.count == 1)
        let detail = try Google_Rpc_BadRequest(unpackingAny: status.details[0])
        #expect(detail.fieldViolations.first?.field == "payload")
    }

    @Test func connectErrorDetailsAreTypedJSON() async throws {
        let response = await InMemoryCall(path: Self.fail, headers: [("content-type", "application/json")], chunks: [ByteBuffer(string: "{}")]).run(on: server)
        #expect(response.status == 400)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
        #expect(object["code"] as? String == "invalid_argument")
        let details = try #require(object["details"] as? [[String: Any]])
        #expect(details.first?["type"] as? String == "google.rpc.BadRequest")
        var value = try #require(details.first?["value"] as? String)
        value += String(repeating: "=", count: (4 - value.count % 4) % 4)
        let detail = try Google_Rpc_BadRequest(serializedBytes: try #require(Data(base64Encoded: value)))
        #expect(detail.fieldViolations.first?.description_p == "must not be empty")
    }

    // MARK: client and bidirectional streaming

    @Test func bidiStreamingRepliesToEachMessageInOrder() async throws {
        let messages = try (1...5).map { try pingBytes([UInt8]($0...$0)) }
        let response = await InMemoryCall(path: Self.echo, headers: Self.grpcHeaders, chunks: chunked(grpcBody(messages), size: 3)).run(on: server)
        #expect(response.grpcStatus == 0)
        #expect(try response.envelopes().map(pingPayload) == (1...5).map { [UInt8($0), UInt8($0)] })
    }

    @Test func clientStreamingAnswersOnceAfterTheLastMessage() async throws {
        let messages = try (1...4).map { try pingBytes([UInt8($0)]) }
        let response = await InMemoryCall(path: Self.sum, headers: Self.grpcHeaders, chunks: [grpcBody(messages)]).run(on: server)
        #expect(response.grpcStatus == 0)
        #expect(try response.envelopes().map(pingPayload) == [[1, 2, 3, 4]])
    }

    @Test func aBadMessageMidStreamEndsTheCallWithInvalidArgument() async throws {
        let body = grpcBody([try pingBytes([1]), [0xff, 0xff, 0xff]])
        let response = await InMemoryCall(path: Self.echo, headers: Self.grpcHeaders, chunks: [body]).run(on: server)
        #expect(response.grpcStatus == RPCCode.invalidArgument.rawValue)
        #expect(try response.envelopes().count == 1, "the first reply went out before the bad message")
    }

    @Test func connectStreamingServesBidiWithAnEndOfStreamMessage() async throws {
        var body = ByteBuffer()
        for n in 1...3 {
            var request = Ledgerbridge_V1_PingRequest()
            request.payload = Data([UInt8(n)])
            Envelope(message: ByteBuffer(bytes: try request.jsonUTF8Bytes() as [UInt8])).write(to: &body)
        }
        let response = await InMemoryCall(path: Self.echo, headers: [("content-type", "application/connect+json")], chunks: [body]).run(on: server)
        let envelopes = try response.envelopes()
        #expect(envelopes.count == 4)
        #expect(envelopes.last?.flags.contains(.connectEndStream) == true)
        #expect(String(buffer: envelopes.last!.message) == "{}")
    }

    @Test func connectUnaryContentTypeOnAStreamingMethodIs415() async throws {
        let response = await InMemoryCall(path: Self.echo, headers: [("content-type", "application/json")], chunks: [ByteBuffer(string: "{}")]).run(on: server)
        #expect(response.status == 415)
    }
}
