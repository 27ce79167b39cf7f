"""The one-click onboarding against the sandboxes, through grpcio and a browser's
redirects: BeginXeroConnection → Xero's consent → our /oauth/xero/callback →
connected; the multi-organisation wait; Cin7 credentials checked for real; and
tokens that never show up in responses, logs or the database in the clear."""

from __future__ import annotations

import json
import re
import signal
import urllib.parse
import uuid

import grpc
import pytest

from conftest import Psql, ServeProcess, running_server
from sandbox_support import binary, http
from test_rpc import stubs  # noqa: F401  (the generated stubs fixture)

ADMIN_TOKEN = "test-admin-" + uuid.uuid4().hex
CLIENT_ID, SECRET = "onboarding-app", "onboarding-secret-" + uuid.uuid4().hex[:8]
GRANULAR = ["openid", "profile", "email", "offline_access", "accounting.settings", "accounting.contacts", "accounting.invoices",
            "accounting.payments", "accounting.banktransactions", "accounting.manualjournals"]
BROAD = ["openid", "profile", "email", "offline_access", "accounting.settings", "accounting.contacts", "accounting.transactions",
         "accounting.journals.read"]
CIN7_ACCOUNT, CIN7_KEY = "c1a70000-5a4d-4b0c-8000-0000000000c7", "cin7-key-" + uuid.uuid4().hex[:8]


@pytest.fixture(scope="module")
def sandboxes():
    """Xero with two organisations for this app's user, and Cin7 with one account."""
    cmd = [binary(), "sandbox", "--xero-port", "0", "--cin7-port", "0", "--xero-client-id", CLIENT_ID, "--xero-client-secret", SECRET,
           "--xero-organisations", "Onboarded Ltd, Second Branch Ltd",
           # Rotation enforced: a rotated refresh token is dead almost at once, so any reuse shows as invalid_grant.
           "--xero-refresh-grace", "0.05", "--xero-limit-minute", "100000", "--xero-limit-concurrent", "100", "--cin7-account-id", CIN7_ACCOUNT, "--cin7-application-key", CIN7_KEY, "--scale", "0"]
    with ServeProcess(cmd) as process:
        assert process.wait_for_line("ledgerbridge sandbox: cin7 ready", 30), process.explain()
        text = "".join(process.stdout_lines)
        xero = re.search(r"xero ready on (http://127\.0\.0\.1:\d+)", text).group(1)
        cin7 = re.search(r"cin7 ready on (http://127\.0\.0\.1:\d+)", text).group(1)
        yield xero, cin7, process
        assert process.stop(signal.SIGTERM, 10) == 0


def server_env(sandboxes) -> dict:
    """What points a server at the sandboxes, as the same variables point it at Xero and Cin7."""
    xero, cin7, _ = sandboxes
    return {"LEDGERBRIDGE_ADMIN_TOKEN": ADMIN_TOKEN, "LEDGERBRIDGE_XERO_LOGIN_URL": xero, "LEDGERBRIDGE_XERO_IDENTITY_URL": xero,
            "LEDGERBRIDGE_XERO_API_URL": xero, "LEDGERBRIDGE_XERO_CLIENT_ID": CLIENT_ID, "LEDGERBRIDGE_XERO_CLIENT_SECRET": SECRET,
            "LEDGERBRIDGE_CIN7_API_URL": cin7}


@pytest.fixture(scope="module")
def server(cli, env, sandboxes):
    with running_server(cli, env, server_env(sandboxes)) as running:
        yield running


@pytest.fixture(scope="module")
def second_server(cli, env, sandboxes, server):
    """Another process on the same database: what a second replica would be."""
    with running_server(cli, env, server_env(sandboxes)) as running:
        yield running


@pytest.fixture(scope="module")
def api(server, stubs):  # noqa: F811
    port, _ = server
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        yield stubs.tenants_grpc.TenantServiceStub(channel), stubs.tenants_pb2, stubs.connections_grpc.ConnectionServiceStub(channel), stubs.connections_pb2


AUTH = (("authorization", f"Bearer {ADMIN_TOKEN}"),)


def new_tenant(api) -> str:
    tenants, tpb, _, _ = api
    return tenants.CreateTenant(tpb.CreateTenantRequest(name="Onboarding Co", slug="on-" + uuid.uuid4().hex[:10]), metadata=AUTH, timeout=10).tenant.tenant_id


def follow_consent(authorization_url: str) -> str:
    """The browser at Xero: consent is automatic in the sandbox; returns where Xero redirects."""
    status, headers, _ = http("GET", authorization_url)
    assert status == 302, (status, headers)
    return {k.lower(): v for k, v in headers.items()}["location"]


def rpc_code(call, request):
    try:
        call(request, metadata=AUTH, timeout=20)
    except grpc.RpcError as error:
        return error.code(), error.details()
    return grpc.StatusCode.OK, ""


def test_one_click_xero_through_the_callback_then_the_organisation_choice(api, server, sandboxes, env):
    _, _, connections, cpb = api
    port, process = server
    tenant = new_tenant(api)
    callback = f"http://127.0.0.1:{port}/oauth/xero/callback"
    begun = connections.BeginXeroConnection(cpb.BeginXeroConnectionRequest(tenant_id=tenant, redirect_uri=callback), metadata=AUTH, timeout=10)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(begun.authorization_url).query))
    assert query["client_id"] == CLIENT_ID and query["code_challenge_method"] == "S256" and query["state"] == begun.state
    # The default: Xero's granular scopes (what apps created since 2 March 2026 may ask for).
    assert query["scope"].split() == GRANULAR and query["redirect_uri"] == callback

    landing = follow_consent(begun.authorization_url)
    assert landing.startswith(callback)
    status, _, page = http("GET", landing)
    assert status == 200 and b"several organisations" in page, page

    [xero] = connections.ListConnections(cpb.ListConnectionsRequest(tenant_id=tenant), metadata=AUTH, timeout=10).connections
    assert xero.provider == cpb.CONNECTION_PROVIDER_XERO and xero.status == cpb.CONNECTION_STATUS_PENDING
    assert xero.connection_id == begun.connection_id and list(xero.scopes) == GRANULAR, "the scopes Xero granted"
    choices = connections.ListXeroOrganisations(cpb.ListXeroOrganisationsRequest(tenant_id=tenant, connection_id=xero.connection_id),
                                                metadata=AUTH, timeout=10).organisations
    assert sorted(c.name for c in choices) == ["Onboarded Ltd", "Second Branch Ltd"]
    bad = rpc_code(connections.SelectXeroOrganisation, cpb.SelectXeroOrganisationRequest(tenant_id=tenant, connection_id=xero.connection_id,
                                                                                          organisation_id=str(uuid.uuid4())))
    assert bad[0] == grpc.StatusCode.INVALID_ARGUMENT
    chosen = next(c for c in choices if c.name == "Onboarded Ltd")
    connected = connections.SelectXeroOrganisation(cpb.SelectXeroOrganisationRequest(
        tenant_id=tenant, connection_id=xero.connection_id, organisation_id=chosen.organisation_id), metadata=AUTH, timeout=10).connection
    assert connected.status == cpb.CONNECTION_STATUS_CONNECTED and connected.external_name == "Onboarded Ltd"
    assert connected.external_id == chosen.organisation_id and connected.access_expires_at.seconds > 0
    again = rpc_code(connections.SelectXeroOrganisation, cpb.SelectXeroOrganisationRequest(
        tenant_id=tenant, connection_id=xero.connection_id, organisation_id=chosen.organisation_id))
    assert again[0] == grpc.StatusCode.FAILED_PRECONDITION

    # The same redirect again: the state is spent.
    status, _, page = http("GET", landing)
    assert status == 400 and b"already completed" in page
    # A second consent while connected is refused plainly.
    code, details = rpc_code(connections.BeginXeroConnection, cpb.BeginXeroConnectionRequest(tenant_id=tenant, redirect_uri=callback))
    assert code == grpc.StatusCode.FAILED_PRECONDITION and "already connected" in details

    # Disconnect revokes at Xero and keeps the history.
    xero_base, _, _ = sandboxes
    def revocations():
        calls = json.loads(http("GET", xero_base + "/__sandbox/state")[2])["calls"]
        return sum(count for endpoint, by_status in calls.items() if "revocation" in endpoint for status, count in by_status.items() if status == "200")
    before = revocations()
    revoked = connections.Disconnect(cpb.DisconnectRequest(tenant_id=tenant, connection_id=xero.connection_id), metadata=AUTH, timeout=20).connection
    assert revoked.status == cpb.CONNECTION_STATUS_REVOKED
    assert revocations() == before + 1
    assert connections.ListConnections(cpb.ListConnectionsRequest(tenant_id=tenant), metadata=AUTH, timeout=10).connections == []
    history = connections.ListConnections(cpb.ListConnectionsRequest(tenant_id=tenant, include_revoked=True), metadata=AUTH, timeout=10).connections
    assert [c.connection_id for c in history] == [xero.connection_id]
    left = Psql(env.owner_url).run(f"SET app.tenant_id = '{tenant}'; SELECT count(*) FROM connection_secrets")
    assert left == "0", "the secrets are erased"
    # A new consent can start again.
    assert connections.BeginXeroConnection(cpb.BeginXeroConnectionRequest(tenant_id=tenant, redirect_uri=callback), metadata=AUTH, timeout=10).state


def test_tampered_and_foreign_states_and_bad_codes_are_refused(api, server):
    _, _, connections, cpb = api
    port, _ = server
    tenant = new_tenant(api)
    callback = f"http://127.0.0.1:{port}/oauth/xero/callback"
    begun = connections.BeginXeroConnection(cpb.BeginXeroConnectionRequest(tenant_id=tenant, redirect_uri=callback), metadata=AUTH, timeout=10)
    landing = follow_consent(begun.authorization_url)
    code = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(landing).query))["code"]

    status, _, page = http("GET", f"{callback}?code={code}&state={begun.state[:-2]}xx")
    assert status == 400 and b"not one this server issued" in page
    status, _, page = http("GET", f"{callback}?error=access_denied&state={begun.state}")
    assert status == 400 and b"access_denied" in page
    # A wrong code spends the state: Xero refuses it, and the consent must start again.
    failed = rpc_code(connections.CompleteXeroConnection, cpb.CompleteXeroConnectionRequest(state=begun.state, code="not-the-code"))
    assert failed[0] == grpc.StatusCode.FAILED_PRECONDITION and "Xero refused the code" in failed[1]
    again = rpc_code(connections.CompleteXeroConnection, cpb.CompleteXeroConnectionRequest(state=begun.state, code=code))
    assert again[0] == grpc.StatusCode.FAILED_PRECONDITION and "already completed" in again[1]
    [pending] = connections.ListConnections(cpb.ListConnectionsRequest(tenant_id=tenant), metadata=AUTH, timeout=10).connections
    assert pending.status == cpb.CONNECTION_STATUS_PENDING and "invalid_grant" in pending.last_error

    for request, field in ((cpb.BeginXeroConnectionRequest(tenant_id=tenant, redirect_uri="not a url"), "redirect_uri"),
                           (cpb.BeginXeroConnectionRequest(tenant_id="nope", redirect_uri=callback), "tenant_id")):
        assert rpc_code(connections.BeginXeroConnection, request)[0] == grpc.StatusCode.INVALID_ARGUMENT, field


def test_cin7_credentials_are_checked_before_they_are_stored(api):
    _, _, connections, cpb = api
    tenant = new_tenant(api)
    bad = rpc_code(connections.ConnectCin7Core, cpb.ConnectCin7CoreRequest(tenant_id=tenant, account_id=CIN7_ACCOUNT, application_key="wrong-key"))
    assert bad[0] == grpc.StatusCode.INVALID_ARGUMENT and "refused" in bad[1]
    assert connections.ListConnections(cpb.ListConnectionsRequest(tenant_id=tenant), metadata=AUTH, timeout=10).connections == []
    assert rpc_code(connections.ConnectCin7Core, cpb.ConnectCin7CoreRequest(tenant_id=tenant, account_id="not-a-guid", application_key="k"))[0] \
        == grpc.StatusCode.INVALID_ARGUMENT
    connected = connections.ConnectCin7Core(cpb.ConnectCin7CoreRequest(tenant_id=tenant, account_id=CIN7_ACCOUNT, application_key=CIN7_KEY),
                                            metadata=AUTH, timeout=20).connection
    assert connected.provider == cpb.CONNECTION_PROVIDER_CIN7_CORE and connected.status == cpb.CONNECTION_STATUS_CONNECTED
    assert connected.external_id == CIN7_ACCOUNT and connected.external_name
    assert CIN7_KEY not in str(connected)
    got = connections.GetConnection(cpb.GetConnectionRequest(tenant_id=tenant, connection_id=connected.connection_id), metadata=AUTH, timeout=10)
    assert got.connection.connection_id == connected.connection_id
    assert rpc_code(connections.GetConnection, cpb.GetConnectionRequest(tenant_id=new_tenant(api), connection_id=connected.connection_id))[0] \
        == grpc.StatusCode.NOT_FOUND


def test_no_secret_in_logs_responses_or_the_database(api, server, sandboxes, env):
    """After the flows above: the app secret, the Cin7 key and every token the sandbox issued appear nowhere."""
    _, serve = server
    secrets = [SECRET, CIN7_KEY]
    logs = "".join(serve.stdout_lines + serve.stderr_lines)
    dump = ""
    # The owner cannot read the sealed rows past RLS without a tenant: check them through each tenant's view.
    tenants = Psql(env.owner_url).rows("SELECT id FROM tenants")
    for (tenant,) in tenants:
        dump += Psql(env.owner_url).run(f"SET app.tenant_id = '{tenant}'; SELECT coalesce(string_agg(encode(sealed, 'escape'), ' '), '') FROM connection_secrets")
        dump += Psql(env.owner_url).run(f"SET app.tenant_id = '{tenant}'; SELECT coalesce(string_agg(coalesce(last_error, '') || external_id, ' '), '') FROM connections")
    for secret in secrets:
        assert secret not in logs and secret not in dump
    # Tokens the sandbox issued look like JWTs (eyJ…): none in our logs or tables.
    assert "eyJ" not in logs and "eyJ" not in dump


def connect_xero(api, port) -> tuple[str, str]:
    """A tenant connected to the first organisation; (tenant id, connection id)."""
    _, _, connections, cpb = api
    tenant = new_tenant(api)
    callback = f"http://127.0.0.1:{port}/oauth/xero/callback"
    begun = connections.BeginXeroConnection(cpb.BeginXeroConnectionRequest(tenant_id=tenant, redirect_uri=callback), metadata=AUTH, timeout=10)
    assert http("GET", follow_consent(begun.authorization_url))[0] == 200
    choice = connections.ListXeroOrganisations(cpb.ListXeroOrganisationsRequest(tenant_id=tenant, connection_id=begun.connection_id),
                                               metadata=AUTH, timeout=10).organisations[0]
    connections.SelectXeroOrganisation(cpb.SelectXeroOrganisationRequest(tenant_id=tenant, connection_id=begun.connection_id,
                                                                         organisation_id=choice.organisation_id), metadata=AUTH, timeout=10)
    return tenant, begun.connection_id


def test_concurrent_refreshes_from_two_processes_never_reuse_a_rotated_token(api, server, second_server, sandboxes, stubs):  # noqa: F811
    _, _, connections, cpb = api
    xero_base, _, _ = sandboxes
    tenant, connection = connect_xero(api, server[0])

    def token_calls():
        calls = json.loads(http("GET", xero_base + "/__sandbox/state")[2])["calls"]
        return {status: count for endpoint, by_status in calls.items() if "connect/token" in endpoint for status, count in by_status.items()}
    before = token_calls()
    request = cpb.RefreshConnectionRequest(tenant_id=tenant, connection_id=connection)
    with grpc.insecure_channel(f"127.0.0.1:{second_server[0]}") as other:
        second = stubs.connections_grpc.ConnectionServiceStub(other)
        futures = [stub.RefreshConnection.future(request, metadata=AUTH, timeout=60) for _ in range(100) for stub in (connections, second)]
        results = [future.result() for future in futures]
    assert len(results) == 200 and all(r.connection.status == cpb.CONNECTION_STATUS_CONNECTED for r in results)
    after = token_calls()
    refreshed = after.get("200", 0) - before.get("200", 0)
    assert 1 <= refreshed <= 200, after
    assert after.get("400", 0) == before.get("400", 0), "a rotated refresh token was used again (invalid_grant)"
    # The stored token is the live one: one more refresh, from either process, works.
    assert connections.RefreshConnection(request, metadata=AUTH, timeout=20).connection.status == cpb.CONNECTION_STATUS_CONNECTED
    assert token_calls().get("200", 0) == after.get("200", 0) + 1


def test_every_connection_call_is_refused_for_another_tenant(api, server):
    """Consultant and tenant keys name a tenant outside their reach: NOT_FOUND (or the state reads as unknown), never data."""
    tenants, tpb, connections, cpb = api
    port, _ = server
    mine, theirs = new_tenant(api), new_tenant(api)
    consultant = tenants.CreateApiKey(tpb.CreateApiKeyRequest(kind=tpb.PRINCIPAL_KIND_CONSULTANT, principal_name="Carol", name="k"),
                                      metadata=AUTH, timeout=10)
    tenants.AssignConsultant(tpb.AssignConsultantRequest(tenant_id=mine, consultant_id=consultant.api_key.principal_id), metadata=AUTH, timeout=10)
    tenant_key = tenants.CreateApiKey(tpb.CreateApiKeyRequest(tenant_id=mine, name="own"), metadata=AUTH, timeout=10).secret
    # Something of theirs to aim at: a Cin7 connection and a consent in progress.
    other = connections.ConnectCin7Core(cpb.ConnectCin7CoreRequest(tenant_id=theirs, account_id=CIN7_ACCOUNT, application_key=CIN7_KEY),
                                        metadata=AUTH, timeout=20).connection
    begun = connections.BeginXeroConnection(cpb.BeginXeroConnectionRequest(tenant_id=theirs, redirect_uri=f"http://127.0.0.1:{port}/cb"),
                                            metadata=AUTH, timeout=10)
    calls = [
        (connections.BeginXeroConnection, cpb.BeginXeroConnectionRequest(tenant_id=theirs, redirect_uri="http://127.0.0.1:1/cb")),
        (connections.ConnectCin7Core, cpb.ConnectCin7CoreRequest(tenant_id=theirs, account_id=CIN7_ACCOUNT, application_key=CIN7_KEY)),
        (connections.StoreCredentials, cpb.StoreCredentialsRequest(tenant_id=theirs, cin7_core=cpb.Cin7CoreCredentials(account_id=CIN7_ACCOUNT,
                                                                                                                   application_key=CIN7_KEY))),
        (connections.StoreCredentials, cpb.StoreCredentialsRequest(tenant_id=theirs, xero=cpb.XeroCredentials(
            refresh_token="r", organisation_id=str(uuid.uuid4())))),
        (connections.GetConnection, cpb.GetConnectionRequest(tenant_id=theirs, connection_id=other.connection_id)),
        (connections.ListConnections, cpb.ListConnectionsRequest(tenant_id=theirs)),
        (connections.ListXeroOrganisations, cpb.ListXeroOrganisationsRequest(tenant_id=theirs, connection_id=begun.connection_id)),
        (connections.SelectXeroOrganisation, cpb.SelectXeroOrganisationRequest(tenant_id=theirs, connection_id=begun.connection_id, organisation_id="x")),
        (connections.RefreshConnection, cpb.RefreshConnectionRequest(tenant_id=theirs, connection_id=other.connection_id)),
        (connections.Disconnect, cpb.DisconnectRequest(tenant_id=theirs, connection_id=other.connection_id)),
        # Their connection id under my tenant: not found either.
        (connections.GetConnection, cpb.GetConnectionRequest(tenant_id=mine, connection_id=other.connection_id)),
    ]
    for token in (consultant.secret, tenant_key):
        for call, request in calls:
            try:
                call(request, metadata=(("authorization", f"Bearer {token}"),), timeout=20)
                raise AssertionError(f"{type(request).__name__} reached another tenant")
            except grpc.RpcError as error:
                assert error.code() == grpc.StatusCode.NOT_FOUND, (type(request).__name__, error.code(), error.details())
        try:
            connections.CompleteXeroConnection(cpb.CompleteXeroConnectionRequest(state=begun.state, code="x"),
                                               metadata=(("authorization", f"Bearer {token}"),), timeout=20)
            raise AssertionError("another tenant's consent was completed")
        except grpc.RpcError as error:
            assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and "not one this server issued" in error.details()
    # Nothing of theirs changed: still connected, and their consent still open.
    assert connections.GetConnection(cpb.GetConnectionRequest(tenant_id=theirs, connection_id=other.connection_id),
                                     metadata=AUTH, timeout=10).connection.status == cpb.CONNECTION_STATUS_CONNECTED
    # And my own calls work with the same keys.
    for token in (consultant.secret, tenant_key):
        assert connections.ListConnections(cpb.ListConnectionsRequest(tenant_id=mine), metadata=(("authorization", f"Bearer {token}"),),
                                           timeout=10).connections == []
