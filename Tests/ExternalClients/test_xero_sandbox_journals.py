"""The Xero sandbox's manual journals through the official xero-python SDK:
drafts and posting, the balance a posted journal needs, accounts a journal may
not touch (bank, inventory, receivables), tax on tax-exclusive journals,
tracking, the status moves (delete a draft, void a posted journal), paging,
If-Modified-Since, summarizeErrors=false, and every raw response checked
against xero_accounting.yaml."""

from __future__ import annotations

import datetime
import json
import time
import uuid
from decimal import Decimal

import pytest

from sandbox_support import ZERO_GUID, money, Session, xero_sandbox

CLIENT_ID, SECRET = "journals-client", "journals-secret"
DAY = datetime.date(2030, 2, 1)


@pytest.fixture(scope="module")
def sandbox():
    with xero_sandbox(CLIENT_ID, SECRET, "--xero-limit-minute", "100000", "--xero-limit-day", "100000") as (base, _):
        yield base


@pytest.fixture(scope="module")
def session(sandbox):
    return Session(sandbox, CLIENT_ID, SECRET)


def journal_line(amount, code, **extra):
    from xero_python.accounting import ManualJournalLine
    return ManualJournalLine(line_amount=amount, account_code=code, description=extra.pop("description", "COGS"), **extra)


def journal(lines, narration="Cost of goods sold", **extra):
    from xero_python.accounting import ManualJournal
    return ManualJournal(narration=narration, journal_lines=lines, date=extra.pop("date", DAY), **extra)


def create(session, *journals, **options):
    from xero_python.accounting import ManualJournals
    return session.api.create_manual_journals(session.tenant, ManualJournals(manual_journals=list(journals)), **options).manual_journals


def update(session, journal_id, change):
    from xero_python.accounting import ManualJournals
    return session.api.update_manual_journal(session.tenant, journal_id, ManualJournals(manual_journals=[change])).manual_journals


def second_tick() -> datetime.datetime:
    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    time.sleep(1.1)
    return before


def test_draft_then_posted_with_tracking(session):
    from xero_python.accounting import ManualJournal, TrackingCategory, TrackingOption

    [region] = session.api.create_tracking_category(session.tenant, TrackingCategory(name="Warehouse")).tracking_categories
    [north] = session.api.create_tracking_options(session.tenant, region.tracking_category_id, TrackingOption(name="North")).options

    # A draft may be unbalanced, and keeps its lines' accounts, tax and tracking.
    [draft] = create(session, journal([journal_line(100, "310", tracking=[TrackingCategory(name="Warehouse", option="North")]),
                                       journal_line(-90, "850")]))
    assert draft.status == "DRAFT" and draft.narration == "Cost of goods sold" and draft.date == DAY
    assert draft.line_amount_types.value == "NoTax" and draft.show_on_cash_basis_reports is True
    assert isinstance(draft.updated_date_utc, datetime.datetime)
    first = draft.journal_lines[0]
    assert money(first.line_amount) == Decimal("100.00") and first.tax_type == "NONE" and money(first.tax_amount) == 0 and first.account_id
    assert first.tracking[0].tracking_option_id == north.tracking_option_id and first.tracking[0].option == "North"
    assert money(draft.journal_lines[1].line_amount) == Decimal("-90.00")

    # Posting it unbalanced is refused with Xero's message; balanced, it posts.
    from xero_python.exceptions import AccountingBadRequestException
    with pytest.raises(AccountingBadRequestException) as info:
        update(session, draft.manual_journal_id, ManualJournal(narration="Cost of goods sold", status="POSTED"))
    assert info.value.reason == "The total debits (100.00) must equal total credits (-90.00)"
    [posted] = update(session, draft.manual_journal_id, ManualJournal(narration="COGS January", status="POSTED", journal_lines=[
        journal_line(100, "310"), journal_line(-100, "850")]))
    assert posted.status == "POSTED" and posted.narration == "COGS January" and posted.manual_journal_id == draft.manual_journal_id
    assert [money(l.line_amount) for l in posted.journal_lines] == [Decimal("100.00"), Decimal("-100.00")]

    for path in ("/ManualJournals", "/ManualJournals?page=1", f"/ManualJournals/{draft.manual_journal_id}"):
        assert session.checked("GET", path)[0] == 200, path
    # The spec's own update example: only the narration, JournalLines empty.
    status, _, data = session.checked("POST", f"/ManualJournals/{draft.manual_journal_id}",
                                      {"ManualJournals": [{"Narration": "COGS January", "JournalLines": []}]})
    assert status == 200 and len(json.loads(data)["ManualJournals"][0]["JournalLines"]) == 2
    assert session.raw("GET", f"/ManualJournals/{uuid.uuid4()}")[0] == 404


def test_tax_exclusive_journal_balances_with_its_tax(session):
    from xero_python.accounting import LineAmountTypes
    from xero_python.exceptions import AccountingBadRequestException

    # 100 of expenses plus 15 GST against 115 from suspense: the gross amounts net to zero.
    [posted] = create(session, journal([journal_line(100, "429"), journal_line(-115, "850")], status="POSTED",
                                       line_amount_types=LineAmountTypes.EXCLUSIVE))
    assert posted.status == "POSTED" and posted.journal_lines[0].tax_type == "INPUT2"
    assert money(posted.journal_lines[0].tax_amount) == Decimal("15.00") and money(posted.journal_lines[1].tax_amount) == 0
    with pytest.raises(AccountingBadRequestException) as info:
        create(session, journal([journal_line(100, "429"), journal_line(-100, "850")], status="POSTED",
                                line_amount_types=LineAmountTypes.EXCLUSIVE))
    assert info.value.reason == "The total debits (115.00) must equal total credits (-100.00)"


@pytest.mark.parametrize("code, words", [("630", "inventory"), ("090", "bank account"), ("610", "system account"),
                                         ("999", "not a valid code")])
def test_accounts_a_journal_cannot_post_to(session, code, words):
    from xero_python.exceptions import AccountingBadRequestException

    for status in ("DRAFT", "POSTED"):
        with pytest.raises(AccountingBadRequestException) as info:
            create(session, journal([journal_line(40, code), journal_line(-40, "850")], status=status))
        assert info.value.status == 400 and info.value.error_data["Type"] == "ValidationException"
        assert words in info.value.reason and code in info.value.reason


def test_status_moves(session):
    from xero_python.accounting import ManualJournal
    from xero_python.exceptions import AccountingBadRequestException

    balanced = [journal_line(25, "310"), journal_line(-25, "850")]
    [draft] = create(session, journal(balanced))
    [posted] = create(session, journal(balanced, status="POSTED"))
    refusals = [
        (draft.manual_journal_id, ManualJournal(narration="x", status="VOIDED"), "delete it instead"),
        (posted.manual_journal_id, ManualJournal(narration="x", status="DELETED"), "void it instead"),
        (posted.manual_journal_id, ManualJournal(narration="x", status="DRAFT"), "cannot return"),
        (posted.manual_journal_id, ManualJournal(narration="Edited after posting"), "cannot be edited"),
        (posted.manual_journal_id, ManualJournal(narration="x", status="ARCHIVED"), "repeating"),
    ]
    for journal_id, change, words in refusals:
        with pytest.raises(AccountingBadRequestException) as info:
            update(session, journal_id, change)
        assert words in info.value.reason, (change, info.value.reason)

    [deleted] = update(session, draft.manual_journal_id, ManualJournal(narration="x", status="DELETED"))
    [voided] = update(session, posted.manual_journal_id, ManualJournal(narration="x", status="VOIDED"))
    assert deleted.status == "DELETED" and voided.status == "VOIDED" and voided.narration == posted.narration
    for journal_id in (draft.manual_journal_id, posted.manual_journal_id):
        with pytest.raises(AccountingBadRequestException) as info:
            update(session, journal_id, ManualJournal(narration="revived", status="POSTED"))
        assert "cannot" in info.value.reason
    listed = {j.manual_journal_id: j.status for j in session.api.get_manual_journals(session.tenant, where='Status=="VOIDED"').manual_journals}
    assert listed.get(posted.manual_journal_id) == "VOIDED" and draft.manual_journal_id not in listed


def test_validation_errors_and_summarize_errors(session):
    from xero_python.exceptions import AccountingBadRequestException

    for body, words in [
        ({"JournalLines": [{"LineAmount": 1, "AccountCode": "310"}, {"LineAmount": -1, "AccountCode": "850"}]}, "Narration"),
        ({"Narration": "one line", "JournalLines": [{"LineAmount": 1, "AccountCode": "310"}]}, "two journal lines"),
        ({"Narration": "no amount", "JournalLines": [{"AccountCode": "310"}, {"LineAmount": -1, "AccountCode": "850"}]}, "LineAmount"),
        ({"Narration": "bad tax", "JournalLines": [{"LineAmount": 1, "AccountCode": "310", "TaxType": "NOPE"},
                                                   {"LineAmount": -1, "AccountCode": "850"}]}, "NOPE"),
        ({"Narration": "bad tracking", "JournalLines": [{"LineAmount": 1, "AccountCode": "310", "Tracking": [{"Name": "Nowhere", "Option": "X"}]},
                                                        {"LineAmount": -1, "AccountCode": "850"}]}, "Nowhere"),
    ]:
        status, _, data = session.checked("PUT", "/ManualJournals", {"ManualJournals": [body]})
        error = json.loads(data)
        assert status == 400 and error["Type"] == "ValidationException", body
        assert any(words in e["Message"] for e in error["Elements"][0]["ValidationErrors"]), (body, error)

    result = create(session, journal([journal_line(5, "310"), journal_line(-5, "850")], status="POSTED"),
                    journal([journal_line(5, "310"), journal_line(-4, "850")], status="POSTED"), summarize_errors=False)
    assert [j.status_attribute_string for j in result] == ["OK", "ERROR"]
    assert str(result[1].manual_journal_id) == ZERO_GUID and "must equal total credits" in result[1].validation_errors[0].message
    with pytest.raises(AccountingBadRequestException):
        create(session, journal([journal_line(5, "310"), journal_line(-4, "850")], status="POSTED"))


def test_paging_and_if_modified_since(session):
    from xero_python.accounting import ManualJournals

    before = second_tick()
    tag = uuid.uuid4().hex[:6]
    made = create(session, *[journal([journal_line(i + 1, "310"), journal_line(-(i + 1), "850")], narration=f"{tag} {i}") for i in range(3)])
    recent = session.api.get_manual_journals(session.tenant, if_modified_since=before).manual_journals
    assert {j.manual_journal_id for j in recent} == {j.manual_journal_id for j in made}
    assert all(j.journal_lines == [] for j in recent), "an unpaged list leaves the lines out"
    page = session.api.get_manual_journals(session.tenant, if_modified_since=before, page=1, page_size=2, order="Narration DESC")
    assert page.pagination.item_count == 3 and page.pagination.page_count == 2
    assert [j.narration for j in page.manual_journals] == [f"{tag} 2", f"{tag} 1"] and all(len(j.journal_lines) == 2 for j in page.manual_journals)
    where = session.api.get_manual_journals(session.tenant, where=f'Narration=="{tag} 0"').manual_journals
    assert [j.manual_journal_id for j in where] == [made[0].manual_journal_id]
    stamp = before.strftime("%a, %d %b %Y %H:%M:%S GMT")
    status, _, data = session.checked("GET", "/ManualJournals?page=1", headers={"If-Modified-Since": stamp})
    assert status == 200 and json.loads(data)["pagination"]["itemCount"] == 3
    # POST creates when the element names no journal, and is idempotent under a key.
    key = "mj-" + uuid.uuid4().hex
    body = ManualJournals(manual_journals=[journal([journal_line(9, "310"), journal_line(-9, "850")], narration=f"{tag} posted")])
    first = session.api.update_or_create_manual_journals(session.tenant, body, idempotency_key=key).manual_journals
    again = session.api.update_or_create_manual_journals(session.tenant, body, idempotency_key=key).manual_journals
    assert first[0].manual_journal_id == again[0].manual_journal_id
    assert len(session.api.get_manual_journals(session.tenant, where=f'Narration=="{tag} posted"').manual_journals) == 1
