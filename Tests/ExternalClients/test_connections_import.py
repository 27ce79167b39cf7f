"""StoreCredentials: tokens and keys obtained elsewhere, imported write-only.

Xero tokens come from the sandbox's own consent, taken by this test as another
tool would; they are checked with a real call (refreshed first when the access
token cannot be used), must reach the named organisation, and replace the
tenant's live connection. No answer ever carries them back."""

from __future__ import annotations

import json
import re
import signal
import time
import uuid

import grpc
import pytest

from conftest import Psql, ServeProcess, running_server
from sandbox_support import authorize, binary, exchange, http
from test_connections import GRANULAR, follow_consent
from test_rpc import stubs  # noqa: F401

ADMIN_TOKEN = "test-admin-" + uuid.uuid4().hex
CLIENT_ID, SECRET = "import-app", "import-secret-" + uuid.uuid4().hex[:8]
CIN7_ACCOUNT, CIN7_KEY = "c1a70000-5a4d-4b0c-8000-0000000000d8", "cin7-import-" + uuid.uuid4().hex[:8]
AUTH = (("authorization", f"Bearer {ADMIN_TOKEN}"),)


@pytest.fixture(scope="module")
def sandboxes():
    cmd = [binary(), "sandbox", "--xero-port", "0", "--cin7-port", "0", "--xero-client-id", CLIENT_ID, "--xero-client-secret", SECRET,
           "--xero-organisations", "Imported Ltd, Other Branch Ltd", "--cin7-account-id", CIN7_ACCOUNT, "--cin7-application-key", CIN7_KEY,
           "--scale", "0"]
    with ServeProcess(cmd) as process:
        assert process.wait_for_line("ledgerbridge sandbox: cin7 ready", 30), process.explain()
        text = "".join(process.stdout_lines)
        yield re.search(r"xero ready on (http://127\.0\.0\.1:\d+)", text).group(1), re.search(r"cin7 ready on (http://127\.0\.0\.1:\d+)", text).group(1)
        assert process.stop(signal.SIGTERM, 10) == 0


@pytest.fixture(scope="module")
def server(cli, env, sandboxes):
    xero, cin7 = sandboxes
    with running_server(cli, env, {
        "LEDGERBRIDGE_ADMIN_TOKEN": ADMIN_TOKEN, "LEDGERBRIDGE_XERO_LOGIN_URL": xero, "LEDGERBRIDGE_XERO_IDENTITY_URL": xero,
        "LEDGERBRIDGE_XERO_API_URL": xero, "LEDGERBRIDGE_XERO_CLIENT_ID": CLIENT_ID, "LEDGERBRIDGE_XERO_CLIENT_SECRET": SECRET,
        "LEDGERBRIDGE_CIN7_API_URL": cin7,
    }) as running:
        yield running


@pytest.fixture(scope="module")
def api(server, stubs):  # noqa: F811
    with grpc.insecure_channel(f"127.0.0.1:{server[0]}") as channel:
        yield stubs.tenants_grpc.TenantServiceStub(channel), stubs.tenants_pb2, stubs.connections_grpc.ConnectionServiceStub(channel), stubs.connections_pb2


def new_tenant(api) -> str:
    tenants, tpb, _, _ = api
    return tenants.CreateTenant(tpb.CreateTenantRequest(name="Import Co", slug="im-" + uuid.uuid4().hex[:10]), metadata=AUTH, timeout=10).tenant.tenant_id


def obtain_tokens(xero: str) -> dict:
    """Another tool's consent for the same Xero app: a token response, plus the organisations it reaches."""
    token = exchange(xero, CLIENT_ID, SECRET, authorize(xero, CLIENT_ID, " ".join(GRANULAR)))
    status, _, body = http("GET", f"{xero}/connections", headers={"authorization": f"Bearer {token['access_token']}"})
    assert status == 200
    token["organisations"] = {entry["tenantName"]: entry["tenantId"] for entry in json.loads(body)}
    return token


def token_calls(xero: str) -> dict:
    calls = json.loads(http("GET", xero + "/__sandbox/state")[2])["calls"]
    return {status: count for endpoint, by_status in calls.items() if "connect/token" in endpoint for status, count in by_status.items()}


def store_xero(api, tenant, token, organisation=None, access=None, expires_in=None, refresh=None):
    _, _, connections, cpb = api
    credentials = cpb.XeroCredentials(access_token=token["access_token"] if access is None else access,
                                      refresh_token=token["refresh_token"] if refresh is None else refresh,
                                      organisation_id=organisation or token["organisations"]["Imported Ltd"])
    seconds = token["expires_in"] if expires_in is None else expires_in
    if seconds != "unset":
        credentials.access_expires_at.FromSeconds(int(time.time()) + seconds)
    return connections.StoreCredentials(cpb.StoreCredentialsRequest(tenant_id=tenant, xero=credentials), metadata=AUTH, timeout=20).connection


def refused(call, request):
    with pytest.raises(grpc.RpcError) as info:
        call(request, metadata=AUTH, timeout=20)
    return info.value.code(), info.value.details()


def audit_actions(env, tenant) -> list[str]:
    return [row[0] for row in Psql(env.owner_url).rows(f"SET app.tenant_id = '{tenant}'; SELECT action FROM audit_log WHERE tenant_id = '{tenant}' ORDER BY id")]


def test_working_tokens_are_checked_and_stored_without_a_refresh(api, sandboxes, env):
    _, _, connections, cpb = api
    xero, _ = sandboxes
    tenant, token = new_tenant(api), obtain_tokens(xero)
    before = token_calls(xero)
    connection = store_xero(api, tenant, token)
    assert token_calls(xero) == before, "a working access token needs no refresh"
    assert connection.provider == cpb.CONNECTION_PROVIDER_XERO and connection.status == cpb.CONNECTION_STATUS_CONNECTED
    assert connection.external_id == token["organisations"]["Imported Ltd"] and connection.external_name == "Imported Ltd"
    assert list(connection.scopes) == GRANULAR, "read from the access token"
    assert abs(connection.access_expires_at.seconds - (time.time() + token["expires_in"])) < 10
    assert not connection.HasField("last_refresh_at"), "nobody knows when this refresh token was last used"
    for secret in (token["access_token"], token["refresh_token"]):
        assert secret not in str(connection) and secret not in connection.SerializeToString().decode("latin-1")
    assert "connection.xero.credentials_stored" in audit_actions(env, tenant)
    # The refresh token was stored as given: it refreshes.
    refreshed = connections.RefreshConnection(cpb.RefreshConnectionRequest(tenant_id=tenant, connection_id=connection.connection_id),
                                              metadata=AUTH, timeout=20).connection
    assert refreshed.status == cpb.CONNECTION_STATUS_CONNECTED and refreshed.HasField("last_refresh_at")
    assert token_calls(xero).get("200", 0) == before.get("200", 0) + 1


@pytest.mark.parametrize("access, expires_in", [("not-a-token", None), ("", "unset"), (None, -60)],
                         ids=["refused-401", "missing", "expired"])
def test_an_unusable_access_token_is_replaced_through_the_refresh_token_first(api, sandboxes, access, expires_in):
    _, _, connections, cpb = api
    xero, _ = sandboxes
    tenant, token = new_tenant(api), obtain_tokens(xero)
    before = token_calls(xero)
    connection = store_xero(api, tenant, token, access=access, expires_in=expires_in)
    assert connection.status == cpb.CONNECTION_STATUS_CONNECTED and connection.external_name == "Imported Ltd"
    assert token_calls(xero).get("200", 0) == before.get("200", 0) + 1, "one refresh"
    assert connection.HasField("last_refresh_at") and connection.access_expires_at.seconds > time.time() + 60
    assert list(connection.scopes) == GRANULAR, "from the token response"
    # What was stored is the rotated refresh token: the next refresh works too.
    again = connections.RefreshConnection(cpb.RefreshConnectionRequest(tenant_id=tenant, connection_id=connection.connection_id), metadata=AUTH, timeout=20)
    assert again.connection.status == cpb.CONNECTION_STATUS_CONNECTED


def test_refused_credentials_and_bad_input_store_nothing(api, sandboxes):
    _, _, connections, cpb = api
    xero, _ = sandboxes
    tenant, token = new_tenant(api), obtain_tokens(xero)

    def store(**fields):
        credentials = cpb.XeroCredentials(**{"access_token": token["access_token"], "refresh_token": token["refresh_token"],
                                             "organisation_id": token["organisations"]["Imported Ltd"], **fields})
        return refused(connections.StoreCredentials, cpb.StoreCredentialsRequest(tenant_id=tenant, xero=credentials))

    code, details = store(organisation_id=str(uuid.uuid4()))
    assert code == grpc.StatusCode.FAILED_PRECONDITION and "not among the 2 organisation(s)" in details
    code, details = store(access_token="not-a-token", refresh_token="not-a-refresh-token")
    assert code == grpc.StatusCode.FAILED_PRECONDITION and "invalid_grant" in details
    for fields, field in (({"refresh_token": ""}, "xero.refresh_token"), ({"organisation_id": "Imported Ltd"}, "xero.organisation_id")):
        code, details = store(**fields)
        assert code == grpc.StatusCode.INVALID_ARGUMENT and details.startswith(field + ":"), details
    code, details = refused(connections.StoreCredentials, cpb.StoreCredentialsRequest(tenant_id=tenant))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and details.startswith("credentials:")
    code, details = refused(connections.StoreCredentials, cpb.StoreCredentialsRequest(
        tenant_id=tenant, cin7_core=cpb.Cin7CoreCredentials(account_id=CIN7_ACCOUNT, application_key="wrong-key")))
    assert code == grpc.StatusCode.INVALID_ARGUMENT and details.startswith("cin7_core.application_key:") and "refused" in details
    for secret in (token["access_token"], token["refresh_token"]):
        assert secret not in details
    assert connections.ListConnections(cpb.ListConnectionsRequest(tenant_id=tenant, include_revoked=True), metadata=AUTH, timeout=10).connections == []


def test_imported_credentials_replace_the_live_connection_and_end_a_consent_in_progress(api, server, sandboxes, env):
    _, _, connections, cpb = api
    xero, _ = sandboxes
    tenant = new_tenant(api)
    # A consent in progress: PENDING, with a state Xero will send back.
    begun = connections.BeginXeroConnection(cpb.BeginXeroConnectionRequest(tenant_id=tenant, redirect_uri=f"http://127.0.0.1:{server[0]}/oauth/xero/callback"),
                                            metadata=AUTH, timeout=10)
    landing = follow_consent(begun.authorization_url)
    token = obtain_tokens(xero)
    first = store_xero(api, tenant, token)
    assert first.connection_id == begun.connection_id, "the pending connection is the one replaced"
    # The consent's callback arrives too late: its state was ended by the import.
    status, _, page = http("GET", landing)
    assert status == 400 and b"already completed" in page
    second = store_xero(api, tenant, obtain_tokens(xero), organisation=token["organisations"]["Other Branch Ltd"])
    assert second.connection_id == first.connection_id and second.external_name == "Other Branch Ltd"
    [live] = connections.ListConnections(cpb.ListConnectionsRequest(tenant_id=tenant, include_revoked=True), metadata=AUTH, timeout=10).connections
    assert live.external_id == token["organisations"]["Other Branch Ltd"]
    secrets = Psql(env.owner_url).rows(f"SET app.tenant_id = '{tenant}'; SELECT field FROM connection_secrets ORDER BY field")
    assert secrets == [["access_token"], ["refresh_token"]], "no verifier of the abandoned consent, no stale previous token"


def test_a_cin7_key_is_verified_then_replaces_the_old_one(api, env):
    _, _, connections, cpb = api
    tenant = new_tenant(api)
    stored = connections.StoreCredentials(cpb.StoreCredentialsRequest(
        tenant_id=tenant, cin7_core=cpb.Cin7CoreCredentials(account_id=CIN7_ACCOUNT, application_key=CIN7_KEY)), metadata=AUTH, timeout=20).connection
    assert stored.provider == cpb.CONNECTION_PROVIDER_CIN7_CORE and stored.status == cpb.CONNECTION_STATUS_CONNECTED
    assert stored.external_id == CIN7_ACCOUNT and CIN7_KEY not in str(stored)
    again = connections.StoreCredentials(cpb.StoreCredentialsRequest(
        tenant_id=tenant, cin7_core=cpb.Cin7CoreCredentials(account_id=CIN7_ACCOUNT, application_key=CIN7_KEY)), metadata=AUTH, timeout=20).connection
    assert again.connection_id == stored.connection_id
    assert audit_actions(env, tenant).count("connection.cin7.credentials_stored") == 2
