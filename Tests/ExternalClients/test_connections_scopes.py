"""Which scopes a Xero consent asks for: `--xero-scopes` (granular by default,
broad for old apps, or a list) and BeginXeroConnection's own `scopes`; the
sandbox grants what was asked and the connection shows what was granted."""

from __future__ import annotations

import re
import signal
import urllib.parse
import uuid

import grpc
import pytest

from conftest import READY_TIMEOUT, ServeProcess, running_server
from sandbox_support import binary, http
from test_connections import BROAD, GRANULAR, follow_consent
from test_rpc import stubs  # noqa: F401

ADMIN_TOKEN = "test-admin-" + uuid.uuid4().hex
CLIENT_ID, SECRET = "scopes-app", "scopes-secret-" + uuid.uuid4().hex[:8]
AUTH = (("authorization", f"Bearer {ADMIN_TOKEN}"),)


@pytest.fixture(scope="module")
def sandbox():
    cmd = [binary(), "sandbox", "--xero-port", "0", "--cin7-port", "0", "--xero-client-id", CLIENT_ID, "--xero-client-secret", SECRET,
           "--xero-organisations", "Scoped Ltd", "--scale", "0"]
    with ServeProcess(cmd) as process:
        assert process.wait_for_line("ledgerbridge sandbox: cin7 ready", 30), process.explain()
        yield re.search(r"xero ready on (http://127\.0\.0\.1:\d+)", "".join(process.stdout_lines)).group(1)
        assert process.stop(signal.SIGTERM, 10) == 0


def server_env(sandbox: str, scopes: str | None) -> dict:
    env = {"LEDGERBRIDGE_ADMIN_TOKEN": ADMIN_TOKEN, "LEDGERBRIDGE_XERO_LOGIN_URL": sandbox, "LEDGERBRIDGE_XERO_IDENTITY_URL": sandbox,
           "LEDGERBRIDGE_XERO_API_URL": sandbox, "LEDGERBRIDGE_XERO_CLIENT_ID": CLIENT_ID, "LEDGERBRIDGE_XERO_CLIENT_SECRET": SECRET}
    if scopes is not None:
        env["LEDGERBRIDGE_XERO_SCOPES"] = scopes
    return env


@pytest.fixture(scope="module")
def broad_api(cli, env, sandbox, stubs):  # noqa: F811
    """A server for an old Xero app: LEDGERBRIDGE_XERO_SCOPES=broad."""
    with running_server(cli, env, server_env(sandbox, "broad")) as (port, _):
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield port, stubs.tenants_grpc.TenantServiceStub(channel), stubs.tenants_pb2, stubs.connections_grpc.ConnectionServiceStub(channel), stubs.connections_pb2


def connect(api, scopes: str = "") -> tuple[list[str], object]:
    """A new tenant through the whole consent; (the scopes the consent URL asked for, the connection)."""
    port, tenants, tpb, connections, cpb = api
    tenant = tenants.CreateTenant(tpb.CreateTenantRequest(name="Scopes Co", slug="sc-" + uuid.uuid4().hex[:10]), metadata=AUTH, timeout=10).tenant.tenant_id
    begun = connections.BeginXeroConnection(cpb.BeginXeroConnectionRequest(
        tenant_id=tenant, redirect_uri=f"http://127.0.0.1:{port}/oauth/xero/callback", scopes=scopes), metadata=AUTH, timeout=10)
    asked = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(begun.authorization_url).query))["scope"].split()
    status, _, page = http("GET", follow_consent(begun.authorization_url))
    assert status == 200 and b"is connected" in page, page
    connection = connections.GetConnection(cpb.GetConnectionRequest(tenant_id=tenant, connection_id=begun.connection_id), metadata=AUTH, timeout=10)
    assert connection.connection.status == cpb.CONNECTION_STATUS_CONNECTED
    return asked, connection.connection


def test_an_old_app_asks_for_the_broad_scopes_and_is_granted_them(broad_api):
    asked, connection = connect(broad_api)
    assert asked == BROAD
    assert list(connection.scopes) == BROAD


def test_one_consent_may_ask_for_other_scopes(broad_api):
    asked, connection = connect(broad_api, "granular")
    assert asked == GRANULAR and list(connection.scopes) == GRANULAR
    explicit = ["offline_access", "accounting.contacts.read", "accounting.settings.read"]
    asked, connection = connect(broad_api, " ".join(explicit))
    assert asked == explicit and list(connection.scopes) == explicit


def test_scopes_without_offline_access_are_refused(broad_api):
    port, tenants, tpb, connections, cpb = broad_api
    tenant = tenants.CreateTenant(tpb.CreateTenantRequest(name="Scopes Co", slug="sc-" + uuid.uuid4().hex[:10]), metadata=AUTH, timeout=10).tenant.tenant_id
    for scopes in ("accounting.contacts accounting.settings", "offline_access accounting/contacts"):
        with pytest.raises(grpc.RpcError) as info:
            connections.BeginXeroConnection(cpb.BeginXeroConnectionRequest(tenant_id=tenant, redirect_uri=f"http://127.0.0.1:{port}/cb", scopes=scopes),
                                            metadata=AUTH, timeout=10)
        assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT and info.value.details().startswith("scopes:")
    assert connections.ListConnections(cpb.ListConnectionsRequest(tenant_id=tenant), metadata=AUTH, timeout=10).connections == []


def test_serve_refuses_a_scope_list_without_offline_access(cli, env, sandbox):
    for value in ("accounting.contacts", "offline_access accounting/contacts"):
        with cli.serve(env.app_url, env.migrations_dir, env=server_env(sandbox, value)) as server:
            code = server.wait_for_exit(READY_TIMEOUT)
            assert code not in (None, 0), "serve started with unusable scopes"
            assert "--xero-scopes" in server.result().output
