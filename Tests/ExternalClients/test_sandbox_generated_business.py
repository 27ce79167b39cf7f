"""The generated business through `ledgerbridge sandbox --business`: the Xero side
as an organisation synced all along would show it (contacts, items, tracking,
invoices and bills, payments), read with the official SDK; deterministic per
seed; restored by a reset; and nothing beyond contacts unless asked."""

from __future__ import annotations

import json
import subprocess
from decimal import Decimal

import pytest

from sandbox_support import Session, binary, http, xero_sandbox

CLIENT_ID, SECRET = "business-client", "business-secret"
SCALE = 40


def snapshot(session: Session) -> dict:
    """What a connector would read: every invoice, contact and item, by their natural keys."""
    invoices = session.api.get_invoices(session.tenant, page=1, page_size=1000).invoices
    return {
        "invoices": sorted((i.invoice_number, str(i.type), i.contact.contact_id and str(i.contact.contact_id), str(i.status), i.total, i.currency_code and str(i.currency_code))
                           for i in invoices),
        "contacts": sorted((c.contact_number, c.name) for c in session.api.get_contacts(session.tenant).contacts),
        "items": sorted((i.code, i.name) for i in session.api.get_items(session.tenant).items),
    }


@pytest.fixture(scope="module")
def synced():
    with xero_sandbox(CLIENT_ID, SECRET, "--business", "xero", "--scale", str(SCALE), "--seed", "5",
                      "--xero-limit-minute", "100000", "--xero-limit-concurrent", "50") as (base, _):
        yield base, Session(base, CLIENT_ID, SECRET)


def test_the_history_is_there_as_the_api_shows_it(synced):
    base, session = synced
    invoices = session.api.get_invoices(session.tenant, page=1, page_size=1000).invoices
    assert len(invoices) == SCALE
    sales = [i for i in invoices if str(i.type) == "Type.ACCREC" or str(i.type).endswith("ACCREC")]
    bills = [i for i in invoices if i not in sales]
    assert len(sales) == 30 and len(bills) == 10
    assert all(i.reference.startswith("SO-") and i.invoice_number == "INV-" + i.reference[3:] for i in sales)
    assert all(i.invoice_number.startswith("PO-") for i in bills)
    assert all(str(i.status).endswith(("AUTHORISED", "PAID")) for i in invoices)
    paid = [i for i in invoices if str(i.status).endswith("PAID")]
    assert paid and all(i.amount_due == 0 and i.payments for i in paid)
    foreign = [i for i in invoices if not str(i.currency_code).endswith("NZD")]
    assert foreign and all(i.currency_rate != 1 for i in foreign)
    # Totals are Xero's own arithmetic: lines plus 15 % GST, each line's tax rounded.
    for invoice in invoices:
        assert Decimal(str(invoice.total)) == Decimal(str(invoice.sub_total)) + Decimal(str(invoice.total_tax))
    one = session.api.get_invoice(session.tenant, sales[0].invoice_id).invoices[0]
    assert one.line_items and one.line_items[0].item_code.startswith("SKU-") and one.line_items[0].tracking[0].name == "Region"

    contacts = {str(c.contact_id): c for c in session.api.get_contacts(session.tenant).contacts}
    assert all(contacts[str(i.contact.contact_id)].is_customer for i in sales)
    assert all(contacts[str(i.contact.contact_id)].is_supplier for i in bills)
    assert len(session.api.get_items(session.tenant).items) == SCALE
    categories = {c.name: [o.name for o in c.options] for c in session.api.get_tracking_categories(session.tenant).tracking_categories}
    assert categories == {"Region": ["North", "South", "Online"], "Channel": ["Retail", "Wholesale"]}
    assert len(session.api.get_payments(session.tenant).payments) == len(paid)
    # Raw answers match Xero's spec too.
    for path in ("/Invoices?page=1", f"/Invoices/{sales[0].invoice_id}", "/Items", "/TrackingCategories", "/Payments"):
        assert session.checked("GET", path)[0] == 200


def test_reset_brings_the_same_history_back(synced):
    base, session = synced
    before = snapshot(session)
    status, _, body = session.raw("PUT", "/Contacts", {"Contacts": [{"Name": "Added after start"}]})
    assert status == 200
    assert http("POST", base + "/__sandbox/reset")[0] == 204
    assert snapshot(session) == before


def test_the_same_seed_is_the_same_business_and_another_seed_is_not(synced):
    _, session = synced
    first = snapshot(session)
    with xero_sandbox("business-client-2", "business-secret-2", "--business", "xero", "--scale", str(SCALE), "--seed", "5") as (base, _):
        again = snapshot(Session(base, "business-client-2", "business-secret-2"))
    # Ids differ per app's organisation only if the tenant differs; the natural keys and amounts must not.
    assert [i[:2] + i[3:] for i in again["invoices"]] == [i[:2] + i[3:] for i in first["invoices"]]
    assert again["contacts"] == first["contacts"] and again["items"] == first["items"]
    with xero_sandbox("business-client-3", "business-secret-3", "--business", "xero", "--scale", str(SCALE), "--seed", "6") as (base, _):
        other = snapshot(Session(base, "business-client-3", "business-secret-3"))
    assert other["contacts"] != first["contacts"]


def test_by_default_only_contacts_are_generated():
    with xero_sandbox("plain-business", "plain-secret", "--scale", "15") as (base, _):
        session = Session(base, "plain-business", "plain-secret")
        assert len(session.api.get_contacts(session.tenant).contacts) == 15
        assert session.api.get_invoices(session.tenant).invoices == []
        assert session.api.get_items(session.tenant).items == []


def test_an_unknown_business_side_is_refused():
    result = subprocess.run([binary(), "sandbox", "--business", "everywhere"], capture_output=True, text=True, timeout=30)
    assert result.returncode != 0 and "--business" in result.stderr
