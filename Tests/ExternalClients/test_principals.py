"""Principals and API keys through grpcio: operators, consultants and tenant keys,
each reaching exactly the tenants it may; keys shown once, stored as hashes,
revocable; the audit log records who did what on which tenant."""

from __future__ import annotations

import re
import signal
import uuid

import grpc
import pytest

from conftest import Psql, running_server
from test_rpc import stubs  # noqa: F401  (the generated stubs fixture)

ADMIN_TOKEN = "test-admin-" + uuid.uuid4().hex


@pytest.fixture(scope="module")
def server(cli, env):
    with running_server(cli, env, {"LEDGERBRIDGE_ADMIN_TOKEN": ADMIN_TOKEN}) as running:
        yield running


@pytest.fixture(scope="module")
def api(server, stubs):  # noqa: F811
    port, _ = server
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        yield stubs.tenants_grpc.TenantServiceStub(channel), stubs.tenants_pb2


def auth(token: str):
    return (("authorization", f"Bearer {token}"),)


def code(call, request, token):
    try:
        call(request, metadata=auth(token), timeout=10)
    except grpc.RpcError as error:
        return error.code()
    return grpc.StatusCode.OK


def slug() -> str:
    return "t-" + uuid.uuid4().hex[:12]


@pytest.fixture(scope="module")
def world(api):
    """Two consultants, each with a tenant of their own and a tenant key for it."""
    stub, pb = api
    def consultant(name):
        created = stub.CreateApiKey(pb.CreateApiKeyRequest(kind=pb.PRINCIPAL_KIND_CONSULTANT, principal_name=name, name="laptop"),
                                    metadata=auth(ADMIN_TOKEN), timeout=10)
        assert created.secret.startswith("lb_" + created.api_key.key_id + "_")
        return created.secret, created.api_key.principal_id
    (alice, alice_id), (bob, bob_id) = consultant("Alice"), consultant("Bob")
    t1 = stub.CreateTenant(pb.CreateTenantRequest(name="Alice's client", slug=slug()), metadata=auth(alice), timeout=10).tenant
    t2 = stub.CreateTenant(pb.CreateTenantRequest(name="Bob's client", slug=slug()), metadata=auth(bob), timeout=10).tenant
    k1 = stub.CreateApiKey(pb.CreateApiKeyRequest(tenant_id=t1.tenant_id, name="erp"), metadata=auth(alice), timeout=10)
    return dict(alice=alice, alice_id=alice_id, bob=bob, bob_id=bob_id, t1=t1.tenant_id, t2=t2.tenant_id, k1=k1.secret, k1_id=k1.api_key.key_id)


def test_calls_need_a_valid_key(api, world):
    stub, pb = api
    request = pb.ListTenantsRequest()
    for token in ("nonsense", "lb_short_x", world["k1"][:-2] + "AA", "lb_" + "a" * 12 + "_" + "A" * 43):
        assert code(stub.ListTenants, request, token) == grpc.StatusCode.UNAUTHENTICATED, token
    with pytest.raises(grpc.RpcError) as info:
        stub.ListTenants(request, timeout=10)
    assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_each_principal_reaches_exactly_its_tenants(api, world):
    stub, pb = api
    listed = lambda token: {t.tenant_id for t in stub.ListTenants(pb.ListTenantsRequest(page_size=1000), metadata=auth(token), timeout=10).tenants}
    assert listed(world["alice"]) == {world["t1"]}
    assert listed(world["bob"]) == {world["t2"]}
    assert listed(world["k1"]) == {world["t1"]}
    assert {world["t1"], world["t2"]} <= listed(ADMIN_TOKEN)
    for token, mine, other in ((world["alice"], "t1", "t2"), (world["bob"], "t2", "t1"), (world["k1"], "t1", "t2")):
        assert code(stub.GetTenant, pb.GetTenantRequest(tenant_id=world[mine]), token) == grpc.StatusCode.OK
        # Another tenant reads exactly like a tenant that does not exist.
        assert code(stub.GetTenant, pb.GetTenantRequest(tenant_id=world[other]), token) == grpc.StatusCode.NOT_FOUND
        assert code(stub.GetTenant, pb.GetTenantRequest(tenant_id=str(uuid.uuid4())), token) == grpc.StatusCode.NOT_FOUND
        assert code(stub.UpdateTenant, pb.UpdateTenantRequest(tenant_id=world[other], name="mine now"), token) == grpc.StatusCode.NOT_FOUND
        assert code(stub.CreateApiKey, pb.CreateApiKeyRequest(tenant_id=world[other], name="sneaky"), token) in (
            grpc.StatusCode.NOT_FOUND, grpc.StatusCode.PERMISSION_DENIED)
        assert code(stub.ListApiKeys, pb.ListApiKeysRequest(tenant_id=world[other]), token) in (
            grpc.StatusCode.NOT_FOUND, grpc.StatusCode.PERMISSION_DENIED)


def test_tenant_keys_manage_nothing_and_consultants_do_not_assign(api, world):
    stub, pb = api
    k1 = world["k1"]
    assert code(stub.CreateTenant, pb.CreateTenantRequest(name="x", slug=slug()), k1) == grpc.StatusCode.PERMISSION_DENIED
    assert code(stub.CreateApiKey, pb.CreateApiKeyRequest(tenant_id=world["t1"], name="more"), k1) == grpc.StatusCode.PERMISSION_DENIED
    assert code(stub.SuspendTenant, pb.SuspendTenantRequest(tenant_id=world["t1"]), k1) == grpc.StatusCode.PERMISSION_DENIED
    assign = pb.AssignConsultantRequest(tenant_id=world["t2"], consultant_id=world["alice_id"])
    assert code(stub.AssignConsultant, assign, world["alice"]) == grpc.StatusCode.PERMISSION_DENIED
    assert code(stub.CreateApiKey, pb.CreateApiKeyRequest(kind=pb.PRINCIPAL_KIND_OPERATOR, principal_name="me", name="x"),
                world["alice"]) == grpc.StatusCode.PERMISSION_DENIED
    assert code(stub.DeleteTenant, pb.DeleteTenantRequest(tenant_id=world["t1"]), world["alice"]) == grpc.StatusCode.PERMISSION_DENIED


def test_assignment_gives_and_takes_reach_at_once(api, world):
    stub, pb = api
    get = pb.GetTenantRequest(tenant_id=world["t2"])
    assert code(stub.GetTenant, get, world["alice"]) == grpc.StatusCode.NOT_FOUND
    stub.AssignConsultant(pb.AssignConsultantRequest(tenant_id=world["t2"], consultant_id=world["alice_id"]), metadata=auth(ADMIN_TOKEN), timeout=10)
    assert code(stub.GetTenant, get, world["alice"]) == grpc.StatusCode.OK
    stub.UnassignConsultant(pb.UnassignConsultantRequest(tenant_id=world["t2"], consultant_id=world["alice_id"]), metadata=auth(ADMIN_TOKEN), timeout=10)
    assert code(stub.GetTenant, get, world["alice"]) == grpc.StatusCode.NOT_FOUND
    bad = pb.AssignConsultantRequest(tenant_id=world["t2"], consultant_id=str(uuid.uuid4()))
    assert code(stub.AssignConsultant, bad, ADMIN_TOKEN) == grpc.StatusCode.NOT_FOUND
    assert code(stub.AssignConsultant, pb.AssignConsultantRequest(tenant_id="x", consultant_id=world["alice_id"]), ADMIN_TOKEN) == grpc.StatusCode.INVALID_ARGUMENT


def test_keys_are_listed_without_secrets_and_revocation_is_immediate(api, world, env):
    stub, pb = api
    extra = stub.CreateApiKey(pb.CreateApiKeyRequest(tenant_id=world["t1"], name="to revoke"), metadata=auth(world["alice"]), timeout=10)
    assert code(stub.GetTenant, pb.GetTenantRequest(tenant_id=world["t1"]), extra.secret) == grpc.StatusCode.OK
    keys = stub.ListApiKeys(pb.ListApiKeysRequest(tenant_id=world["t1"]), metadata=auth(world["alice"]), timeout=10).api_keys
    listed = {k.key_id: k for k in keys}
    assert {world["k1_id"], extra.api_key.key_id} <= set(listed)
    assert listed[extra.api_key.key_id].principal_kind == pb.PRINCIPAL_KIND_TENANT and listed[extra.api_key.key_id].tenant_id == world["t1"]
    assert listed[extra.api_key.key_id].last_used_at.seconds > 0, "use is recorded"
    assert extra.secret.split("_")[2] not in str(keys)

    revoked = stub.RevokeApiKey(pb.RevokeApiKeyRequest(key_id=extra.api_key.key_id), metadata=auth(world["alice"]), timeout=10).api_key
    assert revoked.revoked_at.seconds > 0
    assert code(stub.GetTenant, pb.GetTenantRequest(tenant_id=world["t1"]), extra.secret) == grpc.StatusCode.UNAUTHENTICATED
    assert code(stub.RevokeApiKey, pb.RevokeApiKeyRequest(key_id=world["k1_id"]), world["bob"]) == grpc.StatusCode.NOT_FOUND
    active = stub.ListApiKeys(pb.ListApiKeysRequest(tenant_id=world["t1"]), metadata=auth(world["alice"]), timeout=10).api_keys
    assert extra.api_key.key_id not in {k.key_id for k in active}

    # Only the hash is stored: neither the token nor its secret is anywhere in the table.
    dump = Psql(env.owner_url).run("SELECT key_id, encode(secret_sha256, 'hex'), name FROM api_keys")
    assert extra.secret not in dump and extra.secret.split("_")[2] not in dump


def test_lifecycle_and_soft_delete(api, world):
    stub, pb = api
    t = stub.CreateTenant(pb.CreateTenantRequest(name="Short lived", slug=slug()), metadata=auth(world["alice"]), timeout=10).tenant
    key = stub.CreateApiKey(pb.CreateApiKeyRequest(tenant_id=t.tenant_id, name="k"), metadata=auth(world["alice"]), timeout=10).secret
    renamed = stub.UpdateTenant(pb.UpdateTenantRequest(tenant_id=t.tenant_id, name="Renamed"), metadata=auth(world["alice"]), timeout=10).tenant
    assert renamed.name == "Renamed"
    assert code(stub.UpdateTenant, pb.UpdateTenantRequest(tenant_id=t.tenant_id, name=""), world["alice"]) == grpc.StatusCode.INVALID_ARGUMENT
    suspended = stub.SuspendTenant(pb.SuspendTenantRequest(tenant_id=t.tenant_id), metadata=auth(world["alice"]), timeout=10).tenant
    assert suspended.status == pb.TENANT_STATUS_SUSPENDED
    assert stub.ResumeTenant(pb.ResumeTenantRequest(tenant_id=t.tenant_id), metadata=auth(world["alice"]), timeout=10).tenant.status == pb.TENANT_STATUS_ACTIVE
    deleted = stub.DeleteTenant(pb.DeleteTenantRequest(tenant_id=t.tenant_id), metadata=auth(ADMIN_TOKEN), timeout=10).tenant
    assert deleted.status == pb.TENANT_STATUS_DELETED
    # A deleted tenant's keys stop working; it cannot come back; its record stays readable to its consultant.
    assert code(stub.GetTenant, pb.GetTenantRequest(tenant_id=t.tenant_id), key) == grpc.StatusCode.UNAUTHENTICATED
    assert code(stub.ResumeTenant, pb.ResumeTenantRequest(tenant_id=t.tenant_id), world["alice"]) == grpc.StatusCode.FAILED_PRECONDITION
    assert stub.GetTenant(pb.GetTenantRequest(tenant_id=t.tenant_id), metadata=auth(world["alice"]), timeout=10).tenant.status == pb.TENANT_STATUS_DELETED


def test_the_audit_log_records_who_did_what(api, world, env):
    stub, pb = api
    stub.SuspendTenant(pb.SuspendTenantRequest(tenant_id=world["t1"]), metadata=auth(world["alice"]), timeout=10)
    stub.ResumeTenant(pb.ResumeTenantRequest(tenant_id=world["t1"]), metadata=auth(world["alice"]), timeout=10)
    # audit_log is tenant-owned with forced RLS: even its owner reads it only with the tenant set.
    rows = Psql(env.owner_url).rows(
        f"SET app.tenant_id = '{world['t1']}'; SELECT actor, action, detail::text FROM audit_log WHERE tenant_id = '{world['t1']}' ORDER BY id")
    actions = [action for _, action, _ in rows]
    assert actions[:2] == ["tenant.created", "api_key.created"]
    assert "tenant.suspended" in actions and "tenant.resumed" in actions
    assert all(actor == f"consultant:{world['alice_id']}" for actor, action, _ in rows if action in ("tenant.created", "tenant.suspended"))
    # Details name keys by id, never by secret.
    assert world["k1_id"] in "".join(detail for _, _, detail in rows)
    assert world["k1"].split("_")[2] not in "".join(detail for _, _, detail in rows)
    # Another tenant's setting shows none of these rows.
    assert Psql(env.owner_url).rows(
        f"SET app.tenant_id = '{world['t2']}'; SELECT action FROM audit_log WHERE tenant_id = '{world['t1']}'") == []


def test_operator_key_from_the_cli_works_and_is_printed_once(api, cli, env, server):
    stub, pb = api
    result = cli.run("admin", "create-operator-key", "--database-url", env.app_url, "--name", "Ops Person")
    assert result.returncode == 0, result.explain()
    token = result.stdout.strip()
    assert re.fullmatch(r"lb_[a-z0-9]{12}_[A-Za-z0-9_-]{43}", token), result.stdout
    assert token not in result.stderr
    tenants = stub.ListTenants(pb.ListTenantsRequest(page_size=1000), metadata=auth(token), timeout=10).tenants
    assert len(tenants) >= 2
    _, process = server
    assert token not in "".join(process.stdout_lines + process.stderr_lines)
