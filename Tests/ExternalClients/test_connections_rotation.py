"""Key rotation while the server works: `admin add-key` then `admin rotate-key`
during a steady stream of RefreshConnection, StoreCredentials and
GetConnection calls. Nothing fails, nothing is lost, the server seals with the
new key once it sees the file, and nothing is left under the old key."""

from __future__ import annotations

import contextlib
import json
import random
import re
import signal
import threading
import time
import uuid

import grpc
import pytest

from conftest import READY_TIMEOUT, SHUTDOWN_TIMEOUT, ServeProcess
from sandbox_support import authorize, binary, exchange, http
from test_connections import GRANULAR
from test_rpc import stubs  # noqa: F401

ADMIN_TOKEN = "test-admin-" + uuid.uuid4().hex
CLIENT_ID, SECRET = "rotation-app", "rotation-secret-" + uuid.uuid4().hex[:8]
CIN7_ACCOUNT, CIN7_KEY = "c1a70000-5a4d-4b0c-8000-0000000000f1", "cin7-rotation-" + uuid.uuid4().hex[:8]
AUTH = (("authorization", f"Bearer {ADMIN_TOKEN}"),)
TENANTS = 30


@contextlib.contextmanager
def sandboxes():
    cmd = [binary(), "sandbox", "--xero-port", "0", "--cin7-port", "0", "--xero-client-id", CLIENT_ID, "--xero-client-secret", SECRET,
           "--xero-organisations", "Rotating Ltd", "--cin7-account-id", CIN7_ACCOUNT, "--cin7-application-key", CIN7_KEY, "--scale", "0",
           "--xero-limit-minute", "100000", "--xero-limit-concurrent", "100", "--cin7-limit-minute", "100000"]
    with ServeProcess(cmd) as process:
        assert process.wait_for_line("ledgerbridge sandbox: cin7 ready", 30), process.explain()
        text = "".join(process.stdout_lines)
        yield re.search(r"xero ready on (http://127\.0\.0\.1:\d+)", text).group(1), re.search(r"cin7 ready on (http://127\.0\.0\.1:\d+)", text).group(1)
        assert process.stop(signal.SIGTERM, 10) == 0


@contextlib.contextmanager
def server(cli, database_url, migrations_dir, extra_env):
    with cli.serve(database_url, migrations_dir, env=extra_env) as process:
        line = process.wait_for_line("ledgerbridge serve: ready", READY_TIMEOUT)
        assert line, f"serve did not become ready:\n{process.explain()}"
        yield int(re.search(r"http://127\.0\.0\.1:(\d+)", line).group(1)), process
        assert process.stop(signal.SIGTERM, SHUTDOWN_TIMEOUT) == 0


def xero_tokens(xero: str) -> tuple[dict, str]:
    """Tokens from a consent taken elsewhere, and the organisation they reach."""
    token = exchange(xero, CLIENT_ID, SECRET, authorize(xero, CLIENT_ID, " ".join(GRANULAR)))
    organisations = json.loads(http("GET", f"{xero}/connections", headers={"authorization": f"Bearer {token['access_token']}"})[2])
    return token, organisations[0]["tenantId"]


def key_ids(scratch) -> dict:
    """key id → how many secrets it sealed (the superuser sees every tenant's rows)."""
    return {key: int(count) for key, count in scratch.admin.rows("SELECT key_id, count(*) FROM connection_secrets GROUP BY key_id")}


def test_rotation_with_calls_in_flight_loses_nothing(cli, env, scratch_db, tmp_path, stubs):  # noqa: F811
    # A database of its own: rotate-key goes over every tenant, and the shared one holds other tests' rings.
    assert cli.migrate(scratch_db.owner_url, env.migrations_dir).returncode == 0
    ring = tmp_path / "keyring.json"
    assert cli.run("admin", "new-keyring", str(ring)).returncode == 0
    first_key = json.loads(ring.read_text())["active"]
    with sandboxes() as (xero, cin7), server(cli, scratch_db.app_url, env.migrations_dir, {
        "LEDGERBRIDGE_ADMIN_TOKEN": ADMIN_TOKEN, "LEDGERBRIDGE_KEYRING": str(ring), "LEDGERBRIDGE_XERO_LOGIN_URL": xero,
        "LEDGERBRIDGE_XERO_IDENTITY_URL": xero, "LEDGERBRIDGE_XERO_API_URL": xero, "LEDGERBRIDGE_XERO_CLIENT_ID": CLIENT_ID,
        "LEDGERBRIDGE_XERO_CLIENT_SECRET": SECRET, "LEDGERBRIDGE_CIN7_API_URL": cin7,
    }) as (port, process):
        target = f"127.0.0.1:{port}"
        with grpc.insecure_channel(target) as channel:
            tenants = stubs.tenants_grpc.TenantServiceStub(channel)
            connections = stubs.connections_grpc.ConnectionServiceStub(channel)
            tpb, cpb = stubs.tenants_pb2, stubs.connections_pb2

            def new_tenant() -> str:
                return tenants.CreateTenant(tpb.CreateTenantRequest(name="Rotation Co", slug="ro-" + uuid.uuid4().hex[:10]),
                                            metadata=AUTH, timeout=10).tenant.tenant_id

            def store_cin7(tenant):
                return connections.StoreCredentials(cpb.StoreCredentialsRequest(tenant_id=tenant, cin7_core=cpb.Cin7CoreCredentials(
                    account_id=CIN7_ACCOUNT, application_key=CIN7_KEY)), metadata=AUTH, timeout=30).connection

            def store_xero(tenant):
                token, organisation = xero_tokens(xero)
                return connections.StoreCredentials(cpb.StoreCredentialsRequest(tenant_id=tenant, xero=cpb.XeroCredentials(
                    access_token=token["access_token"], refresh_token=token["refresh_token"], organisation_id=organisation)),
                    metadata=AUTH, timeout=30).connection

            # Many connections, every secret sealed under the first key.
            live = []  # (tenant, xero connection, cin7 connection)
            for _ in range(TENANTS):
                tenant = new_tenant()
                live.append((tenant, store_xero(tenant).connection_id, store_cin7(tenant).connection_id))
            assert set(key_ids(scratch_db)) == {first_key}

            stop = threading.Event()
            done: dict[str, int] = {"refresh": 0, "store_cin7": 0, "store_xero": 0, "get": 0}
            failures: list[str] = []
            lock = threading.Lock()

            def work(seed: int) -> None:
                chance = random.Random(seed)
                with grpc.insecure_channel(target) as own:
                    stub = stubs.connections_grpc.ConnectionServiceStub(own)
                    while not stop.is_set():
                        kind = chance.choice(["refresh", "refresh", "store_cin7", "get", "get", "store_xero"])
                        # Writes go to the busy half; the other half keeps its secrets under the old key until rotate-key moves them.
                        tenant, xero_id, cin7_id = chance.choice(live if kind == "get" else live[: TENANTS // 2])
                        try:
                            if kind == "refresh":
                                answer = stub.RefreshConnection(cpb.RefreshConnectionRequest(tenant_id=tenant, connection_id=xero_id), metadata=AUTH, timeout=30)
                            elif kind == "store_cin7":
                                answer = stub.StoreCredentials(cpb.StoreCredentialsRequest(tenant_id=tenant, cin7_core=cpb.Cin7CoreCredentials(
                                    account_id=CIN7_ACCOUNT, application_key=CIN7_KEY)), metadata=AUTH, timeout=30)
                            elif kind == "store_xero":
                                token, organisation = xero_tokens(xero)
                                answer = stub.StoreCredentials(cpb.StoreCredentialsRequest(tenant_id=tenant, xero=cpb.XeroCredentials(
                                    access_token=token["access_token"], refresh_token=token["refresh_token"], organisation_id=organisation)),
                                    metadata=AUTH, timeout=30)
                            else:
                                answer = stub.GetConnection(cpb.GetConnectionRequest(tenant_id=tenant, connection_id=chance.choice([xero_id, cin7_id])),
                                                            metadata=AUTH, timeout=30)
                            assert answer.connection.status == cpb.CONNECTION_STATUS_CONNECTED, answer
                            with lock:
                                done[kind] += 1
                            time.sleep(0.01)  # a steady stream, not a flood
                        except (grpc.RpcError, AssertionError) as error:
                            with lock:
                                failures.append(f"{kind}: {error}")

            workers = [threading.Thread(target=work, args=(seed,), daemon=True) for seed in range(4)]
            for worker in workers:
                worker.start()
            try:
                time.sleep(1)
                added = cli.run("admin", "add-key", str(ring))
                assert added.returncode == 0, added.explain()
                second_key = json.loads(ring.read_text())["active"]
                # Once the server has seen the new file, what it seals is sealed with the new key
                # (before any secret under that key existed for it to stumble on).
                time.sleep(1.5)
                probe = new_tenant()
                probe_id = store_cin7(probe).connection_id
                [[probe_key]] = scratch_db.admin.rows(f"SELECT key_id FROM connection_secrets WHERE connection_id = '{probe_id}'")
                assert probe_key == second_key, "the server kept sealing with the old key after add-key"
                started = time.monotonic()
                rotated = cli.run("admin", "rotate-key", "--database-url", scratch_db.app_url, "--keyring", str(ring))
                rotate_seconds = time.monotonic() - started
                assert rotated.returncode == 0, rotated.explain()
                moved = int(re.search(r"(\d+) secrets re-encrypted", rotated.stdout).group(1))
                # At least the idle half's secrets (a Xero access and refresh token, a Cin7 key each) were moved under the calls.
                assert moved >= 3 * (TENANTS - TENANTS // 2), rotated.stdout
                time.sleep(1.5)
            finally:
                stop.set()
                for worker in workers:
                    worker.join(timeout=60)

            assert failures == [], failures[:5]
            assert min(done.values()) > 0, done
            print(f"\nrotation in flight: {moved} secrets re-encrypted in {rotate_seconds:.1f} s while the server answered {done}")

            # Nothing left under the old key, and every secret opens with the ring.
            again = cli.run("admin", "rotate-key", "--database-url", scratch_db.app_url, "--keyring", str(ring), "--verify")
            assert again.returncode == 0, again.explain()
            assert "0 secrets re-encrypted" in again.stdout, again.stdout
            total = sum(key_ids(scratch_db).values())
            assert f"{total} secrets open with this ring, 0 do not" in again.stdout, again.stdout
            assert key_ids(scratch_db) == {second_key: total}
            # --verify fails loudly with a ring that cannot open them.
            stranger = tmp_path / "stranger.json"
            assert cli.run("admin", "new-keyring", str(stranger)).returncode == 0
            refused = cli.run("admin", "rotate-key", "--database-url", scratch_db.app_url, "--keyring", str(stranger), "--verify")
            assert refused.returncode != 0 and f"0 secrets open with this ring, {total} do not" in refused.stdout, refused.explain()
            # Every connection still works: each Xero refresh token opens and Xero takes it.
            for tenant, xero_id, _ in live:
                refreshed = connections.RefreshConnection(cpb.RefreshConnectionRequest(tenant_id=tenant, connection_id=xero_id), metadata=AUTH, timeout=30)
                assert refreshed.connection.status == cpb.CONNECTION_STATUS_CONNECTED
            assert CIN7_KEY not in "".join(process.stdout_lines + process.stderr_lines)
