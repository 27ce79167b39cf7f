"""The Xero sandbox's documents through the official xero-python SDK: invoices
(ACCREC and ACCPAY), credit notes with allocations, payments — create, update,
list, paging, If-Modified-Since, validation errors in Xero's shape,
summarizeErrors=false, an idempotent replay, IsCustomer/IsSupplier derived,
and every raw response checked against xero_accounting.yaml."""

from __future__ import annotations

import datetime
import json
import time
import uuid
from decimal import Decimal

import pytest

from sandbox_support import ZERO_GUID, money, new_contact as shared_new_contact, Session, xero_sandbox

CLIENT_ID, SECRET = "documents-client", "documents-secret"
DUE = datetime.date(2030, 1, 31)


@pytest.fixture(scope="module")
def sandbox():
    with xero_sandbox(CLIENT_ID, SECRET, "--xero-limit-minute", "100000", "--xero-limit-day", "100000") as (base, _):
        yield base


@pytest.fixture(scope="module")
def session(sandbox):
    return Session(sandbox, CLIENT_ID, SECRET)


def new_contact(session) -> str:
    return shared_new_contact(session, "Doc Contact")


def line(amount, code="200", **extra):
    from xero_python.accounting import LineItem
    return LineItem(description="Widget", quantity=1, unit_amount=amount, account_code=code, **extra)


def invoice(contact_id, type_="ACCREC", lines=None, status="DRAFT", **extra):
    from xero_python.accounting import Contact, Invoice, LineAmountTypes
    return Invoice(type=type_, contact=Contact(contact_id=contact_id), line_items=lines or [line(100)], status=status,
                   line_amount_types=extra.pop("line_amount_types", LineAmountTypes.EXCLUSIVE), due_date=DUE, **extra)


def second_tick() -> datetime.datetime:
    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    time.sleep(1.1)
    return before


def test_invoices_create_update_and_totals(session):
    from xero_python.accounting import Invoices, LineAmountTypes

    contact_id = new_contact(session)
    [made] = session.api.create_invoices(session.tenant, Invoices(invoices=[invoice(contact_id, lines=[line(10), line(3.33)])])).invoices
    assert made.type == "ACCREC" and made.status == "DRAFT" and made.invoice_number.startswith("INV-")
    assert money(made.sub_total) == Decimal("13.33") and money(made.total_tax) == Decimal("2.00") and money(made.total) == Decimal("15.33")
    assert money(made.amount_due) == Decimal("15.33") and isinstance(made.updated_date_utc, datetime.datetime)
    assert made.date == datetime.date.today() or isinstance(made.date, datetime.date)
    # An update keeps a line sent back with its id; the other is replaced.
    kept = made.line_items[0]
    kept.quantity = 3
    from xero_python.accounting import Invoice
    [updated] = session.api.update_invoice(session.tenant, made.invoice_id, Invoices(invoices=[
        Invoice(line_items=[kept], status="AUTHORISED", reference="PO-7")])).invoices
    assert updated.status == "AUTHORISED" and updated.reference == "PO-7"
    assert [l.line_item_id for l in updated.line_items] == [kept.line_item_id] and money(updated.total) == Decimal("34.50")
    # A bill, inclusive of tax, without an automatic number.
    [bill] = session.api.create_invoices(session.tenant, Invoices(invoices=[
        invoice(contact_id, "ACCPAY", lines=[line(115, "310")], line_amount_types=LineAmountTypes.INCLUSIVE)])).invoices
    assert bill.type == "ACCPAY" and bill.invoice_number in (None, "")
    assert money(bill.total_tax) == Decimal("15.00") and money(bill.sub_total) == Decimal("100.00")
    # The contact became a customer and a supplier, without an edit.
    [contact] = session.api.get_contact(session.tenant, contact_id).contacts
    assert contact.is_customer and contact.is_supplier

    for path in ("/Invoices", f"/Invoices/{made.invoice_id}", "/Invoices?page=1", f"/Contacts/{contact_id}"):
        status, _, _ = session.checked("GET", path)
        assert status == 200, path
    status, _, data = session.checked("POST", "/Invoices", {"Invoices": [{"InvoiceID": str(bill.invoice_id), "InvoiceNumber": "BILL-9"}]})
    assert status == 200 and json.loads(data)["Invoices"][0]["InvoiceNumber"] == "BILL-9"
    status, _, data = session.checked("PUT", "/Invoices", {"Invoices": [{"Type": "ACCREC", "Contact": {"ContactID": contact_id},
                                                                         "LineItems": [{"Description": "x", "Quantity": 2, "UnitAmount": 9.99,
                                                                                        "DiscountRate": 10, "AccountCode": "200"}]}]})
    created = json.loads(data)["Invoices"][0]
    assert status == 200 and created["SubTotal"] == 17.98 and created["TotalDiscount"] == 2.0


def test_paging_filters_and_if_modified_since(session):
    from xero_python.accounting import Invoices

    contact_id = new_contact(session)
    before = second_tick()
    made = session.api.create_invoices(session.tenant, Invoices(invoices=[invoice(contact_id) for _ in range(3)])).invoices
    recent = session.api.get_invoices(session.tenant, if_modified_since=before).invoices
    assert {i.invoice_id for i in made} <= {i.invoice_id for i in recent}
    page = session.api.get_invoices(session.tenant, page=1, page_size=2, contact_i_ds=[contact_id])
    assert len(page.invoices) == 2 and page.pagination.item_count == 3 and page.pagination.page_count == 2
    assert all(i.line_items for i in page.invoices), "a paged list carries line items"
    numbers = [made[0].invoice_number, made[2].invoice_number]
    assert {i.invoice_number for i in session.api.get_invoices(session.tenant, invoice_numbers=numbers).invoices} == set(numbers)
    assert session.api.get_invoices(session.tenant, contact_i_ds=[contact_id], statuses=["AUTHORISED"]).invoices == []
    mine = session.api.get_invoices(session.tenant, created_by_my_app=True, contact_i_ds=[contact_id]).invoices
    assert len(mine) == 3
    where = session.api.get_invoices(session.tenant, where=f'InvoiceNumber=="{made[1].invoice_number}"').invoices
    assert [i.invoice_id for i in where] == [made[1].invoice_id]
    stamp = before.strftime("%a, %d %b %Y %H:%M:%S GMT")
    status, _, data = session.checked("GET", f"/Invoices?page=1&ContactIDs={contact_id}", headers={"If-Modified-Since": stamp})
    assert status == 200 and json.loads(data)["pagination"]["itemCount"] == 3


def test_validation_errors_summarize_errors_and_idempotency(session):
    from xero_python.accounting import Invoices
    from xero_python.exceptions import AccountingBadRequestException

    contact_id = new_contact(session)
    with pytest.raises(AccountingBadRequestException) as info:
        session.api.create_invoices(session.tenant, Invoices(invoices=[invoice(contact_id, lines=[line(5, code="999")])]))
    assert info.value.status == 400 and info.value.error_data["Type"] == "ValidationException"
    assert "999" in info.value.reason
    status, _, data = session.checked("PUT", "/Invoices", {"Invoices": [{"Type": "ACCREC", "Contact": {"ContactID": str(uuid.uuid4())}}]})
    assert status == 400 and json.loads(data)["Elements"][0]["ValidationErrors"]

    number = "UNIQ-" + uuid.uuid4().hex[:6]
    result = session.api.create_invoices(session.tenant, Invoices(invoices=[invoice(contact_id, invoice_number=number),
                                                                             invoice(contact_id, invoice_number=number)]), summarize_errors=False)
    assert [i.status_attribute_string for i in result.invoices] == ["OK", "ERROR"]
    assert result.invoices[1].has_errors and result.invoices[1].validation_errors[0].message == "Invoice # must be unique."
    assert str(result.invoices[1].invoice_id) == ZERO_GUID
    status, _, data = session.checked("PUT", "/Invoices?summarizeErrors=false", {"Invoices": [{"Type": "NOPE"}]})
    assert status == 200 and json.loads(data)["Invoices"][0]["StatusAttributeString"] == "ERROR"

    key = "inv-" + uuid.uuid4().hex
    first = session.api.create_invoices(session.tenant, Invoices(invoices=[invoice(contact_id)]), idempotency_key=key)
    again = session.api.create_invoices(session.tenant, Invoices(invoices=[invoice(contact_id)]), idempotency_key=key)
    assert again.invoices[0].invoice_id == first.invoices[0].invoice_id
    assert len(session.api.get_invoices(session.tenant, contact_i_ds=[contact_id]).invoices) == 2, "the replay did not write again"


def test_credit_note_allocation_and_its_deletion(session):
    from xero_python.accounting import Allocation, Allocations, Contact, CreditNote, CreditNotes, Invoice, Invoices

    contact_id = new_contact(session)
    [bill_to] = session.api.create_invoices(session.tenant, Invoices(invoices=[invoice(contact_id, status="AUTHORISED")])).invoices
    assert money(bill_to.amount_due) == Decimal("115.00")
    [note] = session.api.create_credit_notes(session.tenant, CreditNotes(credit_notes=[
        CreditNote(type="ACCRECCREDIT", contact=Contact(contact_id=contact_id), status="AUTHORISED", line_items=[line(20)])])).credit_notes
    assert note.credit_note_number.startswith("CN-") and money(note.remaining_credit) == Decimal("23.00")

    with pytest.raises(Exception) as info:
        session.api.create_credit_note_allocation(session.tenant, note.credit_note_id, Allocations(allocations=[
            Allocation(invoice=Invoice(invoice_id=bill_to.invoice_id), amount=50, date=datetime.date(2030, 1, 2))]))
    assert getattr(info.value, "status", None) == 400

    result = session.api.create_credit_note_allocation(session.tenant, note.credit_note_id, Allocations(allocations=[
        Allocation(invoice=Invoice(invoice_id=bill_to.invoice_id), amount=23, date=datetime.date(2030, 1, 2))]))
    allocation = result.allocations[0]
    assert money(allocation.amount) == Decimal("23.00") and allocation.allocation_id
    [after] = session.api.get_invoice(session.tenant, bill_to.invoice_id).invoices
    assert money(after.amount_credited) == Decimal("23.00") and money(after.amount_due) == Decimal("92.00")
    [spent] = session.api.get_credit_note(session.tenant, note.credit_note_id).credit_notes
    assert spent.status == "PAID" and money(spent.remaining_credit) == 0

    status, _, data = session.checked("DELETE", f"/CreditNotes/{note.credit_note_id}/Allocations/{allocation.allocation_id}")
    assert status == 200 and json.loads(data)["IsDeleted"] is True
    [restored] = session.api.get_invoice(session.tenant, bill_to.invoice_id).invoices
    assert money(restored.amount_due) == Decimal("115.00") and restored.status == "AUTHORISED"
    # Allocate again through the raw API, checked against the spec.
    status, _, data = session.checked("PUT", f"/CreditNotes/{note.credit_note_id}/Allocations",
                                      {"Allocations": [{"Invoice": {"InvoiceID": str(bill_to.invoice_id)}, "Amount": 5, "Date": "2030-01-03"}]})
    assert status == 200 and json.loads(data)["Allocations"][0]["Amount"] == 5
    for path in ("/CreditNotes", f"/CreditNotes/{note.credit_note_id}", "/CreditNotes?page=1"):
        assert session.checked("GET", path)[0] == 200


def test_payment_and_its_deletion(session):
    from xero_python.accounting import Account, Invoice, Invoices, Payment, PaymentDelete, Payments
    from xero_python.exceptions import AccountingBadRequestException

    contact_id = new_contact(session)
    [target] = session.api.create_invoices(session.tenant, Invoices(invoices=[invoice(contact_id, status="AUTHORISED")])).invoices
    with pytest.raises(AccountingBadRequestException) as info:
        session.api.create_payments(session.tenant, Payments(payments=[Payment(
            invoice=Invoice(invoice_id=target.invoice_id), account=Account(code="090"), amount=200, date=datetime.date(2030, 1, 5))]))
    assert "exceeds" in info.value.reason

    [payment] = session.api.create_payments(session.tenant, Payments(payments=[Payment(
        invoice=Invoice(invoice_id=target.invoice_id), account=Account(code="090"), amount=115, date=datetime.date(2030, 1, 5))])).payments
    assert payment.payment_type == "ACCRECPAYMENT" and payment.status == "AUTHORISED" and money(payment.amount) == Decimal("115.00")
    [paid] = session.api.get_invoice(session.tenant, target.invoice_id).invoices
    assert paid.status == "PAID" and money(paid.amount_due) == 0 and paid.fully_paid_on_date == datetime.date(2030, 1, 5)
    with pytest.raises(AccountingBadRequestException) as info:
        session.api.update_invoice(session.tenant, target.invoice_id, Invoices(invoices=[Invoice(reference="late edit")]))
    assert info.value.reason == "Invoice not of valid status for modification"
    # A POST that changes nothing is no modification: accepted, and the record is not re-stamped.
    for _ in range(5):
        status, _, data = session.checked("POST", f"/Invoices/{target.invoice_id}", {"Invoices": [{}]})
        assert status == 200, data
        assert json.loads(data)["Invoices"][0]["UpdatedDateUTC"] == json.loads(session.raw("GET", f"/Invoices/{target.invoice_id}")[2])["Invoices"][0]["UpdatedDateUTC"]
    assert session.api.get_invoice(session.tenant, target.invoice_id).invoices[0].updated_date_utc == paid.updated_date_utc

    status, _, data = session.checked("POST", f"/Payments/{payment.payment_id}", {"Amount": 1})
    assert status == 400
    [deleted] = session.api.delete_payment(session.tenant, payment.payment_id, PaymentDelete(status="DELETED")).payments
    assert deleted.status == "DELETED"
    [reopened] = session.api.get_invoice(session.tenant, target.invoice_id).invoices
    assert reopened.status == "AUTHORISED" and money(reopened.amount_due) == Decimal("115.00")

    # POST /Payments takes one bare Payment.
    status, _, data = session.checked("POST", "/Payments", {"Invoice": {"InvoiceNumber": target.invoice_number}, "Account": {"Code": "090"},
                                                             "Amount": 15, "Date": "2030-01-06"})
    assert status == 200 and json.loads(data)["Payments"][0]["Amount"] == 15
    for path in ("/Payments", f"/Payments/{payment.payment_id}", "/Payments?page=1", f"/Invoices/{target.invoice_id}"):
        assert session.checked("GET", path)[0] == 200
    listed = {p.payment_id: p.status for p in session.api.get_payments(session.tenant, where=f'Status=="DELETED"').payments}
    assert listed.get(payment.payment_id) == "DELETED"
