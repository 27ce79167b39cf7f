"""SyncService over grpcio against real server processes: SyncNow's
uniqueness, pause and resume, cancel, WatchSyncRun streaming, settings
validation, needs_reauth pausing, and who may call what."""

import time
import uuid

import grpc
import pytest

from jobs_support import AUTH, migrated, server_env, servers, wait_until
from test_rpc import stubs  # noqa: F401  (the generated stubs fixture)


@pytest.fixture
def db(cli, env, scratch_db):
    return migrated(cli, env, scratch_db)


def code_of(call, *args, **kwargs) -> str:
    with pytest.raises(grpc.RpcError) as error:
        call(*args, **kwargs)
    return error.value.code().name


def new_tenant(channel, stubs, name: str = "Sync Co") -> str:  # noqa: F811
    tenants = stubs.tenants_grpc.TenantServiceStub(channel)
    return tenants.CreateTenant(stubs.tenants_pb2.CreateTenantRequest(name=name, slug="s-" + uuid.uuid4().hex[:12]), metadata=AUTH, timeout=10).tenant.tenant_id


def tenant_key(channel, stubs, tenant: str):  # noqa: F811
    tenants = stubs.tenants_grpc.TenantServiceStub(channel)
    secret = tenants.CreateApiKey(stubs.tenants_pb2.CreateApiKeyRequest(tenant_id=tenant, name="tenant key"), metadata=AUTH, timeout=10).secret
    return (("authorization", f"Bearer {secret}"),)


def test_sync_now_twice_queues_one_run_and_both_callers_get_its_id(cli, env, db, stubs):  # noqa: F811
    # No workers: runs stay queued.
    with servers(cli, env, db, 1, server_env(workers=0)) as (server,):
        sync, pb = stubs.sync_grpc.SyncServiceStub(server.channel), stubs.sync_pb2
        tenant = new_tenant(server.channel, stubs)
        first = sync.SyncNow(pb.SyncNowRequest(tenant_id=tenant), metadata=AUTH, timeout=10)
        second = sync.SyncNow(pb.SyncNowRequest(tenant_id=tenant), metadata=AUTH, timeout=10)
        assert not first.already_queued and second.already_queued
        assert second.run_id == first.run_id
        assert first.run.state == pb.SYNC_RUN_STATE_QUEUED and first.run.trigger == pb.SYNC_TRIGGER_MANUAL
        # Another kind or entity set is another run.
        full = sync.SyncNow(pb.SyncNowRequest(tenant_id=tenant, full=True), metadata=AUTH, timeout=10)
        contacts = sync.SyncNow(pb.SyncNowRequest(tenant_id=tenant, entities=[pb.SYNC_ENTITY_CONTACTS, pb.SYNC_ENTITY_ITEMS]), metadata=AUTH, timeout=10)
        again = sync.SyncNow(pb.SyncNowRequest(tenant_id=tenant, entities=[pb.SYNC_ENTITY_ITEMS, pb.SYNC_ENTITY_CONTACTS]), metadata=AUTH, timeout=10)
        assert len({first.run_id, full.run_id, contacts.run_id}) == 3
        assert again.run_id == contacts.run_id and again.already_queued
        assert contacts.run.kind == pb.SYNC_RUN_KIND_ENTITY
        assert db.admin.scalar(f"SELECT count(*) FROM jobs WHERE tenant_id = '{tenant}'") == "3"
        status = sync.GetSyncStatus(pb.GetSyncStatusRequest(tenant_id=tenant), metadata=AUTH, timeout=10)
        assert status.queued_jobs == 3 and not status.paused
        assert status.interval_minutes == 15 and status.next_incremental_at.seconds > 0 and status.next_full_at.seconds > 0
        runs = sync.ListSyncRuns(pb.ListSyncRunsRequest(tenant_id=tenant, page_size=2), metadata=AUTH, timeout=10)
        assert len(runs.runs) == 2 and runs.next_page_token
        rest = sync.ListSyncRuns(pb.ListSyncRunsRequest(tenant_id=tenant, page_size=2, page_token=runs.next_page_token), metadata=AUTH, timeout=10)
        assert len(rest.runs) == 1 and not rest.next_page_token
        assert {r.run_id for r in list(runs.runs) + list(rest.runs)} == {first.run_id, full.run_id, contacts.run_id}
        assert code_of(sync.SyncNow, pb.SyncNowRequest(tenant_id=tenant, entities=[pb.SYNC_ENTITY_UNSPECIFIED]), metadata=AUTH, timeout=10) == "INVALID_ARGUMENT"
        assert code_of(sync.SyncNow, pb.SyncNowRequest(tenant_id=str(uuid.uuid4())), metadata=AUTH, timeout=10) == "NOT_FOUND"
        assert code_of(sync.SyncNow, pb.SyncNowRequest(tenant_id="not-a-uuid"), metadata=AUTH, timeout=10) == "INVALID_ARGUMENT"


def test_watch_streams_a_run_to_its_end_and_a_finished_run_at_once(cli, env, db, stubs):  # noqa: F811
    with servers(cli, env, db, 1, server_env(extra={"LEDGERBRIDGE_TEST_SYNC_RUN_MS": "1500"})) as (server,):
        sync, pb = stubs.sync_grpc.SyncServiceStub(server.channel), stubs.sync_pb2
        tenant = new_tenant(server.channel, stubs)
        run = sync.SyncNow(pb.SyncNowRequest(tenant_id=tenant), metadata=AUTH, timeout=10).run_id
        events = list(sync.WatchSyncRun(pb.WatchSyncRunRequest(tenant_id=tenant, run_id=run), metadata=AUTH, timeout=30))
        states = [e.run.state for e in events]
        assert pb.SYNC_RUN_STATE_RUNNING in states
        assert states[-1] == pb.SYNC_RUN_STATE_SUCCEEDED and events[-1].final and not any(e.final for e in events[:-1])
        assert events[-1].run.message.startswith("no entity rules enabled")
        assert events[-1].run.finished_at.seconds >= events[-1].run.started_at.seconds > 0
        # A finished run: one event, final.
        again = list(sync.WatchSyncRun(pb.WatchSyncRunRequest(tenant_id=tenant, run_id=run), metadata=AUTH, timeout=10))
        assert len(again) == 1 and again[0].final
        assert code_of(lambda: list(sync.WatchSyncRun(pb.WatchSyncRunRequest(tenant_id=tenant, run_id=str(uuid.uuid4())), metadata=AUTH, timeout=10))) == "NOT_FOUND"
        status = sync.GetSyncStatus(pb.GetSyncStatusRequest(tenant_id=tenant), metadata=AUTH, timeout=10)
        assert status.last_run.run_id == run and status.last_run.state == pb.SYNC_RUN_STATE_SUCCEEDED
        assert not status.HasField("running")


def test_pause_holds_runs_and_resume_releases_them(cli, env, db, stubs):  # noqa: F811
    with servers(cli, env, db, 1) as (server,):
        sync, pb = stubs.sync_grpc.SyncServiceStub(server.channel), stubs.sync_pb2
        admin, apb = stubs.admin_grpc.AdminServiceStub(server.channel), stubs.admin_pb2
        tenant = new_tenant(server.channel, stubs)
        paused = sync.PauseSync(pb.PauseSyncRequest(tenant_id=tenant, reason="month-end close"), metadata=AUTH, timeout=10).status
        assert paused.paused and paused.paused_reason == "month-end close"
        assert code_of(sync.SyncNow, pb.SyncNowRequest(tenant_id=tenant), metadata=AUTH, timeout=10) == "FAILED_PRECONDITION"
        # A sync already queued (here by an operator) waits; other kinds still run.
        held = admin.EnqueueJob(apb.EnqueueJobRequest(tenant_id=tenant, kind="sync.incremental", exclusive=True), metadata=AUTH, timeout=10).job_id
        other = admin.EnqueueJob(apb.EnqueueJobRequest(tenant_id=tenant, kind="test.noop"), metadata=AUTH, timeout=10).job_id
        wait_until(lambda: db.admin.scalar(f"SELECT state FROM jobs WHERE id = {other}") == "succeeded", 10, "the non-sync job")
        time.sleep(1)
        assert db.admin.scalar(f"SELECT state FROM jobs WHERE id = {held}") == "available"
        resumed = sync.ResumeSync(pb.ResumeSyncRequest(tenant_id=tenant), metadata=AUTH, timeout=10).status
        assert not resumed.paused
        wait_until(lambda: db.admin.scalar(f"SELECT state FROM jobs WHERE id = {held}") == "succeeded", 10, "the held sync after resume")
        actions = db.admin.scalar(f"SELECT string_agg(action, ',' ORDER BY id) FROM audit_log WHERE tenant_id = '{tenant}' AND action LIKE 'sync.%'")
        assert actions == "sync.paused,sync.resumed"


def test_cancel_a_queued_run_and_a_running_one(cli, env, db, stubs):  # noqa: F811
    with servers(cli, env, db, 1, server_env(extra={"LEDGERBRIDGE_TEST_SYNC_RUN_MS": "60000"})) as (server,):
        sync, pb = stubs.sync_grpc.SyncServiceStub(server.channel), stubs.sync_pb2
        tenant = new_tenant(server.channel, stubs)
        running = sync.SyncNow(pb.SyncNowRequest(tenant_id=tenant), metadata=AUTH, timeout=10).run_id
        wait_until(lambda: sync.GetSyncRun(pb.GetSyncRunRequest(tenant_id=tenant, run_id=running), metadata=AUTH, timeout=10).run.state
                   == pb.SYNC_RUN_STATE_RUNNING, 10, "the run to start")
        queued = sync.SyncNow(pb.SyncNowRequest(tenant_id=tenant, full=True), metadata=AUTH, timeout=10).run_id
        cancelled = sync.CancelSyncRun(pb.CancelSyncRunRequest(tenant_id=tenant, run_id=queued), metadata=AUTH, timeout=10).run
        assert cancelled.state == pb.SYNC_RUN_STATE_CANCELLED
        sync.CancelSyncRun(pb.CancelSyncRunRequest(tenant_id=tenant, run_id=running), metadata=AUTH, timeout=10)
        wait_until(lambda: sync.GetSyncRun(pb.GetSyncRunRequest(tenant_id=tenant, run_id=running), metadata=AUTH, timeout=10).run.state
                   == pb.SYNC_RUN_STATE_CANCELLED, 5, "the running run to stop")
        assert db.admin.scalar(f"SELECT string_agg(state, ',' ORDER BY id) FROM jobs WHERE tenant_id = '{tenant}'") == "cancelled,cancelled"
        assert code_of(sync.CancelSyncRun, pb.CancelSyncRunRequest(tenant_id=tenant, run_id=running), metadata=AUTH, timeout=10) == "FAILED_PRECONDITION"


def test_settings_are_validated_against_the_sync_rules(cli, env, db, stubs):  # noqa: F811
    with servers(cli, env, db, 1, server_env(workers=0)) as (server,):
        sync, pb = stubs.sync_grpc.SyncServiceStub(server.channel), stubs.sync_pb2
        tenant = new_tenant(server.channel, stubs)
        settings = sync.GetSyncSettings(pb.GetSyncSettingsRequest(tenant_id=tenant), metadata=AUTH, timeout=10).settings
        by_entity = {e.entity: e for e in settings.entities}
        assert len(by_entity) == 11 and all(e.enabled for e in settings.entities)
        assert by_entity[pb.SYNC_ENTITY_CHART_OF_ACCOUNTS].direction == pb.SYNC_DIRECTION_XERO_TO_CIN7
        assert list(by_entity[pb.SYNC_ENTITY_CREDIT_NOTES].allowed_directions) == [pb.SYNC_DIRECTION_CIN7_TO_XERO]
        assert by_entity[pb.SYNC_ENTITY_CONTACTS].direction == pb.SYNC_DIRECTION_TWO_WAY
        assert settings.interval_minutes == 15 and settings.payments_mode == pb.PAYMENTS_MODE_IMPORT_AND_EXPORT

        def update(**fields):
            return sync.UpdateSyncSettings(pb.UpdateSyncSettingsRequest(tenant_id=tenant, settings=pb.SyncSettings(**fields)), metadata=AUTH, timeout=10)

        bad = [
            dict(entities=[pb.EntitySetting(entity=pb.SYNC_ENTITY_CREDIT_NOTES, enabled=True, direction=pb.SYNC_DIRECTION_TWO_WAY)]),
            dict(entities=[pb.EntitySetting(entity=pb.SYNC_ENTITY_TAX_RULES, enabled=True, direction=pb.SYNC_DIRECTION_CIN7_TO_XERO)]),
            dict(entities=[pb.EntitySetting(entity=pb.SYNC_ENTITY_PAYMENTS, enabled=True, direction=pb.SYNC_DIRECTION_TWO_WAY)]),
            dict(entities=[pb.EntitySetting(entity=pb.SYNC_ENTITY_UNSPECIFIED, enabled=True)]),
            dict(entities=[pb.EntitySetting(entity=pb.SYNC_ENTITY_ITEMS, enabled=True), pb.EntitySetting(entity=pb.SYNC_ENTITY_ITEMS, enabled=False)]),
            dict(interval_minutes=100_000),
            dict(interval_minutes=-5),
        ]
        for fields in bad:
            assert code_of(update, **fields) == "INVALID_ARGUMENT", fields
        # Nothing of the refused updates stuck.
        assert sync.GetSyncSettings(pb.GetSyncSettingsRequest(tenant_id=tenant), metadata=AUTH, timeout=10).settings == settings
        updated = update(entities=[pb.EntitySetting(entity=pb.SYNC_ENTITY_INVOICES, enabled=True, direction=pb.SYNC_DIRECTION_TWO_WAY),
                                   pb.EntitySetting(entity=pb.SYNC_ENTITY_MANUAL_JOURNALS, enabled=False)],
                         interval_minutes=30, payments_mode=pb.PAYMENTS_MODE_IMPORT,
                         contact_conflict_policy=pb.CONTACT_CONFLICT_POLICY_XERO_WINS).settings
        after = {e.entity: e for e in updated.entities}
        assert after[pb.SYNC_ENTITY_INVOICES].direction == pb.SYNC_DIRECTION_TWO_WAY
        assert not after[pb.SYNC_ENTITY_MANUAL_JOURNALS].enabled
        assert after[pb.SYNC_ENTITY_PAYMENTS].direction == pb.SYNC_DIRECTION_XERO_TO_CIN7
        assert updated.interval_minutes == 30 and updated.contact_conflict_policy == pb.CONTACT_CONFLICT_POLICY_XERO_WINS
        assert sync.GetSyncSettings(pb.GetSyncSettingsRequest(tenant_id=tenant), metadata=AUTH, timeout=10).settings == updated
        assert db.admin.scalar(f"SELECT every_seconds FROM job_schedules WHERE tenant_id = '{tenant}' AND kind = 'sync.incremental'") == "1800"
        # A disabled entity cannot be synced on its own.
        assert code_of(sync.SyncNow, pb.SyncNowRequest(tenant_id=tenant, entities=[pb.SYNC_ENTITY_MANUAL_JOURNALS]), metadata=AUTH, timeout=10) == "INVALID_ARGUMENT"


def test_a_connection_needing_reauth_pauses_the_tenants_syncs(cli, env, db, stubs):  # noqa: F811
    with servers(cli, env, db, 1) as (server,):
        sync, pb = stubs.sync_grpc.SyncServiceStub(server.channel), stubs.sync_pb2
        tenant = new_tenant(server.channel, stubs)
        db.admin.run(f"""INSERT INTO connections (tenant_id, id, provider, status, last_error)
                         VALUES ('{tenant}', gen_random_uuid(), 'xero', 'needs_reauth', 'Xero refused the refresh token (invalid_grant)')""")
        run = sync.SyncNow(pb.SyncNowRequest(tenant_id=tenant), metadata=AUTH, timeout=10).run_id
        events = list(sync.WatchSyncRun(pb.WatchSyncRunRequest(tenant_id=tenant, run_id=run), metadata=AUTH, timeout=20))
        assert events[-1].run.state == pb.SYNC_RUN_STATE_FAILED
        assert "needs a new consent" in events[-1].run.message
        status = sync.GetSyncStatus(pb.GetSyncStatusRequest(tenant_id=tenant), metadata=AUTH, timeout=10)
        assert status.paused and status.paused_reason.startswith("needs_reauth")
        assert [c.status for c in status.connections] == [stubs.connections_pb2.CONNECTION_STATUS_NEEDS_REAUTH]
        # Not retried forever: the job is done, the schedule adds nothing while paused.
        assert db.admin.scalar(f"SELECT string_agg(state, ',') FROM jobs WHERE tenant_id = '{tenant}'") == "succeeded"
        assert code_of(sync.SyncNow, pb.SyncNowRequest(tenant_id=tenant), metadata=AUTH, timeout=10) == "FAILED_PRECONDITION"


def test_tenant_keys_reach_only_their_tenant_and_admin_is_for_operators(cli, env, db, stubs):  # noqa: F811
    with servers(cli, env, db, 1, server_env(workers=0)) as (server,):
        sync, pb = stubs.sync_grpc.SyncServiceStub(server.channel), stubs.sync_pb2
        admin, apb = stubs.admin_grpc.AdminServiceStub(server.channel), stubs.admin_pb2
        mine, theirs = new_tenant(server.channel, stubs, "Mine"), new_tenant(server.channel, stubs, "Theirs")
        key = tenant_key(server.channel, stubs, mine)
        own = sync.SyncNow(pb.SyncNowRequest(tenant_id=mine), metadata=key, timeout=10)
        assert own.run_id
        their_run = sync.SyncNow(pb.SyncNowRequest(tenant_id=theirs), metadata=AUTH, timeout=10).run_id
        calls = [
            (sync.SyncNow, pb.SyncNowRequest(tenant_id=theirs)),
            (sync.GetSyncStatus, pb.GetSyncStatusRequest(tenant_id=theirs)),
            (sync.PauseSync, pb.PauseSyncRequest(tenant_id=theirs)),
            (sync.ResumeSync, pb.ResumeSyncRequest(tenant_id=theirs)),
            (sync.ListSyncRuns, pb.ListSyncRunsRequest(tenant_id=theirs)),
            (sync.GetSyncRun, pb.GetSyncRunRequest(tenant_id=theirs, run_id=their_run)),
            (sync.CancelSyncRun, pb.CancelSyncRunRequest(tenant_id=theirs, run_id=their_run)),
            (sync.GetSyncSettings, pb.GetSyncSettingsRequest(tenant_id=theirs)),
            (sync.UpdateSyncSettings, pb.UpdateSyncSettingsRequest(tenant_id=theirs, settings=pb.SyncSettings(interval_minutes=5))),
            # Their run under my tenant id is simply not there.
            (sync.GetSyncRun, pb.GetSyncRunRequest(tenant_id=mine, run_id=their_run)),
        ]
        for call, request in calls:
            assert code_of(call, request, metadata=key, timeout=10) == "NOT_FOUND", call
        assert code_of(lambda: list(sync.WatchSyncRun(pb.WatchSyncRunRequest(tenant_id=theirs, run_id=their_run), metadata=key, timeout=10))) == "NOT_FOUND"
        for call, request in [(admin.ListJobs, apb.ListJobsRequest()), (admin.GetWorkerPoolStats, apb.GetWorkerPoolStatsRequest()),
                              (admin.RetryJob, apb.RetryJobRequest(job_id=1)), (admin.CancelJob, apb.CancelJobRequest(job_id=1)),
                              (admin.EnqueueJob, apb.EnqueueJobRequest(tenant_id=mine, kind="test.noop"))]:
            assert code_of(call, request, metadata=key, timeout=10) == "PERMISSION_DENIED", call
        assert code_of(sync.GetSyncStatus, pb.GetSyncStatusRequest(tenant_id=mine), timeout=10) == "UNAUTHENTICATED"
        # Nothing of theirs changed.
        assert db.admin.scalar(f"SELECT count(*) FROM jobs WHERE tenant_id = '{theirs}'") == "1"
        assert db.admin.scalar(f"SELECT count(*) FROM job_tenants WHERE tenant_id = '{theirs}' AND paused") == "0"


def test_a_run_whose_last_attempt_died_with_its_process_reads_as_failed(cli, env, db, stubs):  # noqa: F811
    import signal
    slow = server_env(lease=2, extra={"LEDGERBRIDGE_TEST_SYNC_RUN_MS": "60000"})
    with servers(cli, env, db, 1, slow, clean_exit=False) as (doomed,):
        admin, apb = stubs.admin_grpc.AdminServiceStub(doomed.channel), stubs.admin_pb2
        tenant = new_tenant(doomed.channel, stubs)
        job = admin.EnqueueJob(apb.EnqueueJobRequest(tenant_id=tenant, kind="sync.incremental", exclusive=True, max_attempts=1), metadata=AUTH, timeout=10).job_id
        run = db.admin.scalar(f"SELECT run_id FROM jobs WHERE id = {job}")
        wait_until(lambda: db.admin.scalar(f"SELECT state FROM sync_runs WHERE id = '{run}'") == "running", 10, "the run to start")
        doomed.process.proc.send_signal(signal.SIGKILL)
        doomed.process.wait_for_exit(10)
    with servers(cli, env, db, 1, server_env(lease=2)) as (rescuer,):
        sync, pb = stubs.sync_grpc.SyncServiceStub(rescuer.channel), stubs.sync_pb2
        wait_until(lambda: db.admin.scalar(f"SELECT state FROM jobs WHERE id = {job}") == "discarded", 15, "the rescue to discard the job")
        found = sync.GetSyncRun(pb.GetSyncRunRequest(tenant_id=tenant, run_id=run), metadata=AUTH, timeout=10).run
        assert found.state == pb.SYNC_RUN_STATE_FAILED and "lease expired" in found.message
        events = list(sync.WatchSyncRun(pb.WatchSyncRunRequest(tenant_id=tenant, run_id=run), metadata=AUTH, timeout=10))
        assert len(events) == 1 and events[0].final
        status = sync.GetSyncStatus(pb.GetSyncStatusRequest(tenant_id=tenant), metadata=AUTH, timeout=10)
        assert not status.HasField("running")


def test_scheduled_syncs_leave_runs_only_for_connected_tenants(cli, env, db, stubs):  # noqa: F811
    with servers(cli, env, db, 1) as (server,):
        sync, pb = stubs.sync_grpc.SyncServiceStub(server.channel), stubs.sync_pb2
        idle, connected = new_tenant(server.channel, stubs, "Idle"), new_tenant(server.channel, stubs, "Connected")
        db.admin.run(f"INSERT INTO connections (tenant_id, id, provider, status) VALUES ('{connected}', gen_random_uuid(), 'cin7', 'connected')")
        db.admin.run(f"UPDATE job_schedules SET next_at = now() WHERE kind = 'sync.incremental' AND tenant_id IN ('{idle}', '{connected}')")
        wait_until(lambda: db.admin.scalar(f"""SELECT count(*) FROM jobs WHERE kind = 'sync.incremental' AND state = 'succeeded'
                                                AND tenant_id IN ('{idle}', '{connected}')""") == "2", 15, "both scheduled syncs")
        assert db.admin.scalar(f"SELECT count(*) FROM sync_runs WHERE tenant_id = '{idle}'") == "0"
        [run] = sync.ListSyncRuns(pb.ListSyncRunsRequest(tenant_id=connected), metadata=AUTH, timeout=10).runs
        assert run.trigger == pb.SYNC_TRIGGER_SCHEDULE and run.state == pb.SYNC_RUN_STATE_SUCCEEDED
        assert run.message.startswith("no entity rules enabled")
