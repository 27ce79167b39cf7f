"""Cin7 Core purchases through `ledgerbridge sandbox`: an advanced purchase taken
from order to partial receipts, invoice, payments and credit note, the list with
its filters, the Stock First / Invoice First rules, the stock it moves and the
postings it makes. 200s are validated against openapi.yaml; errors against the
Error Model."""

from __future__ import annotations

import signal
import time
import uuid
from decimal import Decimal

import pytest

from cin7_support import Cin7, start

DAY = "2025-03-05T00:00:00"
EMPTY = "00000000-0000-0000-0000-000000000000"


@pytest.fixture(scope="module")
def cin7():
    process, base = start("--cin7-limit-minute", "100000")
    with process:
        yield Cin7(base)
        assert process.stop(signal.SIGTERM, 10) == 0


def stock(cin7, sku, location="Main Warehouse"):
    """(OnHand, OnOrder, StockOnHand) of a product at a location."""
    rows = cin7.checked("GET", "ref/productavailability", query=f"Sku={sku}&Location={location}")["ProductAvailabilityList"]
    return tuple(sum(Decimal(str(r[k])) for r in rows) for k in ("OnHand", "OnOrder", "StockOnHand"))


def new_purchase(cin7, approach="STOCK", **extra):
    body = {"Supplier": "Koala Components Pty Ltd", "Approach": approach, "Location": "Main Warehouse", **extra}
    return cin7.checked("POST", "advanced-purchase", body)


def ordered(cin7, approach, lines, **extra):
    purchase = new_purchase(cin7, approach, **extra)
    cin7.checked("POST", "purchase/order", {"TaskID": purchase["ID"], "Status": "AUTHORISED", "Lines": lines})
    return purchase


def get(cin7, purchase_id):
    return cin7.checked("GET", "advanced-purchase", query=f"ID={purchase_id}")


def test_stock_first_purchase_partial_receipts_invoice_and_payments(cin7):
    before = stock(cin7, "WID-002")
    purchase = new_purchase(cin7, RequiredBy="2025-03-20")
    assert purchase["Status"] == "DRAFT" and purchase["OrderNumber"].startswith("PO-") and purchase["Type"] == "Advanced Purchase"
    assert purchase["TaxRule"] == "GST on Expenses" and purchase["Terms"] == "30 days" and purchase["CombinedReceivingStatus"] == "NOT AVAILABLE"
    pid = purchase["ID"]
    order = cin7.checked("POST", "purchase/order", {"TaskID": pid, "Status": "AUTHORISED",
                                                    "Lines": [{"SKU": "WID-002", "Quantity": 10, "Price": 8, "Total": 80}]})
    assert (order["TotalBeforeTax"], order["Tax"], order["Total"]) == (80, 8, 88) and order["TaskID"] == pid
    assert stock(cin7, "WID-002")[:2] == (before[0], before[1] + 10), "an authorised order puts stock on order"
    assert get(cin7, pid)["Status"] == "ORDERED"
    assert "Stock First" in cin7.failed("POST", "advanced-purchase/invoice", {"PurchaseID": pid, "Invoices": [{"Status": "DRAFT"}]})[0]

    first = cin7.checked("POST", "advanced-purchase/stock", {"PurchaseID": pid, "TaskID": EMPTY, "Status": "AUTHORISED",
                                                             "Lines": [{"SKU": "WID-002", "Quantity": 4, "Date": "2025-03-03"}]})
    assert len(first["StockReceiving"]) == 1 and first["StockReceiving"][0]["Status"] == "AUTHORISED"
    on_hand, on_order, value = stock(cin7, "WID-002")
    assert (on_hand, on_order) == (before[0] + 4, before[1] + 6), "a receipt moves stock from on order to on hand"
    assert value - before[2] == pytest.approx(Decimal(32), abs=Decimal("0.05")), "received at the order's net price, 4 × 8.00"
    got = get(cin7, pid)
    assert got["Status"] == "RECEIVING" and got["CombinedReceivingStatus"] == "PARTIALLY RECEIVED"
    assert got["InventoryMovements"][0]["COGS"] == 32 and got["InventoryMovements"][0]["ProductCustomField1"] == ""

    messages = cin7.failed("POST", "advanced-purchase/stock", {"PurchaseID": pid, "Status": "AUTHORISED", "Lines": [{"SKU": "WID-002", "Quantity": 7}]})
    assert any("Cannot receive 7" in m for m in messages), "no receiving past what was ordered"
    draft = cin7.checked("POST", "advanced-purchase/stock", {"PurchaseID": pid, "Status": "DRAFT", "Lines": [{"SKU": "WID-002", "Quantity": 6}]})
    task = draft["StockReceiving"][1]["TaskID"]
    assert stock(cin7, "WID-002")[0] == before[0] + 4, "a DRAFT receipt moves nothing"
    # Authorising with no lines in the body (apib:16731).
    cin7.checked("POST", "advanced-purchase/stock", {"PurchaseID": pid, "TaskID": task, "Status": "AUTHORISED"})
    assert stock(cin7, "WID-002")[:2] == (before[0] + 10, before[1])
    got = get(cin7, pid)
    assert got["Status"] == "RECEIVED" and got["CombinedReceivingStatus"] == "FULLY RECEIVED"
    assert "only a DRAFT receipt" in cin7.failed("PUT", "advanced-purchase/stock", {"PurchaseID": pid, "TaskID": task, "Status": "DRAFT"})[0]

    invoices = cin7.checked("POST", "advanced-purchase/invoice", {"PurchaseID": pid, "Invoices": [
        {"TaskID": EMPTY, "Status": "AUTHORISED", "InvoiceDate": DAY, "InvoiceNumber": "SUP-4411"}]})
    invoice = invoices["Invoices"][0]
    assert invoice["Total"] == 88 and invoice["InvoiceNumber"] == "SUP-4411" and invoice["InvoiceDueDate"] == "2025-04-04T00:00:00"
    got = get(cin7, pid)
    assert got["Status"] == "COMPLETED" and got["CombinedInvoiceStatus"] == "INVOICED" and got["CombinedPaymentStatus"] == "UNPAID"

    payment = cin7.checked("POST", "advanced-purchase/payment", {"TaskID": invoice["TaskID"], "Type": "PAYMENT", "Amount": 50,
                                                                  "DatePaid": DAY, "Account": "090", "Reference": "EFT 9"})
    assert payment["Type"] == "Payment" and payment["PurchaseID"] == pid and payment["Amount"] == 50
    assert get(cin7, pid)["CombinedPaymentStatus"] == "PARTIALLY PAID"
    assert any("exceeds" in m for m in cin7.failed("POST", "advanced-purchase/payment", {"TaskID": invoice["TaskID"], "Type": "PAYMENT",
                                                                                      "Amount": 39, "DatePaid": DAY, "Account": "090"}))
    cin7.checked("POST", "advanced-purchase/payment", {"TaskID": invoice["TaskID"], "Type": "PAYMENT", "Amount": 38, "DatePaid": DAY, "Account": "090"})
    got = get(cin7, pid)
    assert got["CombinedPaymentStatus"] == "PAID" and got["Invoice"][0]["Status"] == "PAID" and got["Invoice"][0]["Paid"] == 88
    assert [p["Amount"] for p in cin7.checked("GET", "advanced-purchase/payment", query=f"PurchaseID={pid}")] == [50, 38]

    row = cin7.checked("GET", "purchaseList", query=f"Search={purchase['OrderNumber']}")["PurchaseList"]
    assert len(row) == 1 and row[0]["InvoiceAmount"] == 88 and row[0]["PaidAmount"] == 88 and row[0]["InvoiceStatus"] == "PAID"
    assert row[0]["StockReceivedStatus"] == "AUTHORISED" and row[0]["InvoiceNumber"] == "SUP-4411" and row[0]["Status"] == "COMPLETED"

    postings = [t for t in cin7.checked("GET", "transactions", query="Account=800&Limit=1000")["Transactions"]
                if t["TaskID"] == invoice["TaskID"]]
    assert {(t["DebitAccountCode"], t["CreditAccountCode"], t["Amount"]) for t in postings} == {
        ("630", "800", 80), ("820", "800", 8), ("800", "090", 50), ("800", "090", 38)}, "the bill debits inventory and GST, payments clear it"
    assert all(t["Type"] == "Purchase" for t in postings)


def test_invoice_first_credit_note_unstock_and_refund(cin7):
    before = stock(cin7, "GB3-WHITE")
    purchase = ordered(cin7, "INVOICE", [{"SKU": "GB3-WHITE", "Quantity": 5, "Price": 5}])
    pid = purchase["ID"]
    assert "Invoice First" in cin7.failed("POST", "advanced-purchase/stock", {"PurchaseID": pid, "Status": "AUTHORISED",
                                                                            "Lines": [{"SKU": "GB3-WHITE", "Quantity": 5}]})[0]
    invoice = cin7.checked("POST", "advanced-purchase/invoice", {"PurchaseID": pid, "Invoices": [{"Status": "AUTHORISED", "InvoiceDate": DAY}]})["Invoices"][0]
    assert invoice["InvoiceNumber"] == "INV-" + purchase["OrderNumber"].split("-")[1] and invoice["Total"] == Decimal("27.5")
    assert get(cin7, pid)["Status"] == "INVOICED"
    cin7.checked("POST", "advanced-purchase/stock", {"PurchaseID": pid, "Status": "AUTHORISED", "Lines": [{"SKU": "GB3-WHITE", "Quantity": 5}]})
    assert stock(cin7, "GB3-WHITE")[0] == before[0] + 5
    messages = cin7.failed("POST", "advanced-purchase/creditnote", {"PurchaseID": pid, "CreditNotes": [
        {"Status": "AUTHORISED", "CreditNoteDate": DAY, "Lines": [{"SKU": "GB3-WHITE", "Quantity": 1, "Price": 5}],
         "Unstock": [{"SKU": "GB3-WHITE", "Quantity": 6}]}]})
    assert any("more GB3-WHITE than was received" in m for m in messages)
    notes = cin7.checked("POST", "advanced-purchase/creditnote", {"PurchaseID": pid, "CreditNotes": [
        {"Status": "AUTHORISED", "CreditNoteDate": DAY, "Lines": [{"SKU": "GB3-WHITE", "Quantity": 2, "Price": 5}],
         "Unstock": [{"SKU": "GB3-WHITE", "Quantity": 2}]}]})
    note = notes["CreditNotes"][0]
    assert note["Total"] == 11 and note["CreditNoteInvoiceNumber"] == invoice["InvoiceNumber"] and note["CreditNoteNumber"].startswith("CR-")
    assert stock(cin7, "GB3-WHITE")[0] == before[0] + 3, "unstock sends stock back to the supplier"
    got = get(cin7, pid)
    assert got["CombinedInvoiceStatus"] == "INVOICED / CREDITED" and got["CreditNote"][0]["Unstock"][0]["Quantity"] == 2
    row = cin7.checked("GET", "purchaseList", query=f"Search={purchase['OrderNumber']}&CreditNoteStatus=AUTHORISED")["PurchaseList"]
    assert len(row) == 1 and row[0]["InvoiceAmount"] == Decimal("16.5") and row[0]["UnstockStatus"] == "AUTHORISED"
    refund = cin7.checked("POST", "advanced-purchase/payment", {"TaskID": note["TaskID"], "Type": "REFUND", "Amount": 11, "DatePaid": DAY, "Account": "090"})
    assert refund["Type"] == "Refund" and refund["CreditNoteNumber"] == note["CreditNoteNumber"]
    assert cin7.failed("POST", "advanced-purchase/payment", {"TaskID": note["TaskID"], "Type": "REFUND", "Amount": 1, "DatePaid": DAY, "Account": "090"})
    assert "refunds" in cin7.failed("DELETE", f"advanced-purchase/creditnote?TaskID={note['TaskID']}")[0]
    status, _, body = cin7.call("DELETE", f"purchase/payment?ID={refund['ID']}")
    assert status == 200 and body == {"Success": True}
    voided = cin7.checked("DELETE", "advanced-purchase/creditnote", query=f"TaskID={note['TaskID']}")
    assert voided["CreditNotes"][0]["Status"] == "VOIDED" and stock(cin7, "GB3-WHITE")[0] == before[0] + 5, "voiding the credit note restocks"


def test_void_releases_on_order_and_takes_receipts_back(cin7):
    before = stock(cin7, "WID-001")
    purchase = ordered(cin7, "STOCK", [{"SKU": "WID-001", "Quantity": 8, "Price": 4}])
    pid = purchase["ID"]
    cin7.checked("POST", "advanced-purchase/stock", {"PurchaseID": pid, "Status": "AUTHORISED", "Lines": [{"SKU": "WID-001", "Quantity": 3}]})
    assert stock(cin7, "WID-001")[:2] == (before[0] + 3, before[1] + 5)
    assert "void it instead" in cin7.failed("DELETE", f"advanced-purchase?ID={pid}")[0]
    voided = cin7.checked("DELETE", "advanced-purchase", query=f"ID={pid}&Void=true")
    assert voided["Status"] == "VOIDED" and voided["Order"]["Status"] == "VOIDED" and voided["StockReceived"][0]["Status"] == "VOIDED"
    assert stock(cin7, "WID-001")[:2] == before[:2], "voiding takes received stock back and releases what was on order"
    assert "voided" in cin7.failed("PUT", "advanced-purchase", {"ID": pid, "Note": "x"})[0]
    # Undo of a receipt takes it back to DRAFT; a draft purchase is simply removed.
    other = ordered(cin7, "STOCK", [{"SKU": "WID-001", "Quantity": 2, "Price": 4}])
    receipt = cin7.checked("POST", "advanced-purchase/stock", {"PurchaseID": other["ID"], "Status": "AUTHORISED",
                                                               "Lines": [{"SKU": "WID-001", "Quantity": 2}]})["StockReceiving"][0]
    undone = cin7.checked("DELETE", "advanced-purchase/stock", query=f"TaskID={receipt['TaskID']}")
    assert undone["StockReceiving"][0]["Status"] == "DRAFT" and stock(cin7, "WID-001")[:2] == (before[0], before[1] + 2)
    draft = new_purchase(cin7)
    cin7.checked("DELETE", "advanced-purchase", query=f"ID={draft['ID']}")
    assert cin7.failed("GET", f"advanced-purchase?ID={draft['ID']}")


def test_purchase_list_paging_updated_since_and_status_filters(cin7):
    first = new_purchase(cin7, RequiredBy="2025-06-01")
    since = first["LastUpdatedDate"]
    rest = [new_purchase(cin7, RequiredBy="2025-07-01") for _ in range(2)]
    ids = [first["ID"]] + [p["ID"] for p in rest]
    page1 = cin7.checked("GET", "purchaseList", query=f"UpdatedSince={since}&Limit=2&Page=1")
    page2 = cin7.checked("GET", "purchaseList", query=f"UpdatedSince={since}&Limit=2&Page=2")
    assert page1["Total"] == 3 and len(page1["PurchaseList"]) == 2 and len(page2["PurchaseList"]) == 1
    assert [r["ID"] for r in page1["PurchaseList"] + page2["PurchaseList"]] == ids
    time.sleep(0.01)
    cin7.checked("POST", "purchase/order", {"TaskID": ids[1], "Status": "AUTHORISED", "Lines": [{"SKU": "WID-001", "Quantity": 1, "Price": 4}]})
    changed = get(cin7, ids[1])["LastUpdatedDate"]
    assert [r["ID"] for r in cin7.checked("GET", "purchaseList", query=f"UpdatedSince={changed}")["PurchaseList"]] == [ids[1]]
    rows = cin7.checked("GET", "purchaseList", query=f"UpdatedSince={since}&OrderStatus=AUTHORISED")["PurchaseList"]
    assert [r["ID"] for r in rows] == [ids[1]] and rows[0]["Status"] == "ORDERED" and rows[0]["InvoiceDate"] is None
    assert cin7.checked("GET", "purchaseList", query=f"UpdatedSince={since}&Status=DRAFT")["Total"] == 2
    assert [r["ID"] for r in cin7.checked("GET", "purchaseList", query=f"UpdatedSince={since}&RequiredBy=2025-06-15")["PurchaseList"]] == [ids[0]]
    assert cin7.failed("GET", "purchaseList?UpdatedSince=last-week")
    assert cin7.failed("GET", "purchaseList?Limit=1001")


def test_bad_purchase_inputs_are_400s(cin7):
    messages = cin7.failed("POST", "advanced-purchase", {"Supplier": "Nobody Pty", "Approach": "SOMETIMES"})
    assert any("Nobody Pty" in m for m in messages) and any("Approach" in m for m in messages) and any("Location" in m for m in messages)
    purchase = new_purchase(cin7)
    pid = purchase["ID"]
    messages = cin7.failed("POST", "purchase/order", {"TaskID": pid, "Status": "PAID",
                                                      "Lines": [{"SKU": "NOPE", "Quantity": 1}, {"SKU": "WID-001", "Quantity": -2}]})
    assert any("PAID" in m for m in messages) and any("NOPE" in m for m in messages) and any("Quantity" in m for m in messages)
    assert "AUTHORISED order" in cin7.failed("POST", "advanced-purchase/stock", {"PurchaseID": pid, "Status": "DRAFT"})[0]
    cin7.checked("POST", "purchase/order", {"TaskID": pid, "Status": "AUTHORISED", "Lines": [{"SKU": "WID-001", "Quantity": 2, "Price": 4}]})
    assert "Order status is AUTHORISED" in cin7.failed("POST", "purchase/order", {"TaskID": pid, "Status": "DRAFT"})[0]
    assert any("not a stock line" in m for m in cin7.failed("POST", "advanced-purchase/stock", {"PurchaseID": pid, "Status": "DRAFT",
                                                                                              "Lines": [{"SKU": "WID-002", "Quantity": 1}]}))
    assert any("Quantity" in m for m in cin7.failed("POST", "advanced-purchase/stock", {"PurchaseID": pid, "Status": "DRAFT",
                                                                                      "Lines": [{"SKU": "WID-001", "Quantity": 0}]}))
    assert cin7.failed("POST", "advanced-purchase/payment", {"TaskID": pid, "Type": "BRIBE", "Amount": 1, "DatePaid": DAY, "Account": "090"})
    assert cin7.failed("POST", "advanced-purchase/payment", {"TaskID": pid, "Type": "PAYMENT", "Amount": 1, "DatePaid": DAY, "Account": "090"})
    assert any("Account" in m for m in cin7.failed("POST", "advanced-purchase/payment", {"TaskID": pid, "Type": "PREPAYMENT", "Amount": 1,
                                                                                       "DatePaid": DAY, "Account": "200"}))
    assert cin7.failed("POST", "advanced-purchase", raw_body=b"{not json", status=500)
    assert cin7.failed("GET", f"advanced-purchase?ID={uuid.uuid4()}")
    assert cin7.failed("GET", "advanced-purchase/payment")


def test_bad_credentials_are_403(cin7):
    stranger = Cin7(cin7.base, key=str(uuid.uuid4()))
    for method, endpoint, body in [("GET", "purchaseList", None), ("POST", "advanced-purchase", {"Supplier": "x"}),
                                   ("GET", "transactions", None), ("POST", "stockadjustment", {})]:
        stranger.failed(method, endpoint, body, status=403)
