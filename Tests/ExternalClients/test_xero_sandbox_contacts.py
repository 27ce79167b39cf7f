"""Contacts in the Xero sandbox through the official xero-python SDK: list,
create, update, If-Modified-Since, paging, validation errors, idempotent
replays and rate limits — every response checked against xero_accounting.yaml."""

from __future__ import annotations

import datetime
import json
import re
import signal
import time
import uuid

import pytest

from conftest import ServeProcess
from sandbox_support import Session, binary

CLIENT_ID, SECRET = "contacts-client", "contacts-secret"


def start(*extra):
    cmd = [binary(), "sandbox", "--xero-port", "0", "--xero-client-id", CLIENT_ID, "--xero-client-secret", SECRET, *extra]
    return ServeProcess(cmd)


@pytest.fixture(scope="module")
def sandbox():
    with start("--xero-limit-minute", "100000", "--xero-limit-day", "100000") as process:
        line = process.wait_for_line("ledgerbridge sandbox: xero ready", 30)
        assert line, process.explain()
        yield re.search(r"http://127\.0\.0\.1:\d+", line).group(0)
        assert process.stop(signal.SIGTERM, 10) == 0


@pytest.fixture(scope="module")
def session(sandbox):
    return Session(sandbox, CLIENT_ID, SECRET)


def contact(name: str, **extra):
    from xero_python.accounting import Contact
    return Contact(name=name, **extra)


def test_create_list_get_update_with_the_sdk(session):
    from xero_python.accounting import Contacts, Phone

    name = "Acme " + uuid.uuid4().hex[:6]
    created = session.api.create_contacts(session.tenant, Contacts(contacts=[contact(name, contact_number="C-" + name[-6:], email_address="a@example.com",
                                                                                      phones=[Phone(phone_type="MOBILE", phone_number="021 555")])]))
    [made] = created.contacts
    assert made.name == name and made.contact_status == "ACTIVE" and made.is_customer is False
    assert isinstance(made.updated_date_utc, datetime.datetime)
    got = session.api.get_contact(session.tenant, made.contact_id).contacts[0]
    assert got.contact_number == made.contact_number and got.phones[0].phone_number == "021 555"
    by_number = session.api.get_contact_by_contact_number(session.tenant, made.contact_number).contacts[0]
    assert by_number.contact_id == made.contact_id
    time.sleep(1.1)  # If-Modified-Since has second precision
    updated = session.api.update_contact(session.tenant, made.contact_id, Contacts(contacts=[contact(name, email_address="b@example.com")]))
    assert updated.contacts[0].email_address == "b@example.com"
    assert updated.contacts[0].updated_date_utc > made.updated_date_utc
    assert made.contact_id in [c.contact_id for c in session.api.get_contacts(session.tenant).contacts]
    session.checked("GET", f"/Contacts/{made.contact_id}")


def test_if_modified_since_and_paging(session):
    from xero_python.accounting import Contacts

    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    time.sleep(1.1)
    names = [f"Paged {uuid.uuid4().hex[:8]}" for _ in range(3)]
    session.api.create_contacts(session.tenant, Contacts(contacts=[contact(n) for n in names]))
    recent = session.api.get_contacts(session.tenant, if_modified_since=before).contacts
    assert sorted(c.name for c in recent) == sorted(names)
    page = session.api.get_contacts(session.tenant, page=1, page_size=2, if_modified_since=before)
    assert len(page.contacts) == 2 and page.pagination.item_count == 3 and page.pagination.page_count == 2
    status, _, data = session.checked("GET", "/Contacts?page=2&pageSize=2", headers={"if-modified-since": before.isoformat()})
    assert status == 200 and len(json.loads(data)["Contacts"]) == 1
    where = session.api.get_contacts(session.tenant, where=f'Name=="{names[0]}"').contacts
    assert [c.name for c in where] == [names[0]]
    assert session.api.get_contacts(session.tenant, where=f'Name.StartsWith("{names[1][:10]}")').contacts


def test_validation_error_is_a_400_in_xeros_shape_and_good_elements_are_saved(session):
    from xero_python.accounting import Contacts
    from xero_python.exceptions import AccountingBadRequestException

    good = "Good " + uuid.uuid4().hex[:6]
    with pytest.raises(AccountingBadRequestException) as info:
        session.api.create_contacts(session.tenant, Contacts(contacts=[contact(good), contact("")]))
    assert info.value.status == 400
    assert info.value.error_data["Type"] == "ValidationException"
    assert "name" in info.value.reason.lower()
    # A batch is not a transaction: the good one was saved.
    assert session.api.get_contacts(session.tenant, where=f'Name=="{good}"').contacts
    # summarizeErrors=false: 200, every element with its status.
    other = "Other " + uuid.uuid4().hex[:6]
    result = session.api.create_contacts(session.tenant, Contacts(contacts=[contact(other), contact(good)]), summarize_errors=False)
    statuses = [c.status_attribute_string for c in result.contacts]
    assert statuses == ["OK", "ERROR"]
    assert result.contacts[1].validation_errors[0].message
    status, _, data = session.checked("PUT", "/Contacts", {"Contacts": [{"Name": ""}]})
    assert status == 400 and json.loads(data)["Elements"][0]["ValidationErrors"]


def test_idempotent_replay_and_reuse_with_another_body(session):
    from xero_python.accounting import Contacts
    from xero_python.exceptions import AccountingBadRequestException

    key = "key-" + uuid.uuid4().hex
    name = "Idem " + uuid.uuid4().hex[:6]
    first = session.api.create_contacts(session.tenant, Contacts(contacts=[contact(name)]), idempotency_key=key)
    again = session.api.create_contacts(session.tenant, Contacts(contacts=[contact(name)]), idempotency_key=key)
    assert again.contacts[0].contact_id == first.contacts[0].contact_id
    assert len(session.api.get_contacts(session.tenant, where=f'Name=="{name}"').contacts) == 1, "the replay did not write again"
    with pytest.raises(AccountingBadRequestException):
        session.api.create_contacts(session.tenant, Contacts(contacts=[contact(name + " changed")]), idempotency_key=key)


def test_tenant_and_token_errors(session):
    status, _, data = session.raw("GET", "/Contacts", headers={"xero-tenant-id": str(uuid.uuid4())})
    assert status == 403 and json.loads(data)["Detail"] == "AuthenticationUnsuccessful"
    status, _, data = session.raw("GET", "/Contacts", headers={"authorization": "Bearer nope"})
    assert status == 401 and json.loads(data)["Title"] == "Unauthorized"
    status, _, data = session.raw("GET", f"/Contacts/{uuid.uuid4()}")
    assert status == 404 and data == b"The resource you're looking for cannot be found"


def test_rate_limit_429_with_retry_after_through_the_sdk():
    from xero_python.exceptions import RateLimitException

    with start("--xero-limit-minute", "3") as process:
        line = process.wait_for_line("ledgerbridge sandbox: xero ready", 30)
        assert line, process.explain()
        base = re.search(r"http://127\.0\.0\.1:\d+", line).group(0)
        session = Session(base, CLIENT_ID, SECRET)
        for remaining in (2, 1, 0):
            status, headers, _ = session.raw("GET", "/Contacts")
            assert status == 200 and int(headers["x-minlimit-remaining"]) == remaining
            assert int(headers["x-daylimit-remaining"]) > 0 and int(headers["x-appminlimit-remaining"]) > 0
        with pytest.raises(RateLimitException) as info:
            session.api.get_contacts(session.tenant)
        assert info.value.rate_limit == "minute"
        assert 0 < int(info.value.headers["Retry-After"]) <= 60
        assert process.stop(signal.SIGTERM, 10) == 0
