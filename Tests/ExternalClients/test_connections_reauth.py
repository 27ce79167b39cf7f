"""A refresh token Xero no longer accepts: the connection becomes NEEDS_REAUTH
with an audit event and a clear error, instead of failing forever."""

from __future__ import annotations

import re
import signal
import time
import uuid

import grpc
import pytest

from conftest import Psql, ServeProcess, running_server
from sandbox_support import binary, http
from test_connections import follow_consent
from test_rpc import stubs  # noqa: F401

ADMIN_TOKEN = "test-admin-" + uuid.uuid4().hex
CLIENT_ID, SECRET = "reauth-app", "reauth-secret-" + uuid.uuid4().hex[:8]
AUTH = (("authorization", f"Bearer {ADMIN_TOKEN}"),)


@pytest.fixture(scope="module")
def sandbox():
    # Unused refresh tokens die after a second here (Xero: 60 days).
    cmd = [binary(), "sandbox", "--xero-port", "0", "--cin7-port", "0", "--xero-client-id", CLIENT_ID, "--xero-client-secret", SECRET,
           "--xero-organisations", "Expiring Ltd", "--xero-refresh-token-lifetime", "1", "--scale", "0"]
    with ServeProcess(cmd) as process:
        assert process.wait_for_line("ledgerbridge sandbox: cin7 ready", 30), process.explain()
        yield re.search(r"xero ready on (http://127\.0\.0\.1:\d+)", "".join(process.stdout_lines)).group(1)
        assert process.stop(signal.SIGTERM, 10) == 0


@pytest.fixture(scope="module")
def api(cli, env, sandbox, stubs):  # noqa: F811
    extra = {"LEDGERBRIDGE_ADMIN_TOKEN": ADMIN_TOKEN, "LEDGERBRIDGE_XERO_LOGIN_URL": sandbox, "LEDGERBRIDGE_XERO_IDENTITY_URL": sandbox,
             "LEDGERBRIDGE_XERO_API_URL": sandbox, "LEDGERBRIDGE_XERO_CLIENT_ID": CLIENT_ID, "LEDGERBRIDGE_XERO_CLIENT_SECRET": SECRET}
    with running_server(cli, env, extra) as (port, _):
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield port, stubs.tenants_grpc.TenantServiceStub(channel), stubs.tenants_pb2, stubs.connections_grpc.ConnectionServiceStub(channel), stubs.connections_pb2


def test_an_expired_refresh_token_asks_for_a_new_consent(api, env):
    port, tenants, tpb, connections, cpb = api
    tenant = tenants.CreateTenant(tpb.CreateTenantRequest(name="Reauth Co", slug="re-" + uuid.uuid4().hex[:10]), metadata=AUTH, timeout=10).tenant.tenant_id
    begun = connections.BeginXeroConnection(cpb.BeginXeroConnectionRequest(tenant_id=tenant, redirect_uri=f"http://127.0.0.1:{port}/oauth/xero/callback"),
                                            metadata=AUTH, timeout=10)
    assert http("GET", follow_consent(begun.authorization_url))[0] == 200
    request = cpb.RefreshConnectionRequest(tenant_id=tenant, connection_id=begun.connection_id)
    assert connections.RefreshConnection(request, metadata=AUTH, timeout=20).connection.status == cpb.CONNECTION_STATUS_CONNECTED
    time.sleep(1.5)
    with pytest.raises(grpc.RpcError) as info:
        connections.RefreshConnection(request, metadata=AUTH, timeout=20)
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION and "new consent" in info.value.details()
    [connection] = connections.ListConnections(cpb.ListConnectionsRequest(tenant_id=tenant), metadata=AUTH, timeout=10).connections
    assert connection.status == cpb.CONNECTION_STATUS_NEEDS_REAUTH and "invalid_grant" in connection.last_error
    # Asking again does not call Xero again: the connection waits for a consent.
    with pytest.raises(grpc.RpcError) as again:
        connections.RefreshConnection(request, metadata=AUTH, timeout=20)
    assert again.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    actions = Psql(env.owner_url).rows(f"SET app.tenant_id = '{tenant}'; SELECT action FROM audit_log WHERE tenant_id = '{tenant}' ORDER BY id")
    assert ["connection.xero.refresh_failed"] in actions
    # A new consent is allowed and reconnects.
    renewed = connections.BeginXeroConnection(cpb.BeginXeroConnectionRequest(tenant_id=tenant, redirect_uri=f"http://127.0.0.1:{port}/oauth/xero/callback"),
                                              metadata=AUTH, timeout=10)
    assert renewed.connection_id == begun.connection_id
    assert http("GET", follow_consent(renewed.authorization_url))[0] == 200
    [connection] = connections.ListConnections(cpb.ListConnectionsRequest(tenant_id=tenant), metadata=AUTH, timeout=10).connections
    assert connection.status == cpb.CONNECTION_STATUS_CONNECTED and connection.last_error == ""


def test_the_scheduled_refresh_rotates_tokens_and_a_refused_one_pauses_syncs(api, env, stubs):  # noqa: F811
    port, tenants, tpb, connections, cpb = api
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        admin, apb = stubs.admin_grpc.AdminServiceStub(channel), stubs.admin_pb2
        sync, spb = stubs.sync_grpc.SyncServiceStub(channel), stubs.sync_pb2
        tenant = tenants.CreateTenant(tpb.CreateTenantRequest(name="Job Co", slug="jr-" + uuid.uuid4().hex[:10]), metadata=AUTH, timeout=10).tenant.tenant_id
        begun = connections.BeginXeroConnection(cpb.BeginXeroConnectionRequest(tenant_id=tenant, redirect_uri=f"http://127.0.0.1:{port}/oauth/xero/callback"),
                                                metadata=AUTH, timeout=10)
        assert http("GET", follow_consent(begun.authorization_url))[0] == 200
        listed = cpb.ListConnectionsRequest(tenant_id=tenant)
        [before] = connections.ListConnections(listed, metadata=AUTH, timeout=10).connections

        def run_job(kind: str, args: str) -> None:
            job = admin.EnqueueJob(apb.EnqueueJobRequest(tenant_id=tenant, kind=kind, args_json=args), metadata=AUTH, timeout=10).job_id
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                [state] = [j.state for j in admin.ListJobs(apb.ListJobsRequest(tenant_id=tenant, kind=kind), metadata=AUTH, timeout=10).jobs if j.id == job]
                if state == apb.JOB_STATE_SUCCEEDED:
                    return
                assert state in (apb.JOB_STATE_AVAILABLE, apb.JOB_STATE_RUNNING), state
                time.sleep(0.1)
            raise AssertionError(f"{kind} did not finish")

        # The keep-alive leaves a connection refreshed moments ago alone; a forced refresh rotates.
        run_job("token.keepalive", "{}")
        [kept] = connections.ListConnections(listed, metadata=AUTH, timeout=10).connections
        assert kept.last_refresh_at == before.last_refresh_at
        run_job("token.refresh", '{"force": true}')
        [after] = connections.ListConnections(listed, metadata=AUTH, timeout=10).connections
        assert after.status == cpb.CONNECTION_STATUS_CONNECTED
        assert (after.last_refresh_at.seconds, after.last_refresh_at.nanos) > (before.last_refresh_at.seconds, before.last_refresh_at.nanos)
        # The refresh token dies unused (1 s here): the next scheduled refresh marks the connection and pauses the tenant's syncs.
        time.sleep(1.5)
        run_job("token.refresh", '{"force": true}')
        [dead] = connections.ListConnections(listed, metadata=AUTH, timeout=10).connections
        assert dead.status == cpb.CONNECTION_STATUS_NEEDS_REAUTH
        status = sync.GetSyncStatus(spb.GetSyncStatusRequest(tenant_id=tenant), metadata=AUTH, timeout=10)
        assert status.paused and status.paused_reason.startswith("needs_reauth")
        with pytest.raises(grpc.RpcError) as refused:
            sync.SyncNow(spb.SyncNowRequest(tenant_id=tenant), metadata=AUTH, timeout=10)
        assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION and "needs_reauth" in refused.value.details()
        # A new consent reconnects and lifts the pause the lost consent caused (a pause someone asked for would stay).
        renewed = connections.BeginXeroConnection(cpb.BeginXeroConnectionRequest(tenant_id=tenant, redirect_uri=f"http://127.0.0.1:{port}/oauth/xero/callback"),
                                                  metadata=AUTH, timeout=10)
        assert http("GET", follow_consent(renewed.authorization_url))[0] == 200
        assert not sync.GetSyncStatus(spb.GetSyncStatusRequest(tenant_id=tenant), metadata=AUTH, timeout=10).paused
        sync.PauseSync(spb.PauseSyncRequest(tenant_id=tenant, reason="audit week"), metadata=AUTH, timeout=10)
        run_job("token.refresh", '{"force": true}')
        assert sync.GetSyncStatus(spb.GetSyncStatusRequest(tenant_id=tenant), metadata=AUTH, timeout=10).paused_reason == "audit week"
