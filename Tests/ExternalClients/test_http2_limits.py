"""HTTP/2 limits of the real `ledgerbridge serve`: abusive clients (rapid reset, PING,
SETTINGS and CONTINUATION floods, a peer that never reads) are GOAWAYed or stalled while
normal calls keep working and the server's memory stays bounded; idle connections are
closed, connections with an open stream are not.

The abusive client is hand-built frames over a socket (plain or TLS with ALPN h2): no
HTTP/2 library would send these. Normal traffic comes from curl and h2load. Every wait
has a generous bound: these run on a loaded two-core machine.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import select
import signal
import socket
import ssl
import struct
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, List, Optional

import pytest

from conftest import READY_TIMEOUT, ROOT_DIR, SHUTDOWN_TIMEOUT

# RSS may grow at most this much over the warmed-up baseline during any attack. One
# abusive connection may make the server hold its memory budget (16 MiB by default);
# the rest is headroom for allocator behaviour and the normal traffic running meanwhile.
RSS_HEADROOM = 64 << 20

PING_PATH = "/ledgerbridge.v1.DiagnosticsService/Ping"

DATA, HEADERS, PRIORITY, RST_STREAM, SETTINGS, PUSH_PROMISE, PING, GOAWAY, WINDOW_UPDATE, CONTINUATION = range(10)
END_STREAM, ACK, END_HEADERS = 0x1, 0x1, 0x4
NO_ERROR, PROTOCOL_ERROR, INTERNAL_ERROR, REFUSED_STREAM, CANCEL, ENHANCE_YOUR_CALM = 0x0, 0x1, 0x2, 0x7, 0x8, 0xB
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


# ----------------------------------------------------------------------------- frames


def frame(kind: int, flags: int = 0, stream: int = 0, payload: bytes = b"") -> bytes:
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream & 0x7FFFFFFF) + payload


def hpack_int(value: int, prefix_bits: int, first: int = 0) -> bytes:
    limit = (1 << prefix_bits) - 1
    if value < limit:
        return bytes([first | value])
    out = bytearray([first | limit])
    value -= limit
    while value >= 128:
        out.append(value % 128 + 128)
        value //= 128
    out.append(value)
    return bytes(out)


def header_block(fields) -> bytes:
    """Literal fields without indexing, no Huffman: valid HPACK that leaves no table state."""
    out = bytearray()
    for name, value in fields:
        name, value = name.encode(), value.encode()
        out += b"\x00" + hpack_int(len(name), 7) + name + hpack_int(len(value), 7) + value
    return bytes(out)


def request_fields(path: str, method: str = "POST", content_type: Optional[str] = "application/json"):
    fields = [(":method", method), (":scheme", "http"), (":path", path), (":authority", "localhost")]
    if content_type:
        fields.append(("content-type", content_type))
    return fields


def headers_frame(stream: int, fields, end_stream: bool = True, end_headers: bool = True) -> bytes:
    flags = (END_STREAM if end_stream else 0) | (END_HEADERS if end_headers else 0)
    return frame(HEADERS, flags, stream, header_block(fields))


def settings_frame(entries=()) -> bytes:
    return frame(SETTINGS, 0, 0, b"".join(struct.pack(">HI", key, value) for key, value in entries))


@dataclass
class Frame:
    kind: int
    flags: int
    stream: int
    payload: bytes

    @property
    def error_code(self) -> Optional[int]:
        if self.kind == RST_STREAM and len(self.payload) >= 4:
            return struct.unpack(">I", self.payload[:4])[0]
        if self.kind == GOAWAY and len(self.payload) >= 8:
            return struct.unpack(">I", self.payload[4:8])[0]
        return None


class RawH2:
    """One HTTP/2 connection driven frame by frame, single-threaded (TLS sockets must not be
    read and written from two threads): every send is followed by reading what has arrived."""

    def __init__(self, port: int, ca: Optional[Path] = None, timeout: float = 5.0) -> None:
        sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        if ca is not None:
            context = ssl.create_default_context(cafile=str(ca))
            context.set_alpn_protocols(["h2"])
            sock = context.wrap_socket(sock, server_hostname="localhost")
            assert sock.selected_alpn_protocol() == "h2"
        self.sock = sock
        self.buffer = b""
        self.frames: List[Frame] = []
        self.closed = False  # the server closed (or reset) the connection
        self.send_blocked = False  # a send waited `timeout` seconds: the server stopped reading

    def __enter__(self) -> "RawH2":
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    def start(self, settings=()) -> "RawH2":
        self.send(PREFACE + settings_frame(settings))
        return self

    def send(self, data: bytes, chunk: int = 16384) -> bool:
        """Sends `data`, reading what arrives in between; False once the connection broke or blocked."""
        for offset in range(0, len(data), chunk):
            if self.closed:
                return False
            try:
                self.sock.sendall(data[offset:offset + chunk])
            except socket.timeout:
                self.send_blocked = True
                return False
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
                self.closed = True
                return False
            self.pump(0)
        return True

    def pump(self, wait: float) -> None:
        """Reads whatever arrives within `wait` seconds (and then whatever is already there)."""
        deadline = time.monotonic() + wait
        while not self.closed:
            pending = isinstance(self.sock, ssl.SSLSocket) and self.sock.pending() > 0
            if not pending:
                remaining = max(0.0, deadline - time.monotonic())
                readable, _, _ = select.select([self.sock], [], [], remaining)
                if not readable:
                    return
            try:
                data = self.sock.recv(65536)
            except (ssl.SSLWantReadError, BlockingIOError):
                continue
            except socket.timeout:
                return
            except (ConnectionResetError, ssl.SSLError, OSError):
                data = b""
            if not data:
                self.closed = True
                return
            self.buffer += data
            self._parse()
            deadline = time.monotonic()  # got something: only drain what is already there

    def _parse(self) -> None:
        while len(self.buffer) >= 9:
            length = int.from_bytes(self.buffer[:3], "big")
            if len(self.buffer) < 9 + length:
                return
            kind, flags = self.buffer[3], self.buffer[4]
            stream = int.from_bytes(self.buffer[5:9], "big") & 0x7FFFFFFF
            self.frames.append(Frame(kind, flags, stream, self.buffer[9:9 + length]))
            self.buffer = self.buffer[9 + length:]

    def wait_for(self, predicate: Callable[["RawH2"], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not predicate(self):
            if self.closed or time.monotonic() > deadline:
                return predicate(self)
            self.pump(0.2)
        return True

    def goaway(self) -> Optional[Frame]:
        return next((f for f in self.frames if f.kind == GOAWAY), None)

    def wait_closed(self, timeout: float) -> bool:
        return self.wait_for(lambda c: c.closed, timeout)


# ----------------------------------------------------------------------------- the server


@dataclass
class Server:
    process: object
    port: int
    tls_port: Optional[int]
    ca: Optional[Path]
    baseline_rss: int = 0
    samples: List[int] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.process.proc.pid

    def rss(self) -> int:
        status = Path(f"/proc/{self.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) * 1024

    def alive(self) -> bool:
        return self.process.proc.poll() is None


def start_server(cli, env, tmp_path_factory, extra_env) -> Server:
    certs = tmp_path_factory.mktemp("limits-tls")
    made = subprocess.run([str(ROOT_DIR / "ops/make-dev-cert"), str(certs)], capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    environment = {
        "LEDGERBRIDGE_TLS_PORT": "0",
        "LEDGERBRIDGE_TLS_CERT": str(certs / "server.pem"),
        "LEDGERBRIDGE_TLS_KEY": str(certs / "server.key"),
        **extra_env,
    }
    process = cli.serve(env.app_url, env.migrations_dir, env=environment)
    line = process.wait_for_line("ledgerbridge serve: ready", READY_TIMEOUT)
    assert line, f"serve did not become ready:\n{process.explain()}"
    port = int(re.search(r"http://127\.0\.0\.1:(\d+)", line).group(1))
    tls_port = int(re.search(r"https://127\.0\.0\.1:(\d+)", line).group(1))
    return Server(process, port, tls_port, certs / "ca.pem")


@pytest.fixture(scope="module")
def server(cli, env, tmp_path_factory):
    """The abuse target: default limits (300 s idle, 16 MiB budget, 100 streams)."""
    srv = start_server(cli, env, tmp_path_factory, {})
    with srv.process:
        # Warm up (thread pools, allocator arenas) before taking the baseline.
        for _ in range(3):
            assert connect_ping(srv.port)
        h2load(srv.port, requests=3000, clients=4, streams=20)
        srv.baseline_rss = srv.rss()
        print(f"\n[rss] baseline after warm-up: {srv.baseline_rss / 2**20:.1f} MiB")
        yield srv
        print(f"\n[rss] end of module: {srv.rss() / 2**20:.1f} MiB (baseline {srv.baseline_rss / 2**20:.1f} MiB)")
        assert srv.process.stop(signal.SIGTERM, SHUTDOWN_TIMEOUT) == 0, srv.process.explain()


def connect_ping(port: int, scheme: str = "http", ca: Optional[Path] = None, payload: str = "aGk=") -> bool:
    """A normal Connect unary call over h2 with curl; True when it echoed the payload."""
    args = ["curl", "-sS", "--max-time", "20"]
    if scheme == "https":
        args += ["--http2", "--cacert", str(ca), f"https://localhost:{port}{PING_PATH}"]
    else:
        args += ["--http2-prior-knowledge", f"http://127.0.0.1:{port}{PING_PATH}"]
    args += ["-H", "content-type: application/json", "-d", json.dumps({"payload": payload})]
    out = subprocess.run(args, capture_output=True, text=True, timeout=30)
    try:
        return out.returncode == 0 and json.loads(out.stdout) == {"payload": payload}
    except ValueError:
        return False


def _ping_body_file() -> Path:
    handle, name = tempfile.mkstemp(prefix="lb-limits-ping-", suffix=".json")
    with os.fdopen(handle, "w") as file:
        file.write(json.dumps({"payload": "aGk="}))
    atexit.register(lambda: os.path.exists(name) and os.remove(name))
    return Path(name)


PING_BODY = _ping_body_file()


def h2load_run(port: int, requests: int, clients: int, streams: int) -> subprocess.CompletedProcess:
    """Normal load: Connect unary Pings from h2load (its own connections)."""
    body = PING_BODY
    return subprocess.run(
        ["h2load", "-n", str(requests), "-c", str(clients), "-m", str(streams), "-d", str(body),
         "-H", "content-type: application/json", f"http://127.0.0.1:{port}{PING_PATH}"],
        capture_output=True, text=True, timeout=120)


def h2load_ok(out: subprocess.CompletedProcess, requests: int) -> bool:
    return f"{requests} succeeded" in out.stdout and f"status codes: {requests} 2xx" in out.stdout


def h2load(port: int, requests: int, clients: int, streams: int) -> str:
    """h2load's Pings, asserting that every one succeeded."""
    out = h2load_run(port, requests, clients, streams)
    assert h2load_ok(out, requests), out.stdout + out.stderr
    return out.stdout


class Meanwhile:
    """While an attack runs: normal calls in a thread (curl, and every third round 300 Pings
    from h2load over 2 connections), and RSS sampling."""

    def __init__(self, srv: Server) -> None:
        self.srv = srv
        self.stop = threading.Event()
        self.calls_ok = 0
        self.calls_failed = 0
        self.peak = 0
        self.errors: List[str] = []
        self.threads = [threading.Thread(target=self._calls, daemon=True), threading.Thread(target=self._sample, daemon=True)]

    def _calls(self) -> None:
        round_ = 0
        while not self.stop.is_set():
            round_ += 1
            if connect_ping(self.srv.port):
                self.calls_ok += 1
            else:
                self.calls_failed += 1
            if round_ % 3 == 1:
                out = h2load_run(self.srv.port, requests=300, clients=2, streams=10)
                if h2load_ok(out, 300):
                    self.calls_ok += 300
                else:
                    self.calls_failed += 1
                    self.errors.append(out.stdout[-2000:])
            time.sleep(0.05)

    def _sample(self) -> None:
        while not self.stop.is_set():
            try:
                self.peak = max(self.peak, self.srv.rss())
            except (OSError, AttributeError):
                pass
            time.sleep(0.05)

    def __enter__(self) -> "Meanwhile":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        # At least one whole call after the attack too.
        time.sleep(0.2)
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)
        self.peak = max(self.peak, self.srv.rss())

    def check(self, name: str) -> None:
        srv = self.srv
        print(f"\n[rss] {name}: peak {self.peak / 2**20:.1f} MiB, growth {(self.peak - srv.baseline_rss) / 2**20:+.1f} MiB; "
              f"normal calls meanwhile: {self.calls_ok} ok, {self.calls_failed} failed")
        assert srv.alive(), f"the server died during {name}:\n{srv.process.explain()}"
        assert self.calls_ok >= 1, f"no normal call succeeded during {name}"
        assert self.calls_failed == 0, f"{self.calls_failed} normal calls failed during {name}: {self.errors}"
        assert self.peak - srv.baseline_rss < RSS_HEADROOM, (
            f"RSS grew by {(self.peak - srv.baseline_rss) / 2**20:.1f} MiB during {name} (bound {RSS_HEADROOM >> 20} MiB)")
        assert connect_ping(srv.port), f"a normal call after {name} failed"


TRANSPORTS = ["h2c", "tls"]


def open_raw(srv: Server, transport: str, timeout: float = 5.0) -> RawH2:
    if transport == "tls":
        return RawH2(srv.tls_port, ca=srv.ca, timeout=timeout)
    return RawH2(srv.port, timeout=timeout)


# ----------------------------------------------------------------------------- attacks


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_rapid_reset_is_goawayed(server, transport):
    """HEADERS then RST_STREAM, thousands of times (CVE-2023-44487). Two defences may answer:
    ours (handlers of reset streams still running past 2 x MAX_CONCURRENT_STREAMS, so new
    streams are refused, and a peer that keeps opening them is GOAWAYed with
    ENHANCE_YOUR_CALM) or nghttp2's reset rate limit (1000 burst, 33/s: GOAWAY with
    INTERNAL_ERROR); which one first depends on how fast the handlers finish."""
    with Meanwhile(server) as meanwhile, open_raw(server, transport) as conn:
        conn.start()
        batch = b""
        stream = 1
        for i in range(6000):
            batch += headers_frame(stream, request_fields(PING_PATH)) + frame(RST_STREAM, 0, stream, struct.pack(">I", CANCEL))
            stream += 2
            if len(batch) > 16000:
                if not conn.send(batch):
                    break
                batch = b""
        conn.send(batch)
        assert conn.wait_for(lambda c: c.goaway() is not None, 30), f"no GOAWAY after {stream // 2} resets"
        assert conn.goaway().error_code in (INTERNAL_ERROR, ENHANCE_YOUR_CALM), conn.goaway()
        assert conn.wait_closed(30), "the connection was not closed after its GOAWAY"
    meanwhile.check(f"rapid reset ({transport})")


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_ping_flood_is_calmed(server, transport):
    with Meanwhile(server) as meanwhile, open_raw(server, transport) as conn:
        conn.start()
        pings = b"".join(frame(PING, 0, 0, struct.pack(">Q", i)) for i in range(2000))
        for _ in range(25):  # 50,000 PINGs
            if not conn.send(pings):
                break
        assert conn.wait_for(lambda c: c.goaway() is not None, 30), "no GOAWAY after a PING flood"
        assert conn.goaway().error_code == ENHANCE_YOUR_CALM, conn.goaway()
        assert conn.wait_closed(30)
        acks = sum(1 for f in conn.frames if f.kind == PING and f.flags & ACK)
        assert acks < 10_000, f"{acks} PING ACKs: the flood went on far too long"
    meanwhile.check(f"PING flood ({transport})")


def test_settings_flood_is_calmed(server):
    with Meanwhile(server) as meanwhile, open_raw(server, "h2c") as conn:
        conn.start()
        flood = b"".join(settings_frame([(0x4, 65535 + i % 2)]) for i in range(2000))
        for _ in range(25):  # 50,000 SETTINGS frames, each to be ACKed
            if not conn.send(flood):
                break
        assert conn.wait_for(lambda c: c.goaway() is not None, 30), "no GOAWAY after a SETTINGS flood"
        assert conn.goaway().error_code == ENHANCE_YOUR_CALM, conn.goaway()
        assert conn.wait_closed(30)
    meanwhile.check("SETTINGS flood")


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_continuation_flood_ends_the_connection(server, transport):
    """A header block that never ends (CVE-2024-28182 class): nghttp2 allows 8 CONTINUATION
    frames per block, then the session ends with GOAWAY."""
    with Meanwhile(server) as meanwhile, open_raw(server, transport) as conn:
        conn.start()
        start = headers_frame(1, request_fields(PING_PATH), end_stream=True, end_headers=False)
        pad = header_block([("x-pad", "p" * 4000)])
        conn.send(start + b"".join(frame(CONTINUATION, 0, 1, pad) for _ in range(2000)))
        assert conn.wait_for(lambda c: c.goaway() is not None, 30), "no GOAWAY after endless CONTINUATION frames"
        assert conn.goaway().error_code == ENHANCE_YOUR_CALM, conn.goaway()
        assert conn.wait_closed(30)
    meanwhile.check(f"CONTINUATION flood ({transport})")


def test_many_empty_continuation_frames_end_the_connection(server):
    with Meanwhile(server) as meanwhile, open_raw(server, "h2c") as conn:
        conn.start()
        start = headers_frame(1, request_fields(PING_PATH), end_stream=True, end_headers=False)
        conn.send(start + frame(CONTINUATION, 0, 1, b"") * 100_000)
        assert conn.wait_for(lambda c: c.goaway() is not None, 30), "no GOAWAY after empty CONTINUATION frames"
        assert conn.goaway().error_code == ENHANCE_YOUR_CALM, conn.goaway()
        assert conn.wait_closed(30)
    meanwhile.check("empty CONTINUATION flood")


def test_peer_that_does_not_read_is_stalled_not_buffered(cli, env, tmp_path_factory):
    """Windows wide open, big responses asked for, nothing read (CVE-2019-9517): once the
    server's output to us backs up it stops reading from us, so what we send next stalls
    in TCP instead of piling up in the server. Own server with a 48 MiB budget, so the
    requests (within its 12 MiB receive window) make more output than the kernel buffers."""
    srv = start_server(cli, env, tmp_path_factory, {"LEDGERBRIDGE_CONNECTION_MEMORY_BUDGET": str(48 << 20)})
    with srv.process:
        for _ in range(3):
            assert connect_ping(srv.port)
        srv.baseline_rss = srv.rss()
        body = json.dumps({"payload": "A" * (900 << 10)}).encode()  # 675 KiB message, echoed back
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)  # before connect: a small TCP window
        sock.settimeout(5)
        sock.connect(("127.0.0.1", srv.port))
        blocked_at = None
        with Meanwhile(srv) as meanwhile, sock:
            # The server sends its SETTINGS first thing, so we may ACK them at once: its 1 MiB
            # stream windows only apply once we have.
            sock.sendall(PREFACE + settings_frame([(0x4, 1 << 30)]) + frame(SETTINGS, ACK)
                         + frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", 1 << 30)))
            try:
                for i in range(10):  # 9 MiB of requests: within the 12 MiB window and 1 MiB per stream
                    stream = 1 + 2 * i
                    sock.sendall(headers_frame(stream, request_fields(PING_PATH), end_stream=False)
                                 + b"".join(frame(DATA, 0, stream, body[o:o + 16384]) for o in range(0, len(body), 16384))
                                 + frame(DATA, END_STREAM, stream, b""))
                time.sleep(3)  # the handlers answer (slowly in a debug build); their output backs up
                # Harmless frames that need no answer (130 KB a batch): a server that kept reading
                # would take them all, for the whole minute.
                increments = frame(WINDOW_UPDATE, 0, 0, struct.pack(">I", 1)) * 10_000
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    sock.sendall(increments)
            except socket.timeout:
                blocked_at = time.monotonic()
            except OSError as error:
                pytest.fail(f"the connection broke instead of stalling: {error!r}")
            print(f"\n[stall] a send blocked: {blocked_at is not None}; server RSS {srv.rss() / 2**20:.1f} MiB "
                  f"(baseline {srv.baseline_rss / 2**20:.1f} MiB)")
        assert blocked_at is not None, "the server kept reading a peer that does not read its responses"
        meanwhile.check("peer that does not read")
        assert srv.process.stop(signal.SIGTERM, SHUTDOWN_TIMEOUT) == 0, srv.process.explain()


# ----------------------------------------------------------------------------- idle timeout


@pytest.fixture(scope="module")
def idle_server(cli, env, tmp_path_factory):
    """`serve` with a 1.5 s idle timeout, set through the environment variable."""
    srv = start_server(cli, env, tmp_path_factory, {"LEDGERBRIDGE_IDLE_TIMEOUT": "1.5"})
    with srv.process:
        yield srv
        assert srv.process.stop(signal.SIGTERM, SHUTDOWN_TIMEOUT) == 0, srv.process.explain()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_idle_http2_connection_gets_goaway_then_close(idle_server, transport):
    with open_raw(idle_server, transport) as conn:
        started = time.monotonic()
        conn.start()
        assert conn.wait_for(lambda c: c.goaway() is not None, 20), "no GOAWAY on an idle connection"
        elapsed = time.monotonic() - started
        assert conn.goaway().error_code == NO_ERROR
        assert 1.3 <= elapsed <= 12, f"GOAWAY after {elapsed:.2f}s for a 1.5 s idle timeout"
        assert conn.wait_closed(20), "closed after the GOAWAY"


def test_idle_http1_keepalive_connection_is_closed(idle_server):
    with socket.create_connection(("127.0.0.1", idle_server.port), timeout=20) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        response = b""
        while b"\r\n\r\n" not in response:
            response += sock.recv(65536)
        assert response.startswith(b"HTTP/1.1 200"), response
        answered = time.monotonic()
        while sock.recv(65536):
            pass
        elapsed = time.monotonic() - answered
        assert 1.3 <= elapsed <= 12, f"closed {elapsed:.2f}s after the response, for a 1.5 s idle timeout"


def test_open_watch_stream_keeps_its_connection(idle_server):
    """A server-streaming Watch that sends nothing for longer than the idle timeout keeps its
    connection; once it ends, the idle connection gets its GOAWAY."""
    request = json.dumps({"service": ""}).encode()
    envelope = struct.pack(">BI", 0, len(request)) + request
    with open_raw(idle_server, "h2c", timeout=5) as conn:
        conn.start()
        fields = request_fields("/grpc.health.v1.Health/Watch", content_type="application/connect+json")
        conn.send(headers_frame(1, fields, end_stream=False) + frame(DATA, END_STREAM, 1, envelope))
        assert conn.wait_for(lambda c: any(f.kind == DATA and f.stream == 1 for f in c.frames), 20), "no first Watch message"
        first_message = time.monotonic()
        conn.wait_for(lambda c: c.goaway() is not None, 4.5)  # three idle timeouts
        assert conn.goaway() is None, "GOAWAY while a stream was open"
        assert not conn.closed, "connection closed while a stream was open"
        assert not any(f.kind == RST_STREAM for f in conn.frames), conn.frames
        assert time.monotonic() - first_message >= 4.0
        # The stream ends (we cancel it): now the connection is idle.
        conn.send(frame(RST_STREAM, 0, 1, struct.pack(">I", CANCEL)))
        cancelled = time.monotonic()
        assert conn.wait_for(lambda c: c.goaway() is not None, 20), "no GOAWAY once the stream ended"
        assert conn.goaway().error_code == NO_ERROR
        assert 1.3 <= time.monotonic() - cancelled <= 12


def test_limits_are_validated_at_startup(cli, env):
    bad = [
        ({"LEDGERBRIDGE_IDLE_TIMEOUT": "-1"}, "--idle-timeout"),
        ({"LEDGERBRIDGE_CONNECTION_MEMORY_BUDGET": "1000"}, "--connection-memory-budget"),
        ({"LEDGERBRIDGE_MAX_CONCURRENT_STREAMS": "0"}, "--max-concurrent-streams"),
    ]
    for extra, option in bad:
        with cli.serve(env.app_url, env.migrations_dir, env=extra) as process:
            code = process.wait_for_exit(READY_TIMEOUT)
            assert code not in (None, 0), f"{extra}: serve should refuse to start"
            assert option in "".join(process.stderr_lines), process.explain()


def test_max_concurrent_streams_is_advertised(cli, env, tmp_path_factory):
    srv = start_server(cli, env, tmp_path_factory, {"LEDGERBRIDGE_MAX_CONCURRENT_STREAMS": "17",
                                                    "LEDGERBRIDGE_CONNECTION_MEMORY_BUDGET": str(8 << 20)})
    with srv.process, RawH2(srv.port) as conn:
        conn.start()
        assert conn.wait_for(lambda c: any(f.kind == WINDOW_UPDATE and f.stream == 0 for f in c.frames), 20)
        settings = next(f for f in conn.frames if f.kind == SETTINGS and not f.flags & ACK)
        entries = dict(struct.unpack(">HI", settings.payload[i:i + 6]) for i in range(0, len(settings.payload), 6))
        assert entries[0x3] == 17, entries
        assert entries[0x4] == 1 << 20, entries  # a stream's window: 1 MiB, under the connection's
        update = next(f for f in conn.frames if f.kind == WINDOW_UPDATE and f.stream == 0)
        assert struct.unpack(">I", update.payload)[0] == (2 << 20) - 65535  # connection window = budget / 4
        # (A call first: serve installs its SIGTERM handler just after printing "ready".)
        assert connect_ping(srv.port)
        assert srv.process.stop(signal.SIGTERM, SHUTDOWN_TIMEOUT) == 0
