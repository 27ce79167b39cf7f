import Cryptography
import Foundation
import Testing

@Suite struct HMACTests {
    @Test func rfc4231TestCase2() {
        let mac = HMAC.sha256(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(Digest.hex(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func xeroWebhookVectorFromTheReference() {
        // ../shared/reference/xero-api.md §6: the signature Xero would send for this body.
        let body = #"{"events":[],"lastEventSequence":0,"firstEventSequence":0,"entropy":"S0m3r4Nd0mt3xt"}"#
        let mac = HMAC.sha256(key: Array("SIM-WEBHOOK-KEY-123".utf8), message: Array(body.utf8))
        #expect(Data(mac).base64EncodedString() == "rjBOTOqLeSlVZ5D51qTpq4NBKiG27i4VIlVrfBFcnpo=")
    }

    @Test func emptyKeyAndMessageWork() {
        #expect(Digest.hex(HMAC.sha256(key: [UInt8](), message: [UInt8]())) == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    @Test func constantTimeEquality() {
        #expect(HMAC.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!HMAC.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!HMAC.constantTimeEquals([1, 2, 3], [1, 2]))
    }
}
