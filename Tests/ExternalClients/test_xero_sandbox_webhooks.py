"""The Xero sandbox's webhooks, received by a plain HTTP server written here:
signatures, the intent-to-receive check, batching and sequence numbers,
retries, disabling, and duplicated deliveries."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

from sandbox_support import XERO_SPECS, Session, binary, http, xero_sandbox

CLIENT_ID, SECRET = "webhooks-client", "webhooks-secret"
KEY = "SIM-WEBHOOK-KEY-123"


class Receiver:
    """A webhook endpoint as Xero's docs describe one: 200 with an empty body for a
    correct signature, 401 otherwise. `fail_next` makes the next N correctly signed
    event deliveries answer 500; `accept_all` answers 200 to everything (a broken
    receiver the intent-to-receive check must catch)."""

    def __init__(self, key: str = KEY):
        self.key = key
        self.requests: list[tuple[bytes, str, bool, int]] = []  # (body, signature, signature valid, status answered)
        self.fail_next = 0
        self.accept_all = False
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                signature = self.headers.get("x-xero-signature", "")
                expected = base64.b64encode(hmac.new(receiver.key.encode(), body, hashlib.sha256).digest()).decode()
                valid = hmac.compare_digest(signature, expected)
                with receiver.lock:
                    status = 200 if valid else 401
                    if receiver.accept_all:
                        status = 200
                    elif valid and json.loads(body)["events"] and receiver.fail_next > 0:
                        receiver.fail_next -= 1
                        status = 500
                    receiver.requests.append((body, signature, valid, status))
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/xero/webhooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def event_deliveries(self) -> list[dict]:
        """The correctly signed deliveries of events this receiver accepted."""
        with self.lock:
            return [json.loads(body) for body, _, valid, status in self.requests if valid and status == 200 and json.loads(body)["events"]]

    def events(self) -> list[dict]:
        return [event for delivery in self.event_deliveries() for event in delivery["events"]]

    def wait_for_events(self, count: int, timeout: float = 10) -> list[dict]:
        deadline = time.time() + timeout
        while time.time() < deadline:
            events = self.events()
            if len(events) >= count:
                return events
            time.sleep(0.05)
        raise AssertionError(f"expected {count} events, got {self.events()}")

    def close(self):
        self.server.shutdown()


def webhook_state(base: str) -> dict:
    status, _, body = http("GET", base + "/__sandbox/webhooks")
    assert status == 200, body
    return json.loads(body)


def wait_for_status(base: str, wanted: str, timeout: float = 10) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        state = webhook_state(base)
        if state["status"] == wanted:
            return state
        time.sleep(0.05)
    raise AssertionError(f"webhook status stayed {webhook_state(base)['status']}, wanted {wanted}")


def configure(base: str, **settings) -> tuple[int, dict]:
    status, _, body = http("PUT", base + "/__sandbox/webhooks", json.dumps(settings).encode(), {"content-type": "application/json"})
    return status, json.loads(body)


@pytest.fixture(scope="module")
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture(scope="module")
def sandbox(receiver):
    with xero_sandbox(CLIENT_ID, SECRET, "--xero-webhook-url", receiver.url, "--xero-webhook-key", KEY,
                      "--xero-webhook-retry-delays", "0.2", "--xero-webhook-batch-ms", "100",
                      "--xero-limit-minute", "100000", "--xero-limit-concurrent", "50", "--seed", "21") as (base, process):
        yield base, process


@pytest.fixture
def session(sandbox, receiver):
    base, _ = sandbox
    wait_for_status(base, "OK")
    with receiver.lock:
        receiver.requests.clear()
        receiver.fail_next = 0
        receiver.accept_all = False
    yield Session(base, CLIENT_ID, SECRET)
    http("DELETE", base + "/__sandbox/faults")


@pytest.fixture(scope="module")
def event_schema():
    spec = yaml.safe_load((XERO_SPECS / "xero-webhooks.yaml").read_text())
    return spec["components"]["schemas"]["WebhookEvent"]


def test_signature_matches_xeros_documented_test_vector():
    # From the reference: the key and body Xero's docs use, and the signature they give.
    body = b'{"events":[],"lastEventSequence":0,"firstEventSequence":0,"entropy":"S0m3r4Nd0mt3xt"}'
    assert base64.b64encode(hmac.new(KEY.encode(), body, hashlib.sha256).digest()).decode() == "rjBOTOqLeSlVZ5D51qTpq4NBKiG27i4VIlVrfBFcnpo="


def test_intent_to_receive_sends_correct_and_wrong_signatures(sandbox, receiver):
    base, _ = sandbox
    state = wait_for_status(base, "OK")
    checks = [record for record in state["deliveries"] if record["purpose"] == "intent-to-receive"]
    assert len(checks) >= 4
    statuses = sorted(record["status"] for record in checks)
    assert 200 in statuses and 401 in statuses
    assert statuses.count(200) == statuses.count(401)


def test_contact_changes_arrive_signed_and_thin(session, receiver, event_schema):
    import jsonschema

    contact = {"Name": "Webhook Contact " + str(time.time())}
    status, _, body = session.raw("PUT", "/Contacts", {"Contacts": [contact]})
    assert status == 200, body
    contact_id = json.loads(body)["Contacts"][0]["ContactID"]
    status, _, body = session.raw("POST", f"/Contacts/{contact_id}", {"Contacts": [{"ContactID": contact_id, "EmailAddress": "a@example.com"}]})
    assert status == 200, body

    events = receiver.wait_for_events(1)
    time.sleep(0.5)  # the update may come in the same delivery or the next
    events = receiver.events()
    for delivery in receiver.event_deliveries():
        jsonschema.validate(delivery, event_schema)
        assert delivery["lastEventSequence"] - delivery["firstEventSequence"] + 1 == len(delivery["events"])
    mine = [event for event in events if event["resourceId"] == contact_id]
    assert [event["eventType"] for event in mine] == ["CREATE", "UPDATE"]
    event = mine[0]
    assert event["eventCategory"] == "CONTACT" and event["tenantType"] == "ORGANISATION"
    assert event["tenantId"] == str(session.tenant)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}", event["eventDateUtc"])
    # The resource URL leads back to the record.
    status, _, body = http("GET", event["resourceUrl"], headers={
        "authorization": f"Bearer {session.token['access_token']}", "xero-tenant-id": str(session.tenant), "accept": "application/json"})
    assert status == 200 and json.loads(body)["Contacts"][0]["ContactID"] == contact_id


def test_sequence_numbers_grow_across_deliveries(session, receiver):
    for index in range(3):
        status, _, _ = session.raw("PUT", "/Contacts", {"Contacts": [{"Name": f"Sequenced {index} {time.time()}"}]})
        assert status == 200
        time.sleep(0.3)  # past the batch window: one delivery each
    receiver.wait_for_events(3)
    deliveries = receiver.event_deliveries()
    sequences = [(d["firstEventSequence"], d["lastEventSequence"]) for d in deliveries]
    assert all(first >= 1 for first, _ in sequences)
    for (_, last), (first, _) in zip(sequences, sequences[1:]):
        assert first == last + 1, sequences
    assert len({d["entropy"] for d in deliveries}) == len(deliveries)


def test_invoice_and_credit_note_events(session, receiver):
    status, _, body = session.raw("PUT", "/Contacts", {"Contacts": [{"Name": "Billed " + str(time.time())}]})
    contact_id = json.loads(body)["Contacts"][0]["ContactID"]
    line = {"Description": "Widget", "Quantity": 1, "UnitAmount": 10, "AccountCode": "200"}
    status, _, body = session.raw("PUT", "/Invoices", {"Invoices": [{"Type": "ACCREC", "Contact": {"ContactID": contact_id}, "LineItems": [line], "Status": "AUTHORISED", "Date": "2026-11-01", "DueDate": "2026-11-30"}]})
    assert status == 200, body
    invoice_id = json.loads(body)["Invoices"][0]["InvoiceID"]
    status, _, body = session.raw("PUT", "/CreditNotes", {"CreditNotes": [{"Type": "ACCRECCREDIT", "Contact": {"ContactID": contact_id}, "LineItems": [line], "Status": "AUTHORISED", "Date": "2026-11-02"}]})
    assert status == 200, body
    note_id = json.loads(body)["CreditNotes"][0]["CreditNoteID"]

    deadline = time.time() + 10
    while time.time() < deadline and not {invoice_id, note_id} <= {e["resourceId"] for e in receiver.events()}:
        time.sleep(0.05)
    by_id = {event["resourceId"]: event for event in receiver.events()}
    assert by_id[invoice_id]["eventCategory"] == "INVOICE" and by_id[invoice_id]["eventType"] == "CREATE"
    assert by_id[invoice_id]["resourceUrl"].endswith(f"/api.xro/2.0/Invoices/{invoice_id}")
    assert by_id[note_id]["eventCategory"] == "CREDITNOTE"
    assert by_id[note_id]["data"] == {"Type": "ACCRECCREDIT", "Status": "AUTHORISED"}


def test_reads_and_refused_writes_raise_no_events(session, receiver):
    assert session.raw("GET", "/Contacts")[0] == 200
    status, _, _ = session.raw("PUT", "/Contacts", {"Contacts": [{"Name": ""}]})
    assert status == 400
    time.sleep(0.5)
    assert receiver.events() == []


def test_failed_delivery_is_retried_until_accepted(session, receiver, sandbox):
    base, _ = sandbox
    receiver.fail_next = 2
    status, _, body = session.raw("PUT", "/Contacts", {"Contacts": [{"Name": "Retried " + str(time.time())}]})
    contact_id = json.loads(body)["Contacts"][0]["ContactID"]
    events = receiver.wait_for_events(1)
    assert [e["resourceId"] for e in events] == [contact_id]
    attempts = [r for r in webhook_state(base)["deliveries"] if r["purpose"] == "events"]
    assert [(r["attempt"], r["status"]) for r in attempts[-3:]] == [(1, 500), (2, 500), (3, 200)]


def test_duplicate_delivery_fault_sends_the_same_payload_twice(session, receiver, sandbox):
    base, _ = sandbox
    status, _, body = http("POST", base + "/__sandbox/faults", json.dumps({"fault": "duplicateDelivery", "times": 1}).encode(),
                           {"content-type": "application/json"})
    assert status == 201, body
    status, _, _ = session.raw("PUT", "/Contacts", {"Contacts": [{"Name": "Twice " + str(time.time())}]})
    assert status == 200
    deadline = time.time() + 10
    while time.time() < deadline and len(receiver.event_deliveries()) < 2:
        time.sleep(0.05)
    first, second = receiver.event_deliveries()[:2]
    assert first == second  # same events, sequence numbers and entropy: the receiver must de-duplicate
    # The rule fired once and retired: the next change is delivered once.
    session.raw("PUT", "/Contacts", {"Contacts": [{"Name": "Once " + str(time.time())}]})
    time.sleep(0.8)
    assert len(receiver.event_deliveries()) == 3


def test_broken_receiver_fails_intent_to_receive_and_keeps_events_until_fixed(session, receiver, sandbox):
    base, _ = sandbox
    receiver.accept_all = True  # answers 200 even to a wrong signature
    status, _, body = http("POST", base + "/__sandbox/webhooks/intent-to-receive")
    assert status == 200 and json.loads(body) == {"passed": False}
    assert webhook_state(base)["status"] == "FAILED_INTENT_TO_RECEIVE"
    status, _, body = session.raw("PUT", "/Contacts", {"Contacts": [{"Name": "Held " + str(time.time())}]})
    contact_id = json.loads(body)["Contacts"][0]["ContactID"]
    time.sleep(0.5)
    assert receiver.events() == [] and webhook_state(base)["queued"] == 1

    receiver.accept_all = False
    status, _, body = http("POST", base + "/__sandbox/webhooks/intent-to-receive")
    assert json.loads(body) == {"passed": True}
    assert [e["resourceId"] for e in receiver.wait_for_events(1)] == [contact_id]


def test_retries_that_run_out_disable_the_subscription(session, receiver, sandbox):
    base, _ = sandbox
    status, state = configure(base, url=receiver.url, key=KEY, retryDelays=[0.1], giveUpAfterSeconds=0.5)
    assert status == 200, state
    wait_for_status(base, "OK")
    receiver.fail_next = 1000
    session.raw("PUT", "/Contacts", {"Contacts": [{"Name": "Undeliverable " + str(time.time())}]})
    state = wait_for_status(base, "DISABLED")
    assert state["queued"] == 1
    # Fixed receiver, re-enabled by a new check: the kept event goes out.
    receiver.fail_next = 0
    status, _, body = http("POST", base + "/__sandbox/webhooks/intent-to-receive")
    assert json.loads(body) == {"passed": True}
    assert len(receiver.wait_for_events(1)) == 1
    configure(base, url=receiver.url, key=KEY, retryDelays=[0.2], giveUpAfterSeconds=86400)
    wait_for_status(base, "OK")


def test_bad_subscription_settings_are_refused(sandbox):
    base, _ = sandbox
    assert configure(base, url="not a url", key=KEY)[0] == 400
    assert configure(base, url="http://127.0.0.1:9/x", key="")[0] == 400
    assert configure(base, key=KEY)[0] == 400


def test_without_a_subscription_nothing_is_sent():
    with xero_sandbox("plain-client", "plain-secret") as (base, _):
        state = webhook_state(base)
        assert state["status"] == "off" and state["deliveries"] == []
        status, _, _ = http("POST", base + "/__sandbox/webhooks/intent-to-receive")
        assert status == 409


def test_cli_refuses_a_url_without_a_key():
    result = subprocess.run([binary(), "sandbox", "--xero-webhook-url", "http://127.0.0.1:9/hook"], capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    assert "--xero-webhook-key" in result.stderr
