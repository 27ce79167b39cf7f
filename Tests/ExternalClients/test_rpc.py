"""The RPC server checked with clients we did not write: Python grpcio (gRPC over
h2c), curl (Connect over HTTP/1.1 and h2c), and a small gRPC-Web client."""

from __future__ import annotations

import json
import re
import signal
import ssl
import struct
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import grpc
import pytest

from conftest import READY_TIMEOUT, ROOT_DIR, SHUTDOWN_TIMEOUT

ADMIN_TOKEN = "test-admin-" + uuid.uuid4().hex


@pytest.fixture(scope="session")
def stubs(tmp_path_factory):
    """Python message and stub modules generated from proto/ with grpcio-tools."""
    from grpc_tools import protoc
    import grpc_tools

    out = tmp_path_factory.mktemp("stubs")
    include = Path(grpc_tools.__file__).parent / "_proto"
    protos = ["ledgerbridge/v1/diagnostics.proto", "ledgerbridge/v1/tenants.proto", "ledgerbridge/v1/connections.proto",
              "ledgerbridge/v1/sync.proto", "ledgerbridge/v1/admin.proto"]
    code = protoc.main(["protoc", f"-I{ROOT_DIR / 'proto'}", f"-I{include}", f"--python_out={out}", f"--grpc_python_out={out}", *protos])
    assert code == 0, "protoc failed"
    # The health proto's path (grpc/...) would shadow grpcio's own `grpc` package in Python:
    # compile a copy under another directory; the service name on the wire is unchanged.
    (out / "lbhealth").mkdir()
    (out / "lbhealth" / "health.proto").write_text((ROOT_DIR / "proto/grpc/health/v1/health.proto").read_text())
    code = protoc.main(["protoc", f"-I{out}", f"--python_out={out}", f"--grpc_python_out={out}", "lbhealth/health.proto"])
    assert code == 0, "protoc failed for health.proto"
    sys.path.insert(0, str(out))
    from ledgerbridge.v1 import connections_pb2, connections_pb2_grpc, diagnostics_pb2, diagnostics_pb2_grpc, tenants_pb2, tenants_pb2_grpc
    from ledgerbridge.v1 import admin_pb2, admin_pb2_grpc, sync_pb2, sync_pb2_grpc
    from lbhealth import health_pb2, health_pb2_grpc

    class Stubs:
        pass

    s = Stubs()
    s.diagnostics_pb2, s.diagnostics_grpc = diagnostics_pb2, diagnostics_pb2_grpc
    s.tenants_pb2, s.tenants_grpc = tenants_pb2, tenants_pb2_grpc
    s.connections_pb2, s.connections_grpc = connections_pb2, connections_pb2_grpc
    s.sync_pb2, s.sync_grpc = sync_pb2, sync_pb2_grpc
    s.admin_pb2, s.admin_grpc = admin_pb2, admin_pb2_grpc
    s.health_pb2, s.health_grpc = health_pb2, health_pb2_grpc
    return s


@pytest.fixture(scope="module")
def server(cli, env):
    """A running `ledgerbridge serve` on a free port, against the migrated test database."""
    with cli.serve(env.app_url, env.migrations_dir, env={"LEDGERBRIDGE_ADMIN_TOKEN": ADMIN_TOKEN}) as process:
        line = process.wait_for_line("ledgerbridge serve: ready", READY_TIMEOUT)
        assert line, f"serve did not become ready:\n{process.explain()}"
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)", line).group(1))
        yield port
        assert process.stop(signal.SIGTERM, SHUTDOWN_TIMEOUT) == 0


@pytest.fixture
def channel(server):
    with grpc.insecure_channel(f"127.0.0.1:{server}") as ch:
        yield ch


AUTH = (("authorization", f"Bearer {ADMIN_TOKEN}"),)


def curl(*args: str, timeout: float = 20) -> subprocess.CompletedProcess:
    return subprocess.run(["curl", "-sS", "--max-time", "10", *args], capture_output=True, text=True, timeout=timeout)


# ----------------------------------------------------------------------------- gRPC


def test_grpc_ping_round_trips_bytes(stubs, channel):
    stub = stubs.diagnostics_grpc.DiagnosticsServiceStub(channel)
    payload = bytes(range(256)) * 100
    response, call = stub.Ping.with_call(stubs.diagnostics_pb2.PingRequest(payload=payload), timeout=10)
    assert response.payload == payload
    assert call.code() == grpc.StatusCode.OK
    assert stub.Ping(stubs.diagnostics_pb2.PingRequest(), timeout=10).payload == b""


def test_grpc_tenant_lifecycle_and_status_codes(stubs, channel):
    stub = stubs.tenants_grpc.TenantServiceStub(channel)
    pb = stubs.tenants_pb2
    slug = "grpc-" + uuid.uuid4().hex[:12]
    created = stub.CreateTenant(pb.CreateTenantRequest(name="Grpc Ltd", slug=slug), metadata=AUTH, timeout=10).tenant
    assert created.slug == slug and created.name == "Grpc Ltd"
    assert created.status == pb.TENANT_STATUS_ACTIVE
    assert uuid.UUID(created.tenant_id)
    got = stub.GetTenant(pb.GetTenantRequest(tenant_id=created.tenant_id), metadata=AUTH, timeout=10).tenant
    assert got == created

    def code_of(call, *args, **kwargs):
        with pytest.raises(grpc.RpcError) as info:
            call(*args, **kwargs)
        return info.value.code(), info.value.details()

    assert code_of(stub.CreateTenant, pb.CreateTenantRequest(name="Dup", slug=slug), metadata=AUTH, timeout=10)[0] == grpc.StatusCode.ALREADY_EXISTS
    assert code_of(stub.CreateTenant, pb.CreateTenantRequest(name="Bad", slug="Not_A_Slug"), metadata=AUTH, timeout=10)[0] == grpc.StatusCode.INVALID_ARGUMENT
    assert code_of(stub.GetTenant, pb.GetTenantRequest(tenant_id=str(uuid.uuid4())), metadata=AUTH, timeout=10)[0] == grpc.StatusCode.NOT_FOUND
    assert code_of(stub.GetTenant, pb.GetTenantRequest(tenant_id="nope"), metadata=AUTH, timeout=10)[0] == grpc.StatusCode.INVALID_ARGUMENT
    assert code_of(stub.GetTenant, pb.GetTenantRequest(tenant_id=created.tenant_id), timeout=10)[0] == grpc.StatusCode.UNAUTHENTICATED
    wrong = (("authorization", "Bearer wrong"),)
    code, details = code_of(stub.GetTenant, pb.GetTenantRequest(tenant_id=created.tenant_id), metadata=wrong, timeout=10)
    assert code == grpc.StatusCode.UNAUTHENTICATED
    assert ADMIN_TOKEN not in details


def test_grpc_list_tenants_pages_are_stable(stubs, channel):
    stub = stubs.tenants_grpc.TenantServiceStub(channel)
    pb = stubs.tenants_pb2
    mine = {stub.CreateTenant(pb.CreateTenantRequest(name=f"Page {i}", slug=f"page-{uuid.uuid4().hex[:10]}"), metadata=AUTH, timeout=10).tenant.tenant_id for i in range(5)}
    seen, token, pages = [], "", 0
    while True:
        page = stub.ListTenants(pb.ListTenantsRequest(page_size=2, page_token=token), metadata=AUTH, timeout=10)
        assert len(page.tenants) <= 2
        seen += [t.tenant_id for t in page.tenants]
        pages += 1
        token = page.next_page_token
        if not token:
            break
        assert pages < 10_000
    assert len(seen) == len(set(seen)), "no tenant twice"
    assert mine <= set(seen), "every tenant once"
    with pytest.raises(grpc.RpcError) as info:
        stub.ListTenants(pb.ListTenantsRequest(page_token="garbage!"), metadata=AUTH, timeout=10)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_grpc_unknown_method_is_unimplemented(channel):
    call = channel.unary_unary("/ledgerbridge.v1.Nope/Nothing", request_serializer=lambda b: b, response_deserializer=lambda b: b)
    with pytest.raises(grpc.RpcError) as info:
        call(b"", timeout=10)
    assert info.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_grpc_malformed_message_is_invalid_argument(channel):
    call = channel.unary_unary("/ledgerbridge.v1.DiagnosticsService/Ping", request_serializer=lambda b: b, response_deserializer=lambda b: b)
    with pytest.raises(grpc.RpcError) as info:
        call(b"\xff\xff\xff\xff", timeout=10)  # not a valid protobuf encoding
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_grpc_message_over_the_limit_is_resource_exhausted(stubs, server):
    # The client's own limit is raised so the server's 4 MiB limit is what is tested.
    options = [("grpc.max_send_message_length", 64 << 20), ("grpc.max_receive_message_length", 64 << 20)]
    with grpc.insecure_channel(f"127.0.0.1:{server}", options=options) as ch:
        stub = stubs.diagnostics_grpc.DiagnosticsServiceStub(ch)
        with pytest.raises(grpc.RpcError) as info:
            stub.Ping(stubs.diagnostics_pb2.PingRequest(payload=b"x" * (5 << 20)), timeout=20)
        assert info.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert stub.Ping(stubs.diagnostics_pb2.PingRequest(payload=b"ok"), timeout=10).payload == b"ok"


def test_grpc_health_check_and_watch(stubs, channel):
    stub = stubs.health_grpc.HealthStub(channel)
    pb = stubs.health_pb2
    assert stub.Check(pb.HealthCheckRequest(service=""), timeout=10).status == pb.HealthCheckResponse.SERVING
    assert stub.Check(pb.HealthCheckRequest(service="ledgerbridge.v1.TenantService"), timeout=10).status == pb.HealthCheckResponse.SERVING
    with pytest.raises(grpc.RpcError) as info:
        stub.Check(pb.HealthCheckRequest(service="no.such.Service"), timeout=10)
    assert info.value.code() == grpc.StatusCode.NOT_FOUND
    # Watch streams the current status first; cancelling mid-stream ends the call cleanly.
    stream = stub.Watch(pb.HealthCheckRequest(service=""), timeout=30)
    first = next(stream)
    assert first.status == pb.HealthCheckResponse.SERVING
    stream.cancel()
    with pytest.raises(grpc.RpcError) as info:
        next(stream)
    assert info.value.code() == grpc.StatusCode.CANCELLED


def test_grpc_deadline_exceeded_on_a_stream(stubs, channel):
    stub = stubs.health_grpc.HealthStub(channel)
    started = time.monotonic()
    stream = stub.Watch(stubs.health_pb2.HealthCheckRequest(service=""), timeout=1.5)
    with pytest.raises(grpc.RpcError) as info:
        for _ in stream:
            pass
    assert info.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
    assert time.monotonic() - started < 10


# ----------------------------------------------------------------------------- Connect (curl)


def test_connect_unary_json_over_http1_and_h2c(server):
    for flag in ("--http1.1", "--http2-prior-knowledge"):
        out = curl(flag, "-H", "content-type: application/json", "-H", "connect-protocol-version: 1",
                   "-d", '{"payload":"aGVsbG8="}', f"http://127.0.0.1:{server}/ledgerbridge.v1.DiagnosticsService/Ping")
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout) == {"payload": "aGVsbG8="}


def test_connect_errors_are_json_with_http_status(server):
    base = f"http://127.0.0.1:{server}"
    out = curl("-o", "-", "-w", "\n%{http_code}", "-H", "content-type: application/json",
               "-d", '{"tenant_id":"nope"}', f"{base}/ledgerbridge.v1.TenantService/GetTenant")
    body, status = out.stdout.rsplit("\n", 1)
    assert status == "401" and json.loads(body)["code"] == "unauthenticated"
    out = curl("-o", "-", "-w", "\n%{http_code}", "-H", "content-type: application/json", "-H", f"authorization: Bearer {ADMIN_TOKEN}",
               "-d", '{"tenant_id":"nope"}', f"{base}/ledgerbridge.v1.TenantService/GetTenant")
    body, status = out.stdout.rsplit("\n", 1)
    assert status == "400" and json.loads(body)["code"] == "invalid_argument"
    out = curl("-o", "-", "-w", "\n%{http_code}", "-H", "content-type: application/json", "-d", '{', f"{base}/ledgerbridge.v1.DiagnosticsService/Ping")
    body, status = out.stdout.rsplit("\n", 1)
    assert status == "400" and json.loads(body)["code"] == "invalid_argument"
    out = curl("-o", "/dev/null", "-w", "%{http_code}", "-H", "content-type: application/json", "-d", "{}", f"{base}/ledgerbridge.v1.Nope/Nope")
    assert out.stdout == "404"
    out = curl("-o", "/dev/null", "-w", "%{http_code}", f"{base}/ledgerbridge.v1.DiagnosticsService/Ping")
    assert out.stdout in ("405", "415")
    out = curl("-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT", "-H", "content-type: application/json", "-d", "{}", f"{base}/ledgerbridge.v1.DiagnosticsService/Ping")
    assert out.stdout == "405"
    out = curl("-o", "/dev/null", "-w", "%{http_code}", "-H", "content-type: text/xml", "-d", "<x/>", f"{base}/ledgerbridge.v1.DiagnosticsService/Ping")
    assert out.stdout == "415"


def test_connect_server_streaming_envelopes(server):
    # One request envelope in, then messages and the end-of-stream envelope (flag 0x02) out.
    body = json.dumps({"service": ""}).encode()
    request = struct.pack(">BI", 0, len(body)) + body
    proc = subprocess.run(
        ["curl", "-sS", "--max-time", "3", "--http2-prior-knowledge", "-H", "content-type: application/connect+json",
         "-H", "connect-timeout-ms: 1500", "--data-binary", "@-", f"http://127.0.0.1:{server}/grpc.health.v1.Health/Watch"],
        input=request, capture_output=True, timeout=20)
    data = proc.stdout
    frames = []
    while len(data) >= 5:
        flags, length = struct.unpack(">BI", data[:5])
        frames.append((flags, json.loads(data[5:5 + length])))
        data = data[5 + length:]
    assert frames[0] == (0, {"status": "SERVING"})
    assert frames[-1][0] == 2 and frames[-1][1]["error"]["code"] == "deadline_exceeded"


def test_healthz_over_plain_curl(server):
    out = curl("-o", "-", "-w", "\n%{http_code}", f"http://127.0.0.1:{server}/healthz")
    assert out.stdout.endswith("\n200") and out.stdout.startswith("ok")


# ----------------------------------------------------------------------------- gRPC-Web


def test_grpc_web_unary_over_http1(stubs, server):
    message = stubs.diagnostics_pb2.PingRequest(payload=b"web").SerializeToString()
    request = struct.pack(">BI", 0, len(message)) + message
    proc = subprocess.run(
        ["curl", "-sS", "--max-time", "10", "--http1.1", "-H", "content-type: application/grpc-web+proto", "-H", "x-grpc-web: 1",
         "--data-binary", "@-", f"http://127.0.0.1:{server}/ledgerbridge.v1.DiagnosticsService/Ping"],
        input=request, capture_output=True, timeout=20)
    data = proc.stdout
    flags, length = struct.unpack(">BI", data[:5])
    assert flags == 0
    assert stubs.diagnostics_pb2.PingResponse.FromString(data[5:5 + length]).payload == b"web"
    rest = data[5 + length:]
    flags, length = struct.unpack(">BI", rest[:5])
    assert flags == 0x80
    assert b"grpc-status: 0" in rest[5:5 + length]


class GrpcWebClient:
    """A small gRPC-Web client over httpx: HTTP/2 (prior knowledge on http://, ALPN on https://) or HTTP/1.1."""

    def __init__(self, base: str, http2: bool, verify=True):
        import httpx
        self.base = base
        self.client = httpx.Client(http1=not http2, http2=http2, verify=verify, timeout=10)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.client.close()

    def unary(self, path: str, message: bytes, headers=()):
        response = self.client.post(self.base + path, content=struct.pack(">BI", 0, len(message)) + message,
                                    headers={"content-type": "application/grpc-web+proto", "x-grpc-web": "1", **dict(headers)})
        assert response.status_code == 200
        messages, trailers, data = [], {}, response.content
        while data:
            flags, length = struct.unpack(">BI", data[:5])
            frame, data = data[5:5 + length], data[5 + length:]
            if flags & 0x80:
                for line in frame.decode().split("\r\n"):
                    if line:
                        name, _, value = line.partition(":")
                        trailers[name.strip().lower()] = value.strip()
            else:
                messages.append(frame)
        if not trailers:  # trailers-only: the status came in the headers
            trailers = {k: v for k, v in response.headers.items() if k.startswith("grpc-")}
        return response.http_version, messages, trailers


def test_grpc_web_unary_over_h2c_with_a_python_client(stubs, server):
    with GrpcWebClient(f"http://127.0.0.1:{server}", http2=True) as web:
        version, messages, trailers = web.unary("/ledgerbridge.v1.DiagnosticsService/Ping",
                                                stubs.diagnostics_pb2.PingRequest(payload=b"web-h2").SerializeToString())
        assert version == "HTTP/2"
        assert [stubs.diagnostics_pb2.PingResponse.FromString(m).payload for m in messages] == [b"web-h2"]
        assert trailers["grpc-status"] == "0"
        # An error: status and message come back, percent-decoded by the reader of the trailers.
        version, messages, trailers = web.unary("/ledgerbridge.v1.TenantService/ListTenants", b"")
        assert messages == [] and trailers["grpc-status"] == str(grpc.StatusCode.UNAUTHENTICATED.value[0])


# ----------------------------------------------------------------------------- TLS (ALPN h2 / http/1.1)


@pytest.fixture(scope="module")
def tls_server(cli, env, tmp_path_factory):
    """`serve` with a development certificate from ops/make-dev-cert; yields (https port, CA file)."""
    certs = tmp_path_factory.mktemp("tls")
    made = subprocess.run([str(ROOT_DIR / "ops/make-dev-cert"), str(certs)], capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    extra = {
        "LEDGERBRIDGE_ADMIN_TOKEN": ADMIN_TOKEN,
        "LEDGERBRIDGE_TLS_PORT": "0",
        "LEDGERBRIDGE_TLS_CERT": str(certs / "server.pem"),
        "LEDGERBRIDGE_TLS_KEY": str(certs / "server.key"),
    }
    with cli.serve(env.app_url, env.migrations_dir, env=extra) as process:
        line = process.wait_for_line("ledgerbridge serve: ready", READY_TIMEOUT)
        assert line, f"serve did not become ready:\n{process.explain()}"
        port = int(re.search(r"https://127\.0\.0\.1:(\d+)", line).group(1))
        yield port, certs / "ca.pem"
        assert process.stop(signal.SIGTERM, SHUTDOWN_TIMEOUT) == 0


def test_grpc_over_tls(stubs, tls_server):
    port, ca = tls_server
    credentials = grpc.ssl_channel_credentials(root_certificates=ca.read_bytes())
    with grpc.secure_channel(f"localhost:{port}", credentials) as ch:
        stub = stubs.diagnostics_grpc.DiagnosticsServiceStub(ch)
        assert stub.Ping(stubs.diagnostics_pb2.PingRequest(payload=b"secure"), timeout=10).payload == b"secure"
        tenants = stubs.tenants_grpc.TenantServiceStub(ch)
        with pytest.raises(grpc.RpcError) as info:
            tenants.ListTenants(stubs.tenants_pb2.ListTenantsRequest(), timeout=10)
        assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED
        assert tenants.ListTenants(stubs.tenants_pb2.ListTenantsRequest(page_size=1), metadata=AUTH, timeout=10) is not None


def test_connect_over_tls_h2_and_http1(tls_server):
    port, ca = tls_server
    for flag, version in (("--http2", "2"), ("--http1.1", "1.1")):
        out = curl(flag, "--cacert", str(ca), "-w", "\n%{http_version}", "-H", "content-type: application/json",
                   "-d", '{"payload":"dGxz"}', f"https://localhost:{port}/ledgerbridge.v1.DiagnosticsService/Ping")
        assert out.returncode == 0, out.stderr
        body, negotiated = out.stdout.rsplit("\n", 1)
        assert json.loads(body) == {"payload": "dGxz"}
        assert negotiated == version
    # A client that does not trust our CA refuses the server.
    out = curl("--http2", f"https://localhost:{port}/healthz")
    assert out.returncode == 60


def test_grpc_web_over_tls_h2_and_http1(stubs, tls_server):
    port, ca = tls_server
    for http2, expected in ((True, "HTTP/2"), (False, "HTTP/1.1")):
        with GrpcWebClient(f"https://localhost:{port}", http2=http2, verify=ssl.create_default_context(cafile=str(ca))) as web:
            version, messages, trailers = web.unary("/ledgerbridge.v1.DiagnosticsService/Ping",
                                                    stubs.diagnostics_pb2.PingRequest(payload=b"web-tls").SerializeToString())
            assert version == expected
            assert [stubs.diagnostics_pb2.PingResponse.FromString(m).payload for m in messages] == [b"web-tls"]
            assert trailers["grpc-status"] == "0"


# ----------------------------------------------------------------------------- wire edge cases


def test_grpc_gzip_both_ways(stubs, channel):
    stub = stubs.diagnostics_grpc.DiagnosticsServiceStub(channel)
    big = bytes(range(256)) * 400  # 100 kB: the response is compressed too (over the 1 KiB threshold)
    assert stub.Ping(stubs.diagnostics_pb2.PingRequest(payload=big), timeout=10, compression=grpc.Compression.Gzip).payload == big
    assert stub.Ping(stubs.diagnostics_pb2.PingRequest(payload=b"small"), timeout=10, compression=grpc.Compression.Gzip).payload == b"small"
    # A channel that compresses everything, and one that does not, on the same server.
    with grpc.insecure_channel(channel._channel.target().decode(), compression=grpc.Compression.Gzip) as gz:
        gz_stub = stubs.diagnostics_grpc.DiagnosticsServiceStub(gz)
        assert gz_stub.Ping(stubs.diagnostics_pb2.PingRequest(payload=big), timeout=10).payload == big
    assert stub.Ping(stubs.diagnostics_pb2.PingRequest(payload=big), timeout=10).payload == big


def test_grpc_gzip_message_over_the_limit_once_inflated_is_resource_exhausted(stubs, server):
    # 8 MiB of zeros compresses to ~8 kB; the limit is on what it inflates to (default 4 MiB).
    with grpc.insecure_channel(f"127.0.0.1:{server}", options=[("grpc.max_send_message_length", 64 << 20)]) as ch:
        stub = stubs.diagnostics_grpc.DiagnosticsServiceStub(ch)
        with pytest.raises(grpc.RpcError) as info:
            stub.Ping(stubs.diagnostics_pb2.PingRequest(payload=bytes(8 << 20)), timeout=20, compression=grpc.Compression.Gzip)
        assert info.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED


def test_grpc_unsupported_encoding_is_unimplemented_and_lists_ours(server, tmp_path):
    out = nghttp_post(server, "/ledgerbridge.v1.DiagnosticsService/Ping", struct.pack(">BI", 1, 3) + b"abc", tmp_path,
                      "content-type: application/grpc", "te: trailers", "grpc-encoding: br")
    assert "grpc-status: 12" in out
    assert "grpc-accept-encoding: gzip, identity" in out


def test_grpc_status_details_decoded_by_grpcio_status(stubs, channel):
    from google.rpc import error_details_pb2
    from grpc_status import rpc_status

    tenants = stubs.tenants_grpc.TenantServiceStub(channel)
    with pytest.raises(grpc.RpcError) as info:
        tenants.CreateTenant(stubs.tenants_pb2.CreateTenantRequest(name="Bad", slug="Not A Slug"), metadata=AUTH, timeout=10)
    status = rpc_status.from_call(info.value)
    assert status is not None, "no grpc-status-details-bin trailer"
    assert status.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert len(status.details) == 1 and status.details[0].Is(error_details_pb2.BadRequest.DESCRIPTOR)
    bad = error_details_pb2.BadRequest()
    status.details[0].Unpack(bad)
    assert [v.field for v in bad.field_violations] == ["slug"]

    slug = "dup-" + uuid.uuid4().hex[:8]
    tenants.CreateTenant(stubs.tenants_pb2.CreateTenantRequest(name="One", slug=slug), metadata=AUTH, timeout=10)
    with pytest.raises(grpc.RpcError) as info:
        tenants.CreateTenant(stubs.tenants_pb2.CreateTenantRequest(name="Two", slug=slug), metadata=AUTH, timeout=10)
    status = rpc_status.from_call(info.value)
    info_detail = error_details_pb2.ErrorInfo()
    assert status.details[0].Unpack(info_detail)
    assert (info_detail.reason, info_detail.domain, dict(info_detail.metadata)) == ("SLUG_TAKEN", "ledgerbridge.v1", {"slug": slug})


def test_connect_error_details_in_json(server):
    out = curl("-H", "content-type: application/json", "-H", f"authorization: Bearer {ADMIN_TOKEN}", "-d", '{"tenantId":"nope"}',
               f"http://127.0.0.1:{server}/ledgerbridge.v1.TenantService/GetTenant")
    body = json.loads(out.stdout)
    assert body["code"] == "invalid_argument"
    [detail] = body["details"]
    assert detail["type"] == "google.rpc.BadRequest"
    from google.rpc import error_details_pb2
    import base64
    bad = error_details_pb2.BadRequest.FromString(base64.b64decode(detail["value"] + "=" * (-len(detail["value"]) % 4)))
    assert bad.field_violations[0].field == "tenant_id"


def test_connect_unary_gzip_with_curl(server, tmp_path):
    import gzip
    body = tmp_path / "req.json.gz"
    payload = "QUFB" * 1000  # 3,000 bytes once decoded: the response is over the compression threshold
    body.write_bytes(gzip.compress(json.dumps({"payload": payload}).encode()))
    out = subprocess.run(["curl", "-sS", "--max-time", "10", "-D", "-", "-o", str(tmp_path / "resp.gz"), "-H", "content-type: application/json",
                          "-H", "content-encoding: gzip", "-H", "accept-encoding: gzip", "--data-binary", f"@{body}",
                          f"http://127.0.0.1:{server}/ledgerbridge.v1.DiagnosticsService/Ping"], capture_output=True, text=True, timeout=20)
    assert out.returncode == 0, out.stderr
    assert re.search(r"(?im)^content-encoding: gzip", out.stdout), out.stdout
    assert json.loads(gzip.decompress((tmp_path / "resp.gz").read_bytes())) == {"payload": payload}


def nghttp_post(port: int, path: str, body: bytes, tmp_path, *headers: str) -> str:
    data = tmp_path / "body.bin"
    data.write_bytes(body)
    args = ["nghttp", "-v", "-t", "10", "-d", str(data), "-H", "te: trailers"]
    for header in headers:
        args += ["-H", header]
    proc = subprocess.run(args + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, timeout=30)
    return proc.stdout


def test_grpc_compressed_flag_without_encoding_is_internal(server, tmp_path):
    out = nghttp_post(server, "/ledgerbridge.v1.DiagnosticsService/Ping", struct.pack(">BI", 1, 2) + b"\x0a\x00", tmp_path,
                      "content-type: application/grpc")
    assert "grpc-status: 13" in out, out
    assert "END_STREAM" in out


def test_grpc_zero_length_message_and_trailers_only_error(server, tmp_path):
    # A zero-length message is a valid (empty) PingRequest: status 0 in trailers after one message.
    out = nghttp_post(server, "/ledgerbridge.v1.DiagnosticsService/Ping", struct.pack(">BI", 0, 0), tmp_path, "content-type: application/grpc")
    assert "grpc-status: 0" in out, out
    # An unknown method is answered in a single HEADERS frame (trailers-only) with status 12.
    out = nghttp_post(server, "/ledgerbridge.v1.Nope/Nope", struct.pack(">BI", 0, 0), tmp_path, "content-type: application/grpc")
    assert "grpc-status: 12" in out, out
    assert out.count("recv HEADERS frame") == 1, out


# ----------------------------------------------------------------------------- graceful shutdown


def start_server(cli, env, *extra_args):
    from conftest import ServeProcess
    process = ServeProcess(cli.command("serve", "--database-url", env.app_url, "--migrations-dir", str(env.migrations_dir), *extra_args),
                           env={"LEDGERBRIDGE_PORT": "0"})
    line = process.wait_for_line("ledgerbridge serve: ready", READY_TIMEOUT)
    assert line, process.explain()
    return process, int(re.search(r"http://127\.0\.0\.1:(\d+)", line).group(1))


def test_sigterm_waits_for_calls_in_flight_up_to_the_grace_period(stubs, cli, env):
    process, port = start_server(cli, env, "--shutdown-grace", "2")
    with process, grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        stream = stubs.health_grpc.HealthStub(ch).Watch(stubs.health_pb2.HealthCheckRequest(service=""), timeout=60)
        assert next(stream).status == stubs.health_pb2.HealthCheckResponse.SERVING
        started = time.monotonic()
        process.proc.send_signal(signal.SIGTERM)
        # New connections are refused at once.
        time.sleep(0.5)
        refused = curl("-o", "/dev/null", "-w", "%{http_code}", f"http://127.0.0.1:{port}/healthz")
        assert refused.returncode != 0 or refused.stdout == "000"
        assert process.wait_for_exit(15) == 0, process.explain()
        elapsed = time.monotonic() - started
        assert 1.5 <= elapsed <= 8, f"exited after {elapsed:.1f}s; the open stream should hold it for the 2 s grace period"
        with pytest.raises(grpc.RpcError):
            for _ in stream:
                pass


def test_sigterm_with_nothing_in_flight_exits_at_once(cli, env):
    process, port = start_server(cli, env, "--shutdown-grace", "10")
    with process:
        assert curl(f"http://127.0.0.1:{port}/healthz").stdout.startswith("ok")
        started = time.monotonic()
        process.proc.send_signal(signal.SIGTERM)
        assert process.wait_for_exit(15) == 0, process.explain()
        assert time.monotonic() - started < 3


def test_request_id_is_returned_and_generated(server):
    base = f"http://127.0.0.1:{server}/ledgerbridge.v1.DiagnosticsService/Ping"
    out = curl("-i", "-H", "content-type: application/json", "-H", "x-request-id: trace-123", "-d", "{}", base)
    assert re.search(r"(?im)^x-request-id: trace-123\r?$", out.stdout), out.stdout
    # Errors carry it too, and a caller that sends none gets a fresh one.
    out = curl("-i", "-H", "content-type: application/json", "-d", '{"tenant_id":"x"}',
               f"http://127.0.0.1:{server}/ledgerbridge.v1.TenantService/GetTenant")
    match = re.search(r"(?im)^x-request-id: ([0-9a-f-]{36})\r?$", out.stdout)
    assert match, out.stdout


def test_a_silent_connection_is_closed_after_the_handshake_timeout(cli, env):
    import socket
    process, port = start_server(cli, env, "--handshake-timeout", "1")
    with process:
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            assert sock.recv(1) == b"", "the server closed the silent connection"
        elapsed = time.monotonic() - started
        assert 0.7 <= elapsed <= 5, f"closed after {elapsed:.2f}s"
        # A connection that speaks in time is not affected.
        assert curl(f"http://127.0.0.1:{port}/healthz").stdout.startswith("ok")
        assert process.stop(signal.SIGTERM, SHUTDOWN_TIMEOUT) == 0
