"""The Xero sandbox's identity service, driven by the official xero-python SDK
(its own retries off) and checked against Xero's identity OpenAPI file."""

from __future__ import annotations

import json
import time

import pytest

from sandbox_support import authorize, exchange, http, sdk_configuration, token_post, validate, xero_sandbox

CLIENT_ID, SECRET = "test-client", "test-secret-value"
GRACE = 2.0


@pytest.fixture(scope="module")
def sandbox():
    with xero_sandbox(CLIENT_ID, SECRET, "--xero-organisations", "Sandbox One,Sandbox Two", "--xero-refresh-grace", str(GRACE),
                      "--seed", "7") as (base, _):
        yield base


def sdk_client(base: str, token: dict):
    from xero_python.api_client import ApiClient
    from xero_python.api_client.oauth2 import TokenApi

    TokenApi.refresh_token_url = base + "/connect/token"
    TokenApi.revoke_token_url = base + "/connect/revocation"
    state = dict(token, expires_at=time.time() + token["expires_in"], scope=token["scope"].split())
    client = ApiClient(sdk_configuration(CLIENT_ID, SECRET),
                       oauth2_token_getter=lambda: state, oauth2_token_saver=lambda t: state.update(t))
    client.rest_client.pool_manager.connection_pool_kw["retries"] = False
    return client, state


def test_connections_through_the_sdk_and_the_spec(sandbox):
    from xero_python.identity import IdentityApi

    token = exchange(sandbox, CLIENT_ID, SECRET, authorize(sandbox, CLIENT_ID))
    client, _ = sdk_client(sandbox, token)
    connections = IdentityApi(client, base_url=sandbox).get_connections()
    assert sorted(c.tenant_name for c in connections) == ["Sandbox One", "Sandbox Two"]
    assert all(c.tenant_type == "ORGANISATION" and c.created_date_utc is not None for c in connections)
    # The same response, raw, matches Xero's identity spec.
    status, _, body = http("GET", f"{sandbox}/connections", headers={"authorization": f"Bearer {token['access_token']}"})
    assert status == 200
    validate("xero-identity.yaml", "https://api.xero.com", "GET", "/Connections", status, body)
    # Seeded: the same --seed gives the same tenant ids on every run.
    assert len({c.tenant_id for c in connections}) == 2


def test_refresh_rotates_with_a_grace_period_then_invalid_grant(sandbox):
    token = exchange(sandbox, CLIENT_ID, SECRET, authorize(sandbox, CLIENT_ID))
    client, state = sdk_client(sandbox, token)
    old_refresh = state["refresh_token"]
    client.refresh_oauth2_token()
    assert state["refresh_token"] != old_refresh and state["access_token"] != token["access_token"]
    fields = {"grant_type": "refresh_token", "refresh_token": old_refresh, "client_id": CLIENT_ID, "client_secret": SECRET}
    status, body = token_post(sandbox, fields)
    assert status == 200 and body["refresh_token"] == state["refresh_token"], "inside the grace period the old token still works"
    time.sleep(GRACE + 0.5)
    status, body = token_post(sandbox, fields)
    assert (status, body) == (400, {"error": "invalid_grant"})
    # The current one still works and rotates again.
    client.refresh_oauth2_token()
    status, body = token_post(sandbox, dict(fields, client_secret="wrong"))
    assert (status, body) == (400, {"error": "invalid_client"})


def test_revocation_removes_the_connections(sandbox):
    from xero_python.exceptions import HTTPStatusException
    from xero_python.identity import IdentityApi

    token = exchange(sandbox, CLIENT_ID, SECRET, authorize(sandbox, CLIENT_ID))
    client, state = sdk_client(sandbox, token)
    client.revoke_oauth2_token()
    status, body = token_post(sandbox, {"grant_type": "refresh_token", "refresh_token": token["refresh_token"],
                                        "client_id": CLIENT_ID, "client_secret": SECRET})
    assert (status, body) == (400, {"error": "invalid_grant"})
    with pytest.raises(HTTPStatusException) as info:
        IdentityApi(client, base_url=sandbox).get_connections()
    assert info.value.status == 401


def test_delete_connection_then_404(sandbox):
    from xero_python.exceptions import NotFoundException
    from xero_python.identity import IdentityApi

    token = exchange(sandbox, CLIENT_ID, SECRET, authorize(sandbox, CLIENT_ID))
    client, _ = sdk_client(sandbox, token)
    identity = IdentityApi(client, base_url=sandbox)
    first = identity.get_connections()[0]
    identity.delete_connection(first.id)
    assert first.id not in [c.id for c in identity.get_connections()]
    with pytest.raises(NotFoundException):
        identity.delete_connection(first.id)


def test_token_errors_are_xeros(sandbox):
    status, body = token_post(sandbox, {"grant_type": "authorization_code", "code": "never-issued", "redirect_uri": "http://127.0.0.1:5555/callback",
                                        "client_id": CLIENT_ID, "client_secret": SECRET})
    assert (status, body) == (400, {"error": "invalid_grant"})
    status, body = token_post(sandbox, {"grant_type": "client_credentials_please", "client_id": CLIENT_ID, "client_secret": SECRET})
    assert (status, body) == (400, {"error": "unsupported_grant_type"})
    status, body = token_post(sandbox, {"grant_type": "refresh_token", "refresh_token": "x", "client_id": "someone-else", "client_secret": SECRET})
    assert (status, body) == (400, {"error": "invalid_client"})
