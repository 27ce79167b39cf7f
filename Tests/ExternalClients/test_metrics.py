"""/metrics of the real `ledgerbridge serve`, scraped with curl the way Prometheus
would, after calls made with clients we did not write (curl for Connect, grpcio
for gRPC). Counts are compared as differences between two scrapes, so the checks
do not depend on what else has called the server."""

from __future__ import annotations

import math
import re
import signal
import struct
import subprocess
import threading
import time
import uuid
from typing import Dict, List, Optional, Tuple

import grpc
import pytest

from conftest import READY_TIMEOUT, SHUTDOWN_TIMEOUT

ADMIN_TOKEN = "metrics-admin-" + uuid.uuid4().hex
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
PING = "/ledgerbridge.v1.DiagnosticsService/Ping"
GET_TENANT = "/ledgerbridge.v1.TenantService/GetTenant"
WATCH = "/grpc.health.v1.Health/Watch"
REQUESTS = "rpc_server_requests_total"
DURATION = "rpc_server_duration_seconds"
IN_FLIGHT = "rpc_server_in_flight"


@pytest.fixture(scope="module")
def server(cli, env):
    started = time.time()
    with cli.serve(env.app_url, env.migrations_dir, env={"LEDGERBRIDGE_ADMIN_TOKEN": ADMIN_TOKEN}) as process:
        line = process.wait_for_line("ledgerbridge serve: ready", READY_TIMEOUT)
        assert line, f"serve did not become ready:\n{process.explain()}"
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)", line).group(1))
        yield port, started
        assert process.stop(signal.SIGTERM, SHUTDOWN_TIMEOUT) == 0
        # Request metadata (the bearer token) is never logged.
        assert ADMIN_TOKEN not in "".join(process.stdout_lines + process.stderr_lines)


def curl(*args: str, timeout: float = 20) -> subprocess.CompletedProcess:
    return subprocess.run(["curl", "-sS", "--max-time", "10", *args], capture_output=True, text=True, timeout=timeout)


# ----------------------------------------------------------------------------- the text format


LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)')
Key = Tuple[str, Tuple[Tuple[str, str], ...]]


class Exposition:
    """A strict reading of the Prometheus text format 0.0.4: fails on anything a scraper would reject."""

    def __init__(self, text: str) -> None:
        self.types: Dict[str, str] = {}
        self.samples: Dict[Key, float] = {}
        assert text.endswith("\n"), "the exposition ends with a newline"
        for number, line in enumerate(text.split("\n")[:-1], 1):
            if not line:
                continue
            if line.startswith("#"):
                parts = line.split(" ", 3)
                if len(parts) >= 3 and parts[1] == "TYPE":
                    assert parts[2] not in self.types, f"line {number}: a second TYPE for {parts[2]}"
                    assert parts[3] in ("counter", "gauge", "histogram", "summary", "untyped"), f"line {number}: {line}"
                    assert not any(self.family(n) == parts[2] for n, _ in self.samples), f"line {number}: TYPE after samples"
                    self.types[parts[2]] = parts[3]
                continue
            match = LINE.match(line)
            assert match, f"line {number} is not a sample: {line!r}"
            name, labels_text, value, _ = match.groups()
            labels = self.labels(labels_text or "", number)
            assert self.family(name), f"line {number}: {name} has no TYPE line before it"
            key = (name, tuple(sorted(labels.items())))
            assert key not in self.samples, f"line {number}: {key} appears twice"
            self.samples[key] = float(value.replace("Inf", "inf"))
        self.check_histograms()

    @staticmethod
    def labels(text: str, number: int) -> Dict[str, str]:
        labels: Dict[str, str] = {}
        position = 0
        while position < len(text):
            match = LABEL.match(text, position)
            assert match, f"line {number}: bad labels {text!r}"
            name, raw = match.group(1), match.group(2)
            assert name not in labels, f"line {number}: label {name} twice"
            labels[name] = re.sub(r"\\(.)", lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), raw)
            position = match.end()
        return labels

    def family(self, name: str) -> Optional[str]:
        if self.types.get(name) not in (None, "histogram"):
            return name
        for suffix in ("_bucket", "_sum", "_count"):
            if name.endswith(suffix) and self.types.get(name[: -len(suffix)]) == "histogram":
                return name[: -len(suffix)]
        return None

    def check_histograms(self) -> None:
        for name in (n for n, t in self.types.items() if t == "histogram"):
            series: Dict[Tuple, List[Tuple[float, float]]] = {}
            for (sample, labels), value in self.samples.items():
                if sample == name + "_bucket":
                    rest = tuple(kv for kv in labels if kv[0] != "le")
                    series.setdefault(rest, []).append((float(dict(labels)["le"].replace("Inf", "inf")), value))
            for labels, buckets in series.items():
                buckets.sort()
                assert buckets[-1][0] == math.inf, f"{name}{labels}: no +Inf bucket"
                counts = [count for _, count in buckets]
                assert counts == sorted(counts), f"{name}{labels}: buckets are not cumulative"
                assert self.samples.get((name + "_count", labels)) == counts[-1], f"{name}{labels}: _count differs from +Inf"
                assert (name + "_sum", labels) in self.samples, f"{name}{labels}: no _sum"

    def value(self, name: str, **labels: str) -> float:
        """The sample's value; 0 for a series that does not exist (yet)."""
        return self.samples.get((name, tuple(sorted(labels.items()))), 0.0)

    def methods(self) -> set:
        return {dict(labels)["method"] for (name, labels) in self.samples if name.startswith("rpc_server_")}


def scrape(port: int, *flags: str) -> Exposition:
    out = curl(*flags, "-D", "-", f"http://127.0.0.1:{port}/metrics")
    assert out.returncode == 0, out.stderr
    head, _, body = out.stdout.replace("\r\n", "\n").partition("\n\n")
    assert re.match(r"HTTP/\S+ 200", head), head
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head.split("\n")[1:])}
    assert headers.get("content-type") == CONTENT_TYPE
    assert int(headers["content-length"]) == len(body.encode())
    assert ADMIN_TOKEN not in body
    # Process metrics are always there: an empty body means serve renders nothing (not wired).
    assert "process_cpu_seconds_total" in body, f"/metrics has no process metrics; it answered {body[:200]!r}"
    return Exposition(body)


def connect(port: int, method: str, body: str = "{}", headers: Tuple[str, ...] = ()) -> int:
    args = ["-o", "/dev/null", "-w", "%{http_code}", "-H", "content-type: application/json"]
    for header in headers:
        args += ["-H", header]
    out = curl(*args, "-d", body, f"http://127.0.0.1:{port}{method}")
    assert out.returncode == 0, out.stderr
    return int(out.stdout)


def identity(data: bytes) -> bytes:
    return data


def eventually(condition, timeout: float = 10.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


# ----------------------------------------------------------------------------- checks


def test_calls_are_counted_by_method_and_code(server):
    port, _ = server
    before = scrape(port)

    for _ in range(3):
        assert connect(port, PING, '{"payload":"aGk="}') == 200
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        ping = channel.unary_unary(PING, request_serializer=identity, response_deserializer=identity)
        assert ping(b"", timeout=10) == b""
        assert ping(b"", timeout=10) == b""
    # Refused by the admin-token check: counted, and the token never becomes a label.
    assert connect(port, GET_TENANT, '{"tenantId":"x"}') == 401
    assert connect(port, GET_TENANT, '{"tenantId":"x"}', ("authorization: Bearer not-the-token",)) == 401
    assert connect(port, GET_TENANT, f'{{"tenantId":"{uuid.uuid4()}"}}', (f"authorization: Bearer {ADMIN_TOKEN}",)) == 404
    assert connect(port, GET_TENANT, '{"tenantId":"nope"}', (f"authorization: Bearer {ADMIN_TOKEN}",)) == 400

    after = scrape(port)
    assert after.types[REQUESTS] == "counter"
    assert after.types[DURATION] == "histogram"
    assert after.types[IN_FLIGHT] == "gauge"

    def delta(name: str, **labels: str) -> float:
        return after.value(name, **labels) - before.value(name, **labels)

    # Connect and gRPC calls of one method are one series.
    assert delta(REQUESTS, method=PING, code="OK") == 5
    assert delta(DURATION + "_count", method=PING) == 5
    assert delta(DURATION + "_bucket", method=PING, le="+Inf") == 5
    assert delta(REQUESTS, method=GET_TENANT, code="UNAUTHENTICATED") == 2
    assert delta(REQUESTS, method=GET_TENANT, code="NOT_FOUND") == 1
    assert delta(REQUESTS, method=GET_TENANT, code="INVALID_ARGUMENT") == 1
    assert after.value(IN_FLIGHT, method=PING) == 0
    assert after.value(DURATION + "_sum", method=PING) > 0
    assert "not-the-token" not in str(after.samples)


def test_unknown_paths_never_become_series(server):
    port, _ = server
    invented = [f"/evil{uuid.uuid4().hex[:8]}.v1.Service/Method", f"/ledgerbridge.v1.DiagnosticsService/{uuid.uuid4().hex}"]
    for path in invented:
        assert connect(port, path) == 404
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        with pytest.raises(grpc.RpcError) as info:
            channel.unary_unary(invented[0], request_serializer=identity, response_deserializer=identity)(b"", timeout=10)
        assert info.value.code() == grpc.StatusCode.UNIMPLEMENTED
    assert curl("-o", "/dev/null", f"http://127.0.0.1:{port}/no/such/route").returncode == 0

    methods = scrape(port).methods()
    assert methods, "the server has been called by now"
    assert not methods & set(invented), "a path nobody registered became a series"
    registered = {PING, GET_TENANT, "/ledgerbridge.v1.TenantService/CreateTenant", "/ledgerbridge.v1.TenantService/ListTenants",
                  "/grpc.health.v1.Health/Check", WATCH,
                  "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
                  "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"}
    assert methods <= registered, f"series for unregistered paths: {methods - registered}"


def test_a_stream_past_its_deadline_counts_as_deadline_exceeded(server):
    port, _ = server
    before = scrape(port)
    # Health/Watch never ends on its own: the Connect deadline ends it.
    body = b'{"service":""}'
    out = subprocess.run(
        ["curl", "-sS", "--max-time", "10", "--http2-prior-knowledge", "-H", "content-type: application/connect+json",
         "-H", "connect-timeout-ms: 300", "--data-binary", "@-", f"http://127.0.0.1:{port}{WATCH}"],
        input=struct.pack(">BI", 0, len(body)) + body, capture_output=True, timeout=20)
    assert out.returncode == 0, out.stderr
    assert b"deadline_exceeded" in out.stdout
    after = scrape(port)
    assert after.value(REQUESTS, method=WATCH, code="DEADLINE_EXCEEDED") - before.value(REQUESTS, method=WATCH, code="DEADLINE_EXCEEDED") == 1
    assert after.value(DURATION + "_count", method=WATCH) - before.value(DURATION + "_count", method=WATCH) == 1
    # It ran for its deadline: at least 0.3 s was added to the sum, well under the 5 s bucket.
    assert after.value(DURATION + "_sum", method=WATCH) - before.value(DURATION + "_sum", method=WATCH) >= 0.29
    assert after.value(IN_FLIGHT, method=WATCH) == 0


def test_in_flight_follows_an_open_stream_and_cancel_is_counted(server):
    port, _ = server
    before = scrape(port)
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        watch = channel.unary_stream(WATCH, request_serializer=identity, response_deserializer=identity)
        call = watch(b"", timeout=30)
        first = next(call)  # the current status: the handler is running
        assert first
        assert scrape(port).value(IN_FLIGHT, method=WATCH) == before.value(IN_FLIGHT, method=WATCH) + 1
        call.cancel()
    # The server learns of the cancel from the stream reset: a moment later.
    assert eventually(lambda: scrape(port).value(IN_FLIGHT, method=WATCH) == before.value(IN_FLIGHT, method=WATCH))
    after = scrape(port)
    assert after.value(REQUESTS, method=WATCH, code="CANCELLED") - before.value(REQUESTS, method=WATCH, code="CANCELLED") == 1


def test_process_metrics_are_present_and_plausible(server):
    port, started = server
    text = scrape(port)
    assert text.types["process_cpu_seconds_total"] == "counter"
    for name in ("process_resident_memory_bytes", "process_open_fds", "process_start_time_seconds"):
        assert text.types[name] == "gauge", name
    assert 1 << 20 < text.value("process_resident_memory_bytes") < 64 << 30
    assert text.value("process_open_fds") >= 3
    assert text.value("process_cpu_seconds_total") > 0
    # The server started after this test module began to start it, and before now
    # (derived from the boot time, which has one-second resolution and drifts if the clock was stepped since boot).
    assert started - 30 <= text.value("process_start_time_seconds") <= time.time() + 30
    assert scrape(port).value("process_cpu_seconds_total") >= text.value("process_cpu_seconds_total")


def test_the_route_over_http2_head_and_other_methods(server):
    port, _ = server
    scrape(port, "--http2-prior-knowledge")
    head = curl("-I", f"http://127.0.0.1:{port}/metrics")
    assert head.returncode == 0, head.stderr
    assert re.match(r"HTTP/\S+ 200", head.stdout)
    assert f"content-type: {CONTENT_TYPE}" in head.stdout.lower().replace("\r", "")
    for method in ("POST", "PUT", "DELETE"):
        out = curl("-o", "/dev/null", "-D", "-", "-X", method, "-d", "x", f"http://127.0.0.1:{port}/metrics")
        assert re.match(r"HTTP/\S+ 405", out.stdout), out.stdout
        assert "allow: GET, HEAD" in out.stdout.replace("\r", "")


def test_concurrent_scrapes_and_calls(server):
    port, _ = server
    before = scrape(port)
    errors: List[BaseException] = []

    def work(kind: str) -> None:
        try:
            for _ in range(10):
                if kind == "scrape":
                    scrape(port)
                else:
                    assert connect(port, PING) == 200
        except BaseException as error:  # reported below, from the test's thread
            errors.append(error)

    threads = [threading.Thread(target=work, args=(kind,)) for kind in ("scrape", "call", "scrape", "call")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    after = scrape(port)
    assert after.value(REQUESTS, method=PING, code="OK") - before.value(REQUESTS, method=PING, code="OK") == 20
