"""The token strings the sandbox issued appear nowhere: not in a `pg_dump` of
the database (as text, nor inside any bytea value), not in the server's logs
at trace level, not in any RPC answer or error.

Which strings: the tokens this test took from the sandbox and imported, the
ones the server got when it refreshed them (learnt the way a client whose
answer was lost learns them: the old refresh token, replayed within Xero's
grace period, gets the same answer again), the Cin7 key and the app secret;
and anything shaped like the sandbox's JWTs, which covers every access token
the server got through a consent of its own."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import urllib.parse
import uuid

import grpc
import pytest

from conftest import READY_TIMEOUT, SHUTDOWN_TIMEOUT, ServeProcess, database_of, url_with_database
from sandbox_support import authorize, binary, exchange, http, token_post
from test_connections import GRANULAR, follow_consent
from test_rpc import stubs  # noqa: F401

ADMIN_TOKEN = "test-admin-" + uuid.uuid4().hex
CLIENT_ID, SECRET = "secrets-app", "secrets-secret-" + uuid.uuid4().hex[:8]
CIN7_ACCOUNT, CIN7_KEY = "c1a70000-5a4d-4b0c-8000-0000000000a2", "cin7-secret-" + uuid.uuid4().hex[:8]
AUTH = (("authorization", f"Bearer {ADMIN_TOKEN}"),)
# The start of every JWT the sandbox signs ({"alg":"HS256","typ":"JWT"}), and of any JWT at all.
JWT_HEADER, JWT_START = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9", "eyJ"


@pytest.fixture(scope="module")
def sandboxes():
    cmd = [binary(), "sandbox", "--xero-port", "0", "--cin7-port", "0", "--xero-client-id", CLIENT_ID, "--xero-client-secret", SECRET,
           "--xero-organisations", "Secretive Ltd", "--cin7-account-id", CIN7_ACCOUNT, "--cin7-application-key", CIN7_KEY, "--scale", "0"]
    with ServeProcess(cmd) as process:
        assert process.wait_for_line("ledgerbridge sandbox: cin7 ready", 30), process.explain()
        text = "".join(process.stdout_lines)
        yield re.search(r"xero ready on (http://127\.0\.0\.1:\d+)", text).group(1), re.search(r"cin7 ready on (http://127\.0\.0\.1:\d+)", text).group(1)
        assert process.stop(signal.SIGTERM, 10) == 0


def pg_dump(url: str) -> str:
    proc = subprocess.run(["pg_dump", "--no-owner", "-d", url], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def bytea_values(dump: str) -> list[bytes]:
    """Every bytea the dump holds (COPY writes them as \\\\x followed by hex digits)."""
    return [bytes.fromhex(blob) for blob in re.findall(r"\\\\x((?:[0-9a-f]{2})+)", dump)]


def test_no_token_in_the_database_dump_the_logs_or_any_answer(cli, env, admin_url, sandboxes, stubs):  # noqa: F811
    xero, cin7 = sandboxes
    answers: list[str] = []  # every answer and error, as text and as wire bytes

    def keep(message):
        answers.append(str(message))
        answers.append(message.SerializeToString().decode("latin-1"))
        return message

    def refused(call, request) -> None:
        with pytest.raises(grpc.RpcError) as info:
            call(request, metadata=AUTH, timeout=20)
        answers.append(f"{info.value.code()} {info.value.details()} {info.value.trailing_metadata()}")

    extra = {"LEDGERBRIDGE_ADMIN_TOKEN": ADMIN_TOKEN, "LEDGERBRIDGE_LOG_LEVEL": "trace", "LEDGERBRIDGE_XERO_LOGIN_URL": xero,
             "LEDGERBRIDGE_XERO_IDENTITY_URL": xero, "LEDGERBRIDGE_XERO_API_URL": xero, "LEDGERBRIDGE_XERO_CLIENT_ID": CLIENT_ID,
             "LEDGERBRIDGE_XERO_CLIENT_SECRET": SECRET, "LEDGERBRIDGE_CIN7_API_URL": cin7}
    with cli.serve(env.app_url, env.migrations_dir, env=extra) as process:
        line = process.wait_for_line("ledgerbridge serve: ready", READY_TIMEOUT)
        assert line, process.explain()
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)", line).group(1))
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            tenants, tpb = stubs.tenants_grpc.TenantServiceStub(channel), stubs.tenants_pb2
            connections, cpb = stubs.connections_grpc.ConnectionServiceStub(channel), stubs.connections_pb2

            def new_tenant() -> str:
                return keep(tenants.CreateTenant(tpb.CreateTenantRequest(name="Secrets Co", slug="se-" + uuid.uuid4().hex[:10]),
                                                 metadata=AUTH, timeout=10)).tenant.tenant_id

            # 1. The one-click consent: the server gets its own tokens from the sandbox, then refreshes them.
            consented = new_tenant()
            begun = keep(connections.BeginXeroConnection(cpb.BeginXeroConnectionRequest(
                tenant_id=consented, redirect_uri=f"http://127.0.0.1:{port}/oauth/xero/callback"), metadata=AUTH, timeout=10))
            status, _, page = http("GET", follow_consent(begun.authorization_url))
            assert status == 200
            answers.append(page.decode("utf-8", "replace"))
            keep(connections.RefreshConnection(cpb.RefreshConnectionRequest(tenant_id=consented, connection_id=begun.connection_id),
                                               metadata=AUTH, timeout=20))

            # 2. Tokens taken elsewhere and imported; then refreshed by the server.
            imported = new_tenant()
            token = exchange(xero, CLIENT_ID, SECRET, authorize(xero, CLIENT_ID, " ".join(GRANULAR)))
            organisation = json.loads(http("GET", f"{xero}/connections", headers={"authorization": f"Bearer {token['access_token']}"})[2])[0]["tenantId"]
            stored = keep(connections.StoreCredentials(cpb.StoreCredentialsRequest(tenant_id=imported, xero=cpb.XeroCredentials(
                access_token=token["access_token"], refresh_token=token["refresh_token"], organisation_id=organisation)),
                metadata=AUTH, timeout=20)).connection
            keep(connections.RefreshConnection(cpb.RefreshConnectionRequest(tenant_id=imported, connection_id=stored.connection_id),
                                               metadata=AUTH, timeout=20))
            # The answer the server got, replayed: the old refresh token within the grace period.
            status, rotated = token_post(xero, {"grant_type": "refresh_token", "refresh_token": token["refresh_token"],
                                                "client_id": CLIENT_ID, "client_secret": SECRET})
            assert status == 200 and rotated["refresh_token"] != token["refresh_token"]
            # Refused imports echo nothing back either.
            refused(connections.StoreCredentials, cpb.StoreCredentialsRequest(tenant_id=imported, xero=cpb.XeroCredentials(
                access_token=token["access_token"], refresh_token=token["refresh_token"], organisation_id=str(uuid.uuid4()))))
            refused(connections.StoreCredentials, cpb.StoreCredentialsRequest(tenant_id=imported, xero=cpb.XeroCredentials(
                access_token=JWT_HEADER + ".bad.token", refresh_token="bad-" + token["refresh_token"], organisation_id=organisation)))

            # 3. Cin7 keys, accepted and refused.
            keep(connections.StoreCredentials(cpb.StoreCredentialsRequest(tenant_id=imported, cin7_core=cpb.Cin7CoreCredentials(
                account_id=CIN7_ACCOUNT, application_key=CIN7_KEY)), metadata=AUTH, timeout=20))
            keep(connections.ConnectCin7Core(cpb.ConnectCin7CoreRequest(tenant_id=consented, account_id=CIN7_ACCOUNT, application_key=CIN7_KEY),
                                             metadata=AUTH, timeout=20))
            refused(connections.ConnectCin7Core, cpb.ConnectCin7CoreRequest(tenant_id=consented, account_id=CIN7_ACCOUNT, application_key=CIN7_KEY + "x"))
            for tenant in (consented, imported):
                for connection in keep(connections.ListConnections(cpb.ListConnectionsRequest(tenant_id=tenant), metadata=AUTH, timeout=10)).connections:
                    keep(connections.GetConnection(cpb.GetConnectionRequest(tenant_id=tenant, connection_id=connection.connection_id), metadata=AUTH, timeout=10))
        assert process.stop(signal.SIGTERM, SHUTDOWN_TIMEOUT) == 0
        logs = "".join(process.stdout_lines + process.stderr_lines)

    assert "ConnectionService/StoreCredentials" in logs, "trace logging shows every call: the logs checked are the full ones"
    dump = pg_dump(url_with_database(admin_url, database_of(env.app_url)))
    assert "connection.xero.credentials_stored" in dump and stored.connection_id in dump, "the dump holds this test's rows"
    blobs = bytea_values(dump)
    assert len(blobs) >= 8, "the sealed secrets are in the dump, as bytea"
    secrets = {"the imported access token": token["access_token"], "the imported refresh token": token["refresh_token"],
               "the access token the server refreshed to": rotated["access_token"],
               "the refresh token the server rotated to": rotated["refresh_token"], "the Cin7 key": CIN7_KEY, "the app's client secret": SECRET}
    answers_text = "\n".join(answers)
    for label, secret in secrets.items():
        assert secret not in dump, f"{label} is in the database dump"
        assert not any(secret.encode() in blob for blob in blobs), f"{label} is in a bytea in the clear"
        assert secret not in logs, f"{label} is in the server's logs"
        assert secret not in answers_text, f"{label} is in an RPC answer"
    for shape in (JWT_HEADER, JWT_START):
        assert shape not in dump and shape not in logs, f"something shaped like a JWT ({shape}…) was stored or logged"
        assert not any(shape.encode() in blob for blob in blobs)
    assert JWT_HEADER not in answers_text
