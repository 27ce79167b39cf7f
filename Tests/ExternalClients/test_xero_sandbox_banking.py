"""The Xero sandbox's bank transactions, prepayments and overpayments through
the official xero-python SDK: spend and receive money (totals, update, delete,
reconciled), the prepayment and overpayment types and the balances they open,
allocations to invoices (over-allocation, wrong contact, wrong side refused),
paging, If-Modified-Since, summarizeErrors=false, and every raw response
checked against xero_accounting.yaml."""

from __future__ import annotations

import datetime
import json
import time
import uuid
from decimal import Decimal

import pytest

from sandbox_support import ZERO_GUID, money, new_contact as shared_new_contact, Session, xero_sandbox

CLIENT_ID, SECRET = "banking-client", "banking-secret"
DAY = datetime.date(2030, 1, 10)
DUE = datetime.date(2030, 1, 31)


@pytest.fixture(scope="module")
def sandbox():
    with xero_sandbox(CLIENT_ID, SECRET, "--xero-limit-minute", "100000", "--xero-limit-day", "100000") as (base, _):
        yield base


@pytest.fixture(scope="module")
def session(sandbox):
    return Session(sandbox, CLIENT_ID, SECRET)


def new_contact(session) -> str:
    return shared_new_contact(session, "Bank Contact")


def line(amount, code="200", **extra):
    from xero_python.accounting import LineItem
    return LineItem(description="Deposit", quantity=1, unit_amount=amount, account_code=code, **extra)


def transaction(contact_id, type_, lines, bank="090", **extra):
    from xero_python.accounting import Account, BankTransaction, Contact, LineAmountTypes
    return BankTransaction(type=type_, contact=Contact(contact_id=contact_id), bank_account=Account(code=bank), line_items=lines,
                           line_amount_types=extra.pop("line_amount_types", LineAmountTypes.EXCLUSIVE), date=DAY, **extra)


def create(session, *transactions, **options):
    from xero_python.accounting import BankTransactions
    return session.api.create_bank_transactions(session.tenant, BankTransactions(bank_transactions=list(transactions)), **options).bank_transactions


def change(session, made, **fields):
    """POST /BankTransactions/{id}. The SDK's model insists on Type, BankAccount and
    LineItems (the spec's required list), so an update sends them back."""
    from xero_python.accounting import Account, BankTransaction, BankTransactions
    fields.setdefault("line_items", made.line_items)
    body = BankTransactions(bank_transactions=[BankTransaction(type=made.type, bank_account=Account(code=made.bank_account.code), **fields)])
    return session.api.update_bank_transaction(session.tenant, made.bank_transaction_id, body).bank_transactions


def invoice(session, contact_id, type_="ACCREC", amount=100):
    from xero_python.accounting import Contact, Invoice, Invoices
    [made] = session.api.create_invoices(session.tenant, Invoices(invoices=[Invoice(
        type=type_, contact=Contact(contact_id=contact_id), line_items=[line(amount, "200" if type_ == "ACCREC" else "429")],
        status="AUTHORISED", due_date=DUE, date=DAY)])).invoices
    return made


def allocation(invoice_id, amount):
    from xero_python.accounting import Allocation, Allocations, Invoice
    return Allocations(allocations=[Allocation(invoice=Invoice(invoice_id=invoice_id), amount=amount, date=DAY)])


def second_tick() -> datetime.datetime:
    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    time.sleep(1.1)
    return before


# --------------------------------------------------------------------------- spend and receive money

def test_receive_and_spend_money_totals_update_and_delete(session):
    from xero_python.accounting import LineAmountTypes

    contact_id = new_contact(session)
    [received] = create(session, transaction(contact_id, "RECEIVE", [line(100), line(3.33)], reference="R-1"))
    assert received.type == "RECEIVE" and received.status == "AUTHORISED" and received.is_reconciled is False
    assert money(received.sub_total) == Decimal("103.33") and money(received.total_tax) == Decimal("15.50")
    assert money(received.total) == Decimal("118.83") and received.bank_account.code == "090"
    assert received.date == DAY and isinstance(received.updated_date_utc, datetime.datetime)
    assert received.prepayment_id is None and received.overpayment_id is None
    assert [l.tax_type for l in received.line_items] == ["OUTPUT2", "OUTPUT2"]

    [spent] = create(session, transaction(contact_id, "SPEND", [line(115, "429")], line_amount_types=LineAmountTypes.INCLUSIVE))
    assert money(spent.total_tax) == Decimal("15.00") and money(spent.sub_total) == Decimal("100.00") and money(spent.total) == Decimal("115.00")

    # An update keeps the line sent back with its id and recomputes the totals.
    kept = received.line_items[0]
    kept.quantity = 2
    [updated] = change(session, received, line_items=[kept], reference="R-2")
    assert updated.reference == "R-2" and [l.line_item_id for l in updated.line_items] == [kept.line_item_id]
    assert money(updated.total) == Decimal("230.00") and updated.updated_date_utc >= received.updated_date_utc

    for path in ("/BankTransactions", f"/BankTransactions/{spent.bank_transaction_id}", "/BankTransactions?page=1"):
        assert session.checked("GET", path)[0] == 200, path
    status, _, data = session.checked("POST", f"/BankTransactions/{spent.bank_transaction_id}", {"BankTransactions": [{"Reference": "raw"}]})
    assert status == 200 and json.loads(data)["BankTransactions"][0]["Reference"] == "raw"

    [deleted] = change(session, spent, status="DELETED")
    assert deleted.status == "DELETED"
    [fetched] = session.api.get_bank_transaction(session.tenant, spent.bank_transaction_id).bank_transactions
    assert fetched.status == "DELETED"
    status, _, _ = session.checked("POST", f"/BankTransactions/{spent.bank_transaction_id}", {"BankTransactions": [{"Reference": "too late"}]})
    assert status == 400
    assert session.raw("GET", f"/BankTransactions/{uuid.uuid4()}")[0] == 404


def test_reconciled_transaction_cannot_change(session):
    from xero_python.exceptions import AccountingBadRequestException

    contact_id = new_contact(session)
    [made] = create(session, transaction(contact_id, "SPEND", [line(10, "429")], is_reconciled=True))
    assert made.is_reconciled is True
    for fields in ({"reference": "edit"}, {"status": "DELETED"}):
        with pytest.raises(AccountingBadRequestException) as info:
            change(session, made, **fields)
        assert "reconciled" in info.value.reason
    # Unreconciling is a change of IsReconciled alone, which is allowed; then edits are too.
    [unreconciled] = change(session, made, is_reconciled=False)
    assert unreconciled.is_reconciled is False and change(session, made, reference="edit")[0].reference == "edit"


def test_bank_transaction_validation_errors(session):
    from xero_python.exceptions import AccountingBadRequestException

    contact_id = new_contact(session)
    with pytest.raises(AccountingBadRequestException) as info:
        create(session, transaction(contact_id, "RECEIVE", [line(10)], bank="200"))
    assert info.value.error_data["Type"] == "ValidationException" and "bank account" in info.value.reason

    # summarizeErrors=false: 200, each element with its status; the failed one echoes a zero id.
    result = create(session, transaction(contact_id, "RECEIVE", [line(10)]), transaction(contact_id, "SPEND", [line(10, "999")]),
                    summarize_errors=False)
    assert [t.status_attribute_string for t in result] == ["OK", "ERROR"]
    assert str(result[1].bank_transaction_id) == ZERO_GUID and "999" in result[1].validation_errors[0].message

    bad_bodies = [
        {"Type": "RECEIVE", "Contact": {"ContactID": contact_id}, "LineItems": [{"Description": "x", "UnitAmount": 1, "AccountCode": "200"}]},
        {"Type": "RECEIVE", "Contact": {"ContactID": contact_id}, "BankAccount": {"Code": "090"}, "LineItems": []},
        {"Type": "RECEIVE-TRANSFER", "Contact": {"ContactID": contact_id}, "BankAccount": {"Code": "090"},
         "LineItems": [{"Description": "x", "UnitAmount": 1, "AccountCode": "200"}]},
        {"Type": "RECEIVE", "Contact": {"ContactID": str(uuid.uuid4())}, "BankAccount": {"Code": "090"},
         "LineItems": [{"Description": "x", "UnitAmount": 1, "AccountCode": "200"}]},
        {"Type": "SPEND", "Contact": {"ContactID": contact_id}, "BankAccount": {"Code": "090"},
         "LineItems": [{"Description": "to receivables", "UnitAmount": 1, "AccountCode": "610"}]},
    ]
    for body in bad_bodies:
        status, _, data = session.checked("PUT", "/BankTransactions", {"BankTransactions": [body]})
        error = json.loads(data)
        assert status == 400 and error["Type"] == "ValidationException", body
        assert error["Elements"][0]["ValidationErrors"][0]["Message"], body
    # A status a new transaction cannot have.
    status, _, data = session.checked("PUT", "/BankTransactions?summarizeErrors=false", {"BankTransactions": [dict(bad_bodies[0], Status="VOIDED",
                                                                                                                      BankAccount={"Code": "090"})]})
    assert status == 200 and json.loads(data)["BankTransactions"][0]["StatusAttributeString"] == "ERROR"


def test_bank_transaction_paging_filters_and_if_modified_since(session):
    contact_id = new_contact(session)
    before = second_tick()
    tag = uuid.uuid4().hex[:6]
    made = create(session, *[transaction(contact_id, "RECEIVE", [line(i + 1)], reference=f"{tag}-{i}") for i in range(3)])
    recent = session.api.get_bank_transactions(session.tenant, if_modified_since=before).bank_transactions
    assert {t.bank_transaction_id for t in made} == {t.bank_transaction_id for t in recent}
    page = session.api.get_bank_transactions(session.tenant, if_modified_since=before, page=2, page_size=2, order="Total DESC")
    assert page.pagination.item_count == 3 and page.pagination.page_count == 2 and page.pagination.page == 2
    assert [money(t.total) for t in page.bank_transactions] == [Decimal("1.15")] and page.bank_transactions[0].line_items
    unpaged = session.api.get_bank_transactions(session.tenant, if_modified_since=before).bank_transactions
    assert all(t.line_items == [] for t in unpaged), "an unpaged list leaves line items out"
    where = session.api.get_bank_transactions(session.tenant, where=f'Reference=="{tag}-1"').bank_transactions
    assert [t.bank_transaction_id for t in where] == [made[1].bank_transaction_id]
    assert len(session.api.get_bank_transactions(session.tenant, references=[f"{tag}-0", f"{tag}-2"]).bank_transactions) == 2
    stamp = before.strftime("%a, %d %b %Y %H:%M:%S GMT")
    status, _, data = session.checked("GET", "/BankTransactions?page=1", headers={"If-Modified-Since": stamp})
    assert status == 200 and json.loads(data)["pagination"]["itemCount"] == 3


# --------------------------------------------------------------------------- prepayments

def test_prepayment_allocations(session):
    from xero_python.exceptions import AccountingBadRequestException

    contact_id, stranger = new_contact(session), new_contact(session)
    [made] = create(session, transaction(contact_id, "RECEIVE-PREPAYMENT", [line(100)]))
    assert made.type == "RECEIVE-PREPAYMENT" and made.prepayment_id and made.overpayment_id is None
    [prepayment] = session.api.get_prepayment(session.tenant, made.prepayment_id).prepayments
    assert prepayment.type == "RECEIVE-PREPAYMENT" and prepayment.status == "AUTHORISED" and prepayment.contact.contact_id == contact_id
    assert money(prepayment.total) == Decimal("115.00") and money(prepayment.remaining_credit) == Decimal("115.00")
    assert money(prepayment.total_tax) == Decimal("15.00") and prepayment.date == DAY and prepayment.line_items

    sale = invoice(session, contact_id)  # 115.00 due
    refusals = [
        (made.prepayment_id, allocation(sale.invoice_id, 200), "exceeds"),
        (made.prepayment_id, allocation(invoice(session, stranger).invoice_id, 10), "same contact"),
        (made.prepayment_id, allocation(invoice(session, contact_id, "ACCPAY").invoice_id, 10), "ACCREC"),
        (made.prepayment_id, allocation(sale.invoice_id, 0), "greater than zero"),
    ]
    for prepayment_id, body, expected in refusals:
        with pytest.raises(AccountingBadRequestException) as info:
            session.api.create_prepayment_allocations(session.tenant, prepayment_id, body)
        assert expected in info.value.reason and info.value.error_data["Type"] == "ValidationException"

    [first] = session.api.create_prepayment_allocations(session.tenant, made.prepayment_id, allocation(sale.invoice_id, 50)).allocations
    assert money(first.amount) == Decimal("50.00") and first.allocation_id and first.prepayment.prepayment_id == made.prepayment_id
    [partly] = session.api.get_invoice(session.tenant, sale.invoice_id).invoices
    assert partly.status == "AUTHORISED" and money(partly.amount_due) == Decimal("65.00") and money(partly.amount_credited) == Decimal("50.00")
    assert [p.prepayment_id for p in partly.prepayments] == [made.prepayment_id] and money(partly.prepayments[0].applied_amount) == Decimal("50.00")
    # 65.00 of credit is left: 100 is refused even where 230.00 is due.
    with pytest.raises(AccountingBadRequestException) as info:
        session.api.create_prepayment_allocations(session.tenant, made.prepayment_id, allocation(invoice(session, contact_id, amount=200).invoice_id, 100))
    assert info.value.reason == "The amount allocated exceeds the remaining credit on the prepayment."

    status, _, data = session.checked("PUT", f"/Prepayments/{made.prepayment_id}/Allocations",
                                      {"Allocations": [{"Invoice": {"InvoiceID": str(sale.invoice_id)}, "Amount": 65, "Date": "2030-01-11"}]})
    assert status == 200
    second = json.loads(data)["Allocations"][0]
    [spent] = session.api.get_prepayment(session.tenant, made.prepayment_id).prepayments
    assert spent.status == "PAID" and money(spent.remaining_credit) == 0 and len(spent.allocations) == 2
    [paid] = session.api.get_invoice(session.tenant, sale.invoice_id).invoices
    assert paid.status == "PAID" and money(paid.amount_due) == 0 and paid.fully_paid_on_date == datetime.date(2030, 1, 11)
    with pytest.raises(AccountingBadRequestException) as info:
        session.api.create_prepayment_allocations(session.tenant, made.prepayment_id, allocation(invoice(session, contact_id).invoice_id, 1))
    assert "remaining credit" in info.value.reason

    # The bank transaction stays while its prepayment is allocated.
    with pytest.raises(AccountingBadRequestException) as info:
        change(session, made, status="DELETED")
    assert "allocat" in info.value.reason

    status, _, data = session.checked("DELETE", f"/Prepayments/{made.prepayment_id}/Allocations/{second['AllocationID']}")
    assert status == 200 and json.loads(data)["IsDeleted"] is True
    [reopened] = session.api.get_invoice(session.tenant, sale.invoice_id).invoices
    assert reopened.status == "AUTHORISED" and money(reopened.amount_due) == Decimal("65.00")
    [back] = session.api.get_prepayment(session.tenant, made.prepayment_id).prepayments
    assert back.status == "AUTHORISED" and money(back.remaining_credit) == Decimal("65.00")
    deleted = session.api.delete_prepayment_allocations(session.tenant, made.prepayment_id, first.allocation_id)
    assert deleted.is_deleted is True
    assert session.raw("DELETE", f"/Prepayments/{made.prepayment_id}/Allocations/{first.allocation_id}")[0] == 404

    for path in ("/Prepayments", "/Prepayments?page=1", f"/Prepayments/{made.prepayment_id}", f"/Invoices/{sale.invoice_id}",
                 f"/BankTransactions/{made.bank_transaction_id}"):
        assert session.checked("GET", path)[0] == 200, path
    # With no allocations left the transaction can go, and its prepayment is voided.
    change(session, made, status="DELETED")
    [voided] = session.api.get_prepayment(session.tenant, made.prepayment_id).prepayments
    assert voided.status == "VOIDED"
    assert session.raw("GET", f"/Prepayments/{uuid.uuid4()}")[0] == 404


def test_prepayment_lists(session):
    contact_id = new_contact(session)
    before = second_tick()
    made = create(session, *[transaction(contact_id, "SPEND-PREPAYMENT", [line(10 * (i + 1), "429")]) for i in range(3)])
    listed = session.api.get_prepayments(session.tenant, if_modified_since=before, page=1, page_size=2, order="Total DESC")
    assert listed.pagination.item_count == 3 and [money(p.total) for p in listed.prepayments] == [Decimal("34.50"), Decimal("23.00")]
    assert all(p.type == "SPEND-PREPAYMENT" for p in listed.prepayments)
    where = session.api.get_prepayments(session.tenant, where=f'Contact.ContactID==Guid("{contact_id}")').prepayments
    assert {p.prepayment_id for p in where} == {t.prepayment_id for t in made}
    # A supplier's prepayment pays a bill, not a sales invoice.
    from xero_python.exceptions import AccountingBadRequestException
    with pytest.raises(AccountingBadRequestException) as info:
        session.api.create_prepayment_allocations(session.tenant, made[0].prepayment_id, allocation(invoice(session, contact_id).invoice_id, 1))
    assert "ACCPAY" in info.value.reason
    bill = invoice(session, contact_id, "ACCPAY", amount=10)
    session.api.create_prepayment_allocations(session.tenant, made[0].prepayment_id, allocation(bill.invoice_id, 11.5))
    [settled] = session.api.get_invoice(session.tenant, bill.invoice_id).invoices
    assert settled.status == "PAID"


# --------------------------------------------------------------------------- overpayments

def test_overpayment_allocations(session):
    from xero_python.accounting import LineAmountTypes
    from xero_python.exceptions import AccountingBadRequestException

    contact_id = new_contact(session)
    before = second_tick()
    # An overpayment is coded to Accounts Payable (a supplier's) or Receivable (a customer's), without tax.
    with pytest.raises(AccountingBadRequestException) as info:
        create(session, transaction(contact_id, "SPEND-OVERPAYMENT", [line(50, "429")], line_amount_types=LineAmountTypes.NOTAX))
    assert "Accounts Payable" in info.value.reason
    [made] = create(session, transaction(contact_id, "SPEND-OVERPAYMENT", [line(50, "800")], line_amount_types=LineAmountTypes.NOTAX,
                                         reference="Overpaid bill"))
    assert made.overpayment_id and made.prepayment_id is None and money(made.total) == Decimal("50.00")
    [overpayment] = session.api.get_overpayment(session.tenant, made.overpayment_id).overpayments
    assert overpayment.type == "SPEND-OVERPAYMENT" and overpayment.status == "AUTHORISED" and overpayment.reference == "Overpaid bill"
    assert money(overpayment.remaining_credit) == Decimal("50.00") and money(overpayment.total_tax) == 0

    bill = invoice(session, contact_id, "ACCPAY", amount=20)  # 23.00 due
    with pytest.raises(AccountingBadRequestException) as info:
        session.api.create_overpayment_allocations(session.tenant, made.overpayment_id, allocation(bill.invoice_id, 30))
    assert "amount due" in info.value.reason
    [allocated] = session.api.create_overpayment_allocations(session.tenant, made.overpayment_id, allocation(bill.invoice_id, 23)).allocations
    assert allocated.overpayment.overpayment_id == made.overpayment_id
    [paid] = session.api.get_invoice(session.tenant, bill.invoice_id).invoices
    assert paid.status == "PAID" and [o.overpayment_id for o in paid.overpayments] == [made.overpayment_id]
    [left] = session.api.get_overpayment(session.tenant, made.overpayment_id).overpayments
    assert left.status == "AUTHORISED" and money(left.remaining_credit) == Decimal("27.00")
    assert [money(a.amount) for a in left.allocations] == [Decimal("23.00")] and left.allocations[0].invoice.invoice_id == bill.invoice_id

    listed = session.api.get_overpayments(session.tenant, if_modified_since=before, page=1).overpayments
    assert [o.overpayment_id for o in listed] == [made.overpayment_id]
    assert session.api.get_overpayments(session.tenant, references=["Overpaid bill"]).overpayments[0].overpayment_id == made.overpayment_id
    assert session.api.get_overpayments(session.tenant, where='Status=="PAID"', if_modified_since=before).overpayments == []
    for path in ("/Overpayments", "/Overpayments?page=1", f"/Overpayments/{made.overpayment_id}", f"/Invoices/{bill.invoice_id}"):
        assert session.checked("GET", path)[0] == 200, path
    status, _, data = session.checked("DELETE", f"/Overpayments/{made.overpayment_id}/Allocations/{allocated.allocation_id}")
    assert status == 200 and json.loads(data)["IsDeleted"] is True
    [reopened] = session.api.get_invoice(session.tenant, bill.invoice_id).invoices
    assert reopened.status == "AUTHORISED" and reopened.overpayments == []

    # A customer's overpayment cannot pay a bill.
    [customer] = create(session, transaction(contact_id, "RECEIVE-OVERPAYMENT", [line(5, "610")], line_amount_types=LineAmountTypes.NOTAX))
    status, _, data = session.checked("PUT", f"/Overpayments/{customer.overpayment_id}/Allocations",
                                      {"Allocations": [{"Invoice": {"InvoiceID": str(bill.invoice_id)}, "Amount": 1, "Date": "2030-01-12"}]})
    assert status == 400 and "ACCREC" in json.loads(data)["Elements"][0]["ValidationErrors"][0]["Message"]
    status, _, data = session.checked("PUT", f"/Overpayments/{customer.overpayment_id}/Allocations?summarizeErrors=false",
                                      {"Allocations": [{"Invoice": {"InvoiceID": str(bill.invoice_id)}, "Amount": 1, "Date": "2030-01-12"}]})
    assert status == 200 and json.loads(data)["Allocations"][0]["StatusAttributeString"] == "ERROR"


def test_a_payment_above_the_amount_due_makes_no_overpayment(session):
    """Xero's API refuses a payment larger than what is due (the spec's Payment.Amount);
    overpayments come only from bank transactions."""
    from xero_python.accounting import Account, Invoice, Payment, Payments
    from xero_python.exceptions import AccountingBadRequestException

    contact_id = new_contact(session)
    sale = invoice(session, contact_id)
    count = len(session.api.get_overpayments(session.tenant).overpayments)
    with pytest.raises(AccountingBadRequestException):
        session.api.create_payments(session.tenant, Payments(payments=[Payment(
            invoice=Invoice(invoice_id=sale.invoice_id), account=Account(code="090"), amount=200, date=DAY)]))
    assert len(session.api.get_overpayments(session.tenant).overpayments) == count
