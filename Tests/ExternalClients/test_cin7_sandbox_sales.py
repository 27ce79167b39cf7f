"""Cin7 Core sale documents through `ledgerbridge sandbox`: a sale taken from
quote to order, fulfilment, invoice, payment and credit note, the list with
its filters, the status rules and the stock it moves. 200s are validated
against openapi.yaml where it has a schema; errors against the Error Model."""

from __future__ import annotations

import signal
import time
import uuid
from decimal import Decimal

import pytest

from cin7_support import Cin7, start, validate

SALE_DATE = "2025-03-03T00:00:00"


@pytest.fixture(scope="module")
def cin7():
    process, base = start("--cin7-limit-minute", "100000")
    with process:
        yield Cin7(base)
        assert process.stop(signal.SIGTERM, 10) == 0


def product(cin7, sku):
    return cin7.checked("GET", "product", query=f"Sku={sku}")["Products"][0]


def on_hand(cin7, sku):
    rows = cin7.checked("GET", "ref/productavailability", query=f"Sku={sku}")["ProductAvailabilityList"]
    return sum(Decimal(str(r["OnHand"])) for r in rows), sum(Decimal(str(r["Allocated"])) for r in rows)


def new_sale(cin7, **extra):
    body = {"Customer": "Ridgeway University", "Location": "Main Warehouse", "ShipBy": "2025-03-10", "ExternalID": f"ext-{uuid.uuid4().hex[:8]}", **extra}
    return cin7.checked("POST", "sale", body)


def test_sale_from_quote_to_paid_invoice_moves_stock_and_totals(cin7):
    before, allocated_before = on_hand(cin7, "WID-001")
    sale = new_sale(cin7, CustomerReference="PO-778")
    assert sale["Status"] == "DRAFT" and sale["Order"]["SaleOrderNumber"].startswith("SO-") and sale["Order"]["Status"] == "NOT AVAILABLE"
    sale_id = sale["ID"]
    lines = [{"SKU": "WID-001", "Quantity": 4, "Price": 12.5, "Discount": 10, "TaxRule": "GST on Income", "Total": 45},
             {"SKU": "SVC-INSTALL", "Quantity": 1, "Price": 95}]
    quote = cin7.checked("POST", "sale/quote", {"SaleID": sale_id, "Status": "AUTHORISED", "Lines": lines})
    # 4 × 12.50 less 10 % = 45.00 (+4.50 GST); 95.00 (+9.50 GST)
    assert (quote["TotalBeforeTax"], quote["Tax"], quote["Total"]) == (140, 14, 154)
    order = cin7.checked("POST", "sale/order", {"SaleID": sale_id, "Status": "AUTHORISED"})
    assert order["Status"] == "AUTHORISED" and order["Total"] == 154 and len(order["Lines"]) == 2
    assert on_hand(cin7, "WID-001") == (before, allocated_before + 4), "the order allocates"
    got = cin7.checked("GET", "sale", query=f"ID={sale_id}")
    assert got["Status"] == "ORDERED" and got["FulFilmentStatus"] == "NOT FULFILLED"
    task = got["Fulfilments"][0]["TaskID"]
    pick = cin7.checked("POST", "sale/fulfilment/pick", {"TaskID": task, "Status": "AUTHORISED"})
    assert pick["Status"] == "AUTHORISED" and [l["SKU"] for l in pick["Lines"]] == ["WID-001"], "services are not picked"
    cin7.checked("POST", "sale/fulfilment/pack", {"TaskID": task, "Status": "AUTHORISED"})
    ship = cin7.checked("POST", "sale/fulfilment/ship", {"TaskID": task, "Status": "AUTHORISED",
                                                       "Lines": [{"ShipmentDate": "2025-03-04", "Carrier": "DEFAULT Carrier", "TrackingNumber": "TRK1"}]})
    assert ship["Status"] == "AUTHORISED"
    assert on_hand(cin7, "WID-001") == (before - 4, allocated_before), "shipping takes stock off hand and releases the allocation"
    got = cin7.checked("GET", "sale", query=f"ID={sale_id}")
    assert got["FulFilmentStatus"] == "FULFILLED" and got["CombinedShippingStatus"] == "SHIPPED" and got["CombinedTrackingNumbers"] == "TRK1"
    assert got["COGSAmount"] == pytest.approx(4 * 4.2) and got["InventoryMovements"][0]["COGS"] == pytest.approx(16.8)

    invoices = cin7.checked("POST", "sale/invoice", {"SaleID": sale_id, "TaskID": "00000000-0000-0000-0000-000000000000",
                                                   "Status": "AUTHORISED", "InvoiceDate": SALE_DATE, "CombineAdditionalCharges": False})
    invoice = invoices["Invoices"][0]
    assert invoice["InvoiceNumber"].startswith("INV-") and invoice["Total"] == 154 and invoice["Status"] == "AUTHORISED"
    assert invoice["InvoiceDueDate"] == "2025-04-02T00:00:00", "30 days from the invoice date"
    got = cin7.checked("GET", "sale", query=f"ID={sale_id}")  # validated while Payments is still empty (see below)
    assert got["Status"] == "INVOICED" and got["CombinedPaymentStatus"] == "UNPAID"

    part = cin7.checked("POST", "sale/payment", {"TaskID": invoice["TaskID"], "Type": "PAYMENT", "Amount": 100,
                                               "DatePaid": "2025-03-05", "Account": "090", "Reference": "EFT 1"})
    assert part["Type"] == "Payment" and part["InvoiceNumber"] == invoice["InvoiceNumber"] and part["Amount"] == 100
    status, _, got = cin7.call("GET", f"sale?ID={sale_id}")
    assert got["CombinedPaymentStatus"] == "PARTIALLY PAID" and got["Invoices"][0]["Paid"] == 100
    # Overpaying is refused; paying the rest completes the sale.
    assert any("exceeds" in m for m in cin7.failed("POST", "sale/payment", {"TaskID": invoice["TaskID"], "Type": "PAYMENT", "Amount": 60,
                                                                             "DatePaid": "2025-03-06", "Account": "090"}))
    cin7.checked("POST", "sale/payment", {"TaskID": invoice["TaskID"], "Type": "PAYMENT", "Amount": 54, "DatePaid": "2025-03-06", "Account": "090"})
    status, _, got = cin7.call("GET", f"sale?ID={sale_id}")
    assert got["Status"] == "COMPLETED" and got["Invoices"][0]["Status"] == "PAID" and got["Order"]["Status"] == "CLOSED"
    assert got["Invoices"][0]["Payments"][0]["Amount"] == 100
    payments = cin7.call("GET", f"sale/payment?SaleID={sale_id}")[2]
    assert [p["Amount"] for p in payments] == [100, 54]

    listed = cin7.checked("GET", "saleList", query=f"Search={got['Order']['SaleOrderNumber']}")["SaleList"]
    assert len(listed) == 1 and listed[0]["InvoiceAmount"] == 154 and listed[0]["PaidAmount"] == 154
    assert listed[0]["CombinedInvoiceStatus"] == "PAID" and listed[0]["CustomerReference"] == "PO-778"


def test_credit_note_restocks_and_refund(cin7):
    sale = new_sale(cin7, SkipQuote=True)
    sale_id = sale["ID"]
    cin7.checked("POST", "sale/order", {"SaleID": sale_id, "Status": "AUTHORISED", "AutoPickPackShipMode": "AUTOPICKPACKSHIP",
                                        "Lines": [{"SKU": "WID-002", "Quantity": 2, "Price": 24}]})
    got = cin7.checked("GET", "sale", query=f"ID={sale_id}")
    assert got["CombinedShippingStatus"] == "SHIPPED", "AUTOPICKPACKSHIP"
    invoice = cin7.checked("POST", "sale/invoice", {"SaleID": sale_id, "Status": "AUTHORISED", "InvoiceDate": SALE_DATE})["Invoices"][0]
    cin7.checked("POST", "sale/payment", {"TaskID": invoice["TaskID"], "Type": "PAYMENT", "Amount": invoice["Total"], "DatePaid": SALE_DATE, "Account": "090"})
    before, _ = on_hand(cin7, "WID-002")
    status, _, notes = cin7.call("POST", "sale/creditnote", {"SaleID": sale_id, "Status": "AUTHORISED", "CreditNoteDate": SALE_DATE,
                                                           "Lines": [{"SKU": "WID-002", "Quantity": 1, "Price": 24}],
                                                           "Restock": [{"SKU": "WID-002", "Quantity": 1}]})
    assert status == 200, notes
    note = notes["CreditNotes"][0]
    assert note["CreditNoteNumber"].startswith("CR-") and note["Total"] == pytest.approx(26.4) and note["CreditNoteInvoiceNumber"] == invoice["InvoiceNumber"]
    assert on_hand(cin7, "WID-002")[0] == before + 1, "restocked"
    listed = cin7.checked("GET", "saleList", query=f"CreditNoteStatus=AUTHORISED&ExternalID={sale['ExternalID']}")["SaleList"]
    assert len(listed) == 1 and listed[0]["InvoiceAmount"] == pytest.approx(52.8 - 26.4) and listed[0]["CombinedPaymentStatus"] == "NOT REFUNDED"
    refund = cin7.checked("POST", "sale/payment", {"TaskID": note["TaskID"], "Type": "REFUND", "Amount": 26.4, "DatePaid": SALE_DATE, "Account": "090"})
    assert refund["Type"] == "Refund" and refund["CreditNoteNumber"] == note["CreditNoteNumber"]
    assert cin7.call("GET", f"sale?ID={sale_id}")[2]["Status"] == "COMPLETED"


def test_sale_list_filters_paging_and_updated_since(cin7):
    tag = uuid.uuid4().hex[:8]
    ids = [new_sale(cin7, CustomerReference=f"list-{tag}-{i}")["ID"] for i in range(3)]
    page1 = cin7.checked("GET", "saleList", query=f"Search=list-{tag}&Limit=2&Page=1")
    page2 = cin7.checked("GET", "saleList", query=f"Search=list-{tag}&Limit=2&Page=2")
    assert page1["Total"] == 3 and len(page1["SaleList"]) == 2 and len(page2["SaleList"]) == 1
    assert {r["SaleID"] for r in page1["SaleList"] + page2["SaleList"]} == set(ids)
    time.sleep(0.01)
    updated = cin7.checked("PUT", "sale", {"ID": ids[1], "Note": "changed"})
    since = updated["LastModifiedOn"]
    rows = cin7.checked("GET", "saleList", query=f"Search=list-{tag}&UpdatedSince={since}")["SaleList"]
    assert [r["SaleID"] for r in rows] == [ids[1]]
    created = cin7.checked("GET", "saleList", query=f"Search=list-{tag}&CreatedSince={since}")["SaleList"]
    assert created == []
    assert cin7.checked("GET", "saleList", query=f"Search=list-{tag}&Status=DRAFT")["Total"] == 3
    assert cin7.checked("GET", "saleList", query=f"Search=list-{tag}&OrderStatus=AUTHORISED")["Total"] == 0
    assert cin7.failed("GET", "saleList?UpdatedSince=yesterday")
    assert cin7.failed("GET", "saleList?Limit=1001")


def test_bad_inputs_are_400_in_the_error_model(cin7):
    messages = cin7.failed("POST", "sale", {"Customer": "Nobody At All", "Location": "Main Warehouse"})
    assert any("Nobody At All" in m for m in messages)
    messages = cin7.failed("POST", "sale", {"CustomerID": str(uuid.uuid4())})
    assert any("not found" in m for m in messages) and any("Location" in m for m in messages)
    sale = new_sale(cin7)
    # Order before an authorised quote; invoice before an authorised order; payment before an invoice.
    assert "AUTHORISED quote" in cin7.failed("POST", "sale/order", {"SaleID": sale["ID"], "Status": "DRAFT"})[0]
    assert "AUTHORISED order" in cin7.failed("POST", "sale/invoice", {"SaleID": sale["ID"], "Status": "DRAFT", "InvoiceDate": SALE_DATE})[0]
    assert cin7.failed("POST", "sale/payment", {"TaskID": sale["ID"], "Type": "PAYMENT", "Amount": 1, "DatePaid": SALE_DATE, "Account": "090"})
    # An authorised quote cannot be changed or set to another status.
    cin7.checked("POST", "sale/quote", {"SaleID": sale["ID"], "Status": "AUTHORISED", "Lines": [{"SKU": "WID-001", "Quantity": 1}]})
    assert "Quote status is AUTHORISED" in cin7.failed("POST", "sale/quote", {"SaleID": sale["ID"], "Status": "DRAFT"})[0]
    messages = cin7.failed("POST", "sale/order", {"SaleID": sale["ID"], "Status": "PAID",
                                                   "Lines": [{"SKU": "NOPE", "Quantity": 1}, {"SKU": "WID-001", "Quantity": 0, "Total": 5}]})
    assert any("PAID" in m for m in messages) and any("NOPE" in m for m in messages) and any("Quantity" in m for m in messages)
    assert any("Total" in m for m in cin7.failed("POST", "sale/order", {"SaleID": sale["ID"], "Status": "DRAFT",
                                                                        "Lines": [{"SKU": "WID-001", "Quantity": 2, "Price": 10, "Total": 25}]}))
    assert cin7.failed("POST", "sale/payment", {"TaskID": sale["ID"], "Type": "BRIBE", "Amount": 1, "DatePaid": SALE_DATE, "Account": "090"})
    assert cin7.failed("POST", "sale/payment", {"TaskID": sale["ID"], "Type": "PREPAYMENT", "Amount": 1, "DatePaid": SALE_DATE, "Account": "200"})
    assert cin7.failed("POST", "sale", raw_body=b"{not json", status=500)
    assert cin7.failed("GET", f"sale?ID={uuid.uuid4()}")


def test_prepayment_then_void_and_undo(cin7):
    sale = new_sale(cin7)
    cin7.checked("POST", "sale/quote", {"SaleID": sale["ID"], "Status": "AUTHORISED", "Lines": [{"SKU": "WID-001", "Quantity": 1, "Price": 10}]})
    prepayment = cin7.checked("POST", "sale/payment", {"TaskID": sale["ID"], "Type": "PREPAYMENT", "Amount": 5, "DatePaid": SALE_DATE, "Account": "090"})
    row = cin7.checked("GET", "saleList", query=f"ExternalID={sale['ExternalID']}")["SaleList"][0]
    assert row["CombinedPaymentStatus"] == "PREPAID" and row["PaidAmount"] == 5
    assert "Prepayments cannot be edited." in cin7.failed("PUT", "sale/payment", {"ID": prepayment["ID"], "Amount": 6})
    assert "payments" in cin7.failed("DELETE", f"sale?ID={sale['ID']}&Void=true")[0]
    status, _, body = cin7.call("DELETE", f"sale/payment?ID={prepayment['ID']}")
    assert status == 200 and body == {"Success": True}
    assert "void it instead" in cin7.failed("DELETE", f"sale?ID={sale['ID']}")[0]
    voided = cin7.checked("DELETE", "sale", query=f"ID={sale['ID']}&Void=true")
    assert voided["Status"] == "VOIDED" and voided["Quote"]["Status"] == "VOIDED"
    assert "voided" in cin7.failed("PUT", "sale", {"ID": sale["ID"], "Note": "x"})[0]
    draft = new_sale(cin7)
    cin7.checked("DELETE", "sale", query=f"ID={draft['ID']}")
    assert cin7.failed("GET", f"sale?ID={draft['ID']}")
