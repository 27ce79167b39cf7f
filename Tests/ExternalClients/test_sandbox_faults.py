"""Fault injection and inspection on the sandbox's admin endpoints, seen by
the clients that would suffer them (xero-python, plain HTTP)."""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

from sandbox_support import authorize, exchange, http, sdk_configuration, xero_sandbox

CLIENT_ID, SECRET = "faults-client", "faults-secret"


@pytest.fixture(scope="module")
def sandbox():
    with xero_sandbox(CLIENT_ID, SECRET, "--xero-limit-minute", "100000", "--xero-limit-concurrent", "50", "--seed", "11") as (base, _):
        yield base


@pytest.fixture
def api(sandbox):
    """(base, headers for an authorised JSON call); faults and counts cleared before and after."""
    http("POST", sandbox + "/__sandbox/reset")
    token = exchange(sandbox, CLIENT_ID, SECRET, authorize(sandbox, CLIENT_ID))
    status, _, body = http("GET", sandbox + "/connections", headers={"authorization": f"Bearer {token['access_token']}"})
    tenant = json.loads(body)[0]["tenantId"]
    yield sandbox, {"authorization": f"Bearer {token['access_token']}", "xero-tenant-id": tenant, "accept": "application/json"}
    http("POST", sandbox + "/__sandbox/reset")


def add_fault(base: str, **rule) -> dict:
    status, _, body = http("POST", base + "/__sandbox/faults", json.dumps(rule).encode(), {"content-type": "application/json"})
    assert status == 201, body
    return json.loads(body)


def state(base: str) -> dict:
    return json.loads(http("GET", base + "/__sandbox/state")[2])


def test_a_status_fault_fires_the_given_number_of_times(api):
    base, headers = api
    add_fault(base, method="GET", path="/api.xro/2.0/Contacts*", fault="status", status=503, times=2)
    statuses = [http("GET", base + "/api.xro/2.0/Contacts", headers=headers)[0] for _ in range(3)]
    assert statuses == [503, 503, 200]
    # Other endpoints were never affected, and the counts saw everything.
    assert state(base)["calls"]["GET /api.xro/2.0/Contacts"] == {"503": 2, "200": 1}


def test_a_rate_limit_fault_looks_like_xeros_429_to_the_sdk(api):
    from xero_python.accounting import AccountingApi
    from xero_python.api_client import ApiClient
    from xero_python.exceptions import RateLimitException

    base, headers = api
    token = {"access_token": headers["authorization"][7:], "token_type": "Bearer", "expires_in": 1800, "expires_at": time.time() + 1800,
             "refresh_token": "unused", "scope": ["accounting.contacts"]}
    client = ApiClient(sdk_configuration(CLIENT_ID, SECRET),
                       oauth2_token_getter=lambda: token, oauth2_token_saver=lambda t: token.update(t))
    client.rest_client.pool_manager.connection_pool_kw["retries"] = False
    add_fault(base, path="/api.xro/2.0/*", fault="rateLimit", times=1)
    with pytest.raises(RateLimitException) as info:
        AccountingApi(client, base_url=base + "/api.xro/2.0").get_contacts(headers["xero-tenant-id"])
    assert info.value.rate_limit == "minute" and info.value.headers["Retry-After"] == "60"


def test_slow_and_timeout_faults(api):
    base, headers = api
    add_fault(base, path="/api.xro/2.0/Contacts", fault="slow", delayMs=1200, times=1)
    started = time.monotonic()
    assert http("GET", base + "/api.xro/2.0/Contacts", headers=headers)[0] == 200
    assert time.monotonic() - started >= 1.2
    add_fault(base, path="/api.xro/2.0/Contacts", fault="timeout", times=1)
    request = urllib.request.Request(base + "/api.xro/2.0/Contacts", headers=headers)
    with pytest.raises((socket.timeout, TimeoutError, urllib.error.URLError)):
        urllib.request.urlopen(request, timeout=1.0)
    # The sandbox still answers everyone else.
    assert http("GET", base + "/api.xro/2.0/Contacts", headers=headers)[0] == 200


def test_malformed_json_breaks_a_parser(api):
    base, headers = api
    add_fault(base, path="/api.xro/2.0/Contacts", fault="malformedJSON", times=1)
    status, _, body = http("GET", base + "/api.xro/2.0/Contacts", headers=headers)
    assert status == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)


def test_probability_is_seeded_and_partial(api):
    base, headers = api
    add_fault(base, path="/api.xro/2.0/Contacts", fault="status", status=500, probability=0.5)
    statuses = [http("GET", base + "/api.xro/2.0/Contacts", headers=headers)[0] for _ in range(40)]
    assert 5 <= statuses.count(500) <= 35 and statuses.count(200) == 40 - statuses.count(500)


def test_admin_endpoint_validates_rules_and_reset_clears_data(api):
    base, headers = api
    status, _, body = http("POST", base + "/__sandbox/faults", b'{"fault":"status","status":42}', {"content-type": "application/json"})
    assert status == 400 and "status" in json.loads(body)["error"]
    assert http("POST", base + "/__sandbox/faults", b'not json')[0] == 400
    rule = add_fault(base, fault="status", status=502)
    assert http("DELETE", f"{base}/__sandbox/faults/{rule['id']}")[0] == 204
    assert http("DELETE", f"{base}/__sandbox/faults/{rule['id']}")[0] == 404
    generated = state(base)["records"]["Contacts"]
    assert generated == 20, "the default --scale generates 20 contacts"
    body = json.dumps({"Contacts": [{"Name": "Reset me " + uuid.uuid4().hex[:6]}]}).encode()
    assert http("PUT", base + "/api.xro/2.0/Contacts", body, dict(headers, **{"content-type": "application/json"}))[0] == 200
    assert state(base)["records"]["Contacts"] == generated + 1
    assert http("POST", base + "/__sandbox/reset")[0] == 204
    after = state(base)
    assert after["records"]["Contacts"] == generated and after["calls"] == {} and after["faults"] == []


def test_a_dropped_connection_cuts_the_answer_short(api):
    from http.client import IncompleteRead, RemoteDisconnected

    base, headers = api
    add_fault(base, path="/api.xro/2.0/Contacts", fault="drop", times=1)
    with pytest.raises((IncompleteRead, RemoteDisconnected, ConnectionResetError, urllib.error.URLError)):
        with urllib.request.urlopen(urllib.request.Request(base + "/api.xro/2.0/Contacts", headers=headers), timeout=5) as response:
            response.read()
    assert http("GET", base + "/api.xro/2.0/Contacts", headers=headers)[0] == 200
    assert state(base)["calls"]["GET /api.xro/2.0/Contacts"] == {"0": 1, "200": 1}


def test_a_lost_response_still_wrote_and_an_idempotent_retry_does_not_write_twice(api):
    from http.client import IncompleteRead, RemoteDisconnected

    base, headers = api
    name = "Lost " + uuid.uuid4().hex[:6]
    body = json.dumps({"Contacts": [{"Name": name}]}).encode()
    write_headers = dict(headers, **{"content-type": "application/json", "idempotency-key": "lost-" + uuid.uuid4().hex})
    add_fault(base, method="PUT", path="/api.xro/2.0/Contacts", fault="lostResponse", times=1)
    with pytest.raises((RemoteDisconnected, ConnectionResetError, urllib.error.URLError)):
        urllib.request.urlopen(urllib.request.Request(base + "/api.xro/2.0/Contacts", data=body, method="PUT", headers=write_headers), timeout=5)
    # The retry with the same key gets the original answer; the contact exists once.
    status, _, data = http("PUT", base + "/api.xro/2.0/Contacts", body, write_headers)
    assert status == 200 and json.loads(data)["Contacts"][0]["Name"] == name
    where = urllib.parse.quote(f'Name=="{name}"')
    listed = json.loads(http("GET", f"{base}/api.xro/2.0/Contacts?where={where}", headers=headers)[2])["Contacts"]
    assert len(listed) == 1


def test_a_drop_over_http2_resets_the_stream(api):
    import subprocess

    base, headers = api
    add_fault(base, path="/api.xro/2.0/Contacts", fault="drop", times=1)
    curl = ["curl", "-sS", "--max-time", "10", "--http2-prior-knowledge", "-o", "/dev/null", "-w", "%{http_code}"]
    for name, value in headers.items():
        curl += ["-H", f"{name}: {value}"]
    out = subprocess.run(curl + [base + "/api.xro/2.0/Contacts"], capture_output=True, text=True, timeout=20)
    # 92: HTTP/2 stream error (RST_STREAM); 18: transfer closed with data outstanding.
    assert out.returncode in (18, 92), (out.returncode, out.stderr)
    again = subprocess.run(curl + [base + "/api.xro/2.0/Contacts"], capture_output=True, text=True, timeout=20)
    assert (again.returncode, again.stdout) == (0, "200"), "the same server answers the next call"


def test_fault_rules_given_at_start_are_in_force_from_the_first_call():
    rule = json.dumps({"method": "GET", "path": "/api.xro/2.0/Contacts", "fault": "status", "status": 503, "times": 1})
    with xero_sandbox("start-faults", "start-secret", "--xero-fault", rule) as (base, _):
        token = exchange(base, "start-faults", "start-secret", authorize(base, "start-faults"))
        _, _, body = http("GET", base + "/connections", headers={"authorization": f"Bearer {token['access_token']}"})
        headers = {"authorization": f"Bearer {token['access_token']}", "xero-tenant-id": json.loads(body)[0]["tenantId"], "accept": "application/json"}
        assert http("GET", base + "/api.xro/2.0/Contacts", headers=headers)[0] == 503
        assert http("GET", base + "/api.xro/2.0/Contacts", headers=headers)[0] == 200, "the rule fired once and retired"
        state = json.loads(http("GET", base + "/__sandbox/state")[2])
        assert state["faults"] == []


@pytest.mark.parametrize("option, value", [("--xero-fault", "{not json"), ("--xero-fault", '{"fault":"status","status":200}'),
                                           ("--cin7-fault", '{"fault":"explode"}')])
def test_bad_fault_rules_at_start_are_refused(option, value):
    import subprocess
    from sandbox_support import binary
    result = subprocess.run([binary(), "sandbox", option, value], capture_output=True, text=True, timeout=30)
    assert result.returncode != 0 and option in result.stderr
