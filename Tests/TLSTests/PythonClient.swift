import Foundation

/// A TLS client we did not write: CPython's `ssl` module, run as `python3 -c` with a JSON
/// configuration, reporting what happened as one JSON object on stdout.
struct PythonTLSClient {
    struct Options: Encodable {
        var host = "127.0.0.1"
        var port: Int
        var cafile: String
        var serverHostname: String? = nil
        var minimumVersion: String? = nil  // ssl.TLSVersion member name, e.g. "TLSv1_2"
        var maximumVersion: String? = nil
        var ciphers: String? = nil
        var alpn: [String]? = nil  // nil: no ALPN extension at all
        var echoBytes = 0  // send this many random bytes, expect them back
        var expectPatternBytes = 0  // read this many bytes, byte i being i % 251
        var request: String? = nil  // send, then read the response up to a clean close
        var expectGreeting: String? = nil  // read this first, right after the handshake
        var closeNotify = true  // end with unwrap() (send close_notify, await the server's)
        var rawSendHex: String? = nil  // no TLS: send these bytes, read until the server closes
        var timeout = 20.0

        enum CodingKeys: String, CodingKey {
            case host, port, cafile, ciphers, alpn, request, timeout
            case serverHostname = "server_hostname", minimumVersion = "min", maximumVersion = "max"
            case echoBytes = "echo_bytes", expectPatternBytes = "expect_pattern_bytes", expectGreeting = "expect_greeting", closeNotify = "close_notify"
            case rawSendHex = "raw_send_hex"
        }
    }

    struct Report: Decodable {
        var version: String?
        var alpn: String?
        var cipher: String?
        var echoOK: Bool?
        var echoedBytes: Int?
        var patternOK: Bool?
        var sessionTicket: Bool?
        var greeting: String?
        var response: String?
        var unwrapped: Bool?
        var rawReceived: Int?
        var rawClosed: Bool?
        var error: String?

        enum CodingKeys: String, CodingKey {
            case version, alpn, cipher, greeting, response, unwrapped, error
            case echoOK = "echo_ok", echoedBytes = "echoed_bytes", patternOK = "pattern_ok", sessionTicket = "session_ticket"
            case rawReceived = "raw_received", rawClosed = "raw_closed"
        }
    }

    static let script = #"""
import hashlib, json, os, socket, ssl, sys

cfg = json.loads(sys.argv[1])
out = {}

def recv_exactly(sock, n):
    chunks, got = [], 0
    while got < n:
        data = sock.recv(min(65536, n - got))
        if not data:
            break
        chunks.append(data)
        got += len(data)
    return b"".join(chunks)

try:
    if cfg.get("raw_send_hex"):
        raw = socket.create_connection((cfg["host"], cfg["port"]), timeout=cfg["timeout"])
        raw.sendall(bytes.fromhex(cfg["raw_send_hex"]))
        received = 0
        while True:
            data = raw.recv(65536)
            if not data:
                break
            received += len(data)
        out["raw_received"] = received
        out["raw_closed"] = True
        raw.close()
    else:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.load_verify_locations(cfg["cafile"])
        if cfg.get("min"):
            ctx.minimum_version = getattr(ssl.TLSVersion, cfg["min"])
        if cfg.get("max"):
            ctx.maximum_version = getattr(ssl.TLSVersion, cfg["max"])
        if cfg.get("ciphers"):
            ctx.set_ciphers(cfg["ciphers"])
        if cfg.get("alpn") is not None:
            ctx.set_alpn_protocols(cfg["alpn"])
        raw = socket.create_connection((cfg["host"], cfg["port"]), timeout=cfg["timeout"])
        # suppress_ragged_eofs=False: a close without close_notify raises instead of looking clean.
        s = ctx.wrap_socket(raw, server_hostname=cfg.get("server_hostname") or cfg["host"],
                            suppress_ragged_eofs=False)
        out["version"] = s.version()
        out["alpn"] = s.selected_alpn_protocol()
        out["cipher"] = s.cipher()[0]
        if cfg.get("expect_greeting"):
            want = cfg["expect_greeting"].encode()
            out["greeting"] = recv_exactly(s, len(want)).decode(errors="replace")
        n = cfg.get("expect_pattern_bytes", 0)
        if n:
            got = recv_exactly(s, n)
            out["pattern_ok"] = got == (bytes(range(251)) * (n // 251 + 1))[:n]
        n = cfg.get("echo_bytes", 0)
        if n:
            payload = os.urandom(n)
            # The server reads everything while it echoes, so sending all first cannot deadlock.
            s.sendall(payload)
            echoed = recv_exactly(s, n)
            out["echoed_bytes"] = len(echoed)
            out["echo_ok"] = hashlib.sha256(echoed).digest() == hashlib.sha256(payload).digest()
        # After application data has been read, any TLS 1.3 NewSessionTicket has arrived too.
        out["session_ticket"] = bool(s.session is not None and s.session.has_ticket)
        if cfg.get("request"):
            s.sendall(cfg["request"].encode())
            chunks = []
            while True:
                data = s.recv(65536)
                if not data:
                    break
                chunks.append(data)
            out["response"] = b"".join(chunks).decode(errors="replace")
            s.close()
        elif cfg.get("close_notify", True):
            s.unwrap().close()
            out["unwrapped"] = True
        else:
            s.close()
except Exception as e:
    out["error"] = "%s: %s" % (type(e).__name__, e)
print(json.dumps(out))
sys.exit(3 if "error" in out else 0)
"""#

    static func run(_ options: Options) throws -> (report: Report, result: SubprocessResult) {
        let json = String(decoding: try JSONEncoder().encode(options), as: UTF8.self)
        let result = try Subprocess.run(
            ["python3", "-c", script, json], timeout: options.timeout + 10)
        guard !result.timedOut else {
            throw FixtureError("the Python client timed out: \(result.summary)")
        }
        let line = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        guard let report = try? JSONDecoder().decode(Report.self, from: Data(line.utf8)) else {
            throw FixtureError("the Python client printed no report: \(result.summary)")
        }
        return (report, result)
    }
}
