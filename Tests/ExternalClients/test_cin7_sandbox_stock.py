"""Cin7 Core stock tasks and the ledger through `ledgerbridge sandbox`: stock
adjustments, finished goods (assemblies), disassemblies and manual journals,
the stock and availability they move, and the `/transactions` feed derived from
them and from sales. 200s are validated against openapi.yaml; errors against
the Error Model."""

from __future__ import annotations

import signal
import uuid
from decimal import Decimal

import pytest

from cin7_support import Cin7, start

DAY = "2025-04-01T00:00:00"


@pytest.fixture(scope="module")
def cin7():
    process, base = start("--cin7-limit-minute", "100000")
    with process:
        yield Cin7(base)
        assert process.stop(signal.SIGTERM, 10) == 0


def stock(cin7, sku, location="Main Warehouse"):
    """(OnHand, Available, StockOnHand) of a product at a location."""
    rows = cin7.checked("GET", "ref/productavailability", query=f"Sku={sku}&Location={location}")["ProductAvailabilityList"]
    return tuple(sum(Decimal(str(r[k])) for r in rows) for k in ("OnHand", "Available", "StockOnHand"))


def ledger(cin7, query=""):
    return cin7.checked("GET", "transactions", query="Limit=1000" + ("&" + query if query else ""))["Transactions"]


def new_product(cin7, **extra):
    sku = f"KIT-{uuid.uuid4().hex[:6]}"
    body = {"SKU": sku, "Name": f"Kit {sku}", "Category": "General", "Type": "Stock", "CostingMethod": "FIFO", "UOM": "Item",
            "Status": "Active", "InventoryAccount": "630", "COGSAccount": "310", **extra}
    return cin7.checked("POST", "product", body)["Products"][0]


def test_stock_adjustment_draft_complete_and_void(cin7):
    on_hand, available, value = stock(cin7, "WID-001")
    cost = value / on_hand
    body = {"EffectiveDate": DAY, "Status": "DRAFT", "Account": "470", "Reference": "count-1",
            "Lines": [{"SKU": "WID-001", "Location": "Main Warehouse", "Quantity": float(on_hand + 5), "Comments": "found"},
                      {"SKU": "WID-002", "Location": "Sydney Store", "Quantity": 3, "UnitCost": 10}]}
    task = cin7.checked("POST", "stockadjustment", body)
    assert task["Status"] == "DRAFT" and task["StocktakeNumber"].startswith("ST-") and task["Transactions"] == []
    existing, new = task["ExistingStockLines"], task["NewStockLines"]
    assert [(l["SKU"], l["QuantityOnHand"], l["Adjustment"]) for l in existing] == [("WID-001", on_hand, on_hand + 5)]
    assert [(l["SKU"], l["Location"], l["Quantity"], l["UnitCost"]) for l in new] == [("WID-002", "Sydney Store", 3, 10)]
    assert stock(cin7, "WID-001")[0] == on_hand, "a DRAFT adjustment moves nothing"

    done = cin7.checked("PUT", "stockadjustment", {"TaskID": task["TaskID"], "Status": "COMPLETED"})
    assert done["Status"] == "COMPLETED"
    assert stock(cin7, "WID-001")[:2] == (on_hand + 5, available + 5)
    assert stock(cin7, "WID-002", "Sydney Store") == (3, 3, 30), "new stock at its unit cost"
    assert {(t["Debit"], t["Credit"]) for t in done["Transactions"]} == {("630: Inventory Control", "470: Inventory Discrepancy")}
    amounts = sorted(t["Amount"] for t in done["Transactions"])
    assert len(amounts) == 2 and amounts[1] == 30 and amounts[0] == pytest.approx(float(5 * cost), abs=0.01), "5 found at cost; 3 new at 10.00"
    assert cin7.checked("GET", "stockadjustment", query=f"TaskID={task['TaskID']}")["Status"] == "COMPLETED"
    rows = [t for t in ledger(cin7, "Account=470") if t["TaskID"] == task["TaskID"]]
    assert len(rows) == 2 and all(t["Type"] == "StockAdjustment" and t["DebitAccountCode"] == "630" and t["CreditAccountCode"] == "470" for t in rows)
    assert "only a DRAFT adjustment" in cin7.failed("PUT", "stockadjustment", {"TaskID": task["TaskID"], "Status": "DRAFT"})[0]
    listed = cin7.checked("GET", "stockadjustmentList", query="Status=COMPLETED")["StockAdjustmentList"]
    assert task["TaskID"] in [r["TaskID"] for r in listed]

    voided = cin7.checked("DELETE", "stockadjustment", query=f"ID={task['TaskID']}&Void=true")
    assert voided["Status"] == "VOIDED"
    assert stock(cin7, "WID-001")[0] == on_hand and stock(cin7, "WID-002", "Sydney Store")[0] == 0, "voiding takes the change back"
    assert not [t for t in ledger(cin7) if t["TaskID"] == task["TaskID"]], "and its postings"
    assert task["TaskID"] not in [r["TaskID"] for r in cin7.checked("GET", "stockadjustmentList", query="Status=COMPLETED")["StockAdjustmentList"]]


def test_stock_adjustment_write_down_posts_the_other_way(cin7):
    on_hand, _, value = stock(cin7, "WID-002")
    cost = value / on_hand
    task = cin7.checked("POST", "stockadjustment", {"EffectiveDate": DAY, "Status": "COMPLETED",
                                                    "Lines": [{"SKU": "WID-002", "Location": "Main Warehouse", "Quantity": float(on_hand - 2)}]})
    assert stock(cin7, "WID-002")[0] == on_hand - 2
    assert task["Transactions"][0]["Amount"] == pytest.approx(float(-2 * cost), abs=0.01), "the task's own posting is signed (apib:25268)"
    row = [t for t in ledger(cin7) if t["TaskID"] == task["TaskID"]][0]
    assert (row["DebitAccountCode"], row["CreditAccountCode"]) == ("470", "630") and row["Amount"] == pytest.approx(float(2 * cost), abs=0.01)


def test_bad_stock_adjustments_are_400s(cin7):
    messages = cin7.failed("POST", "stockadjustment", {"Status": "APPROVED", "Lines": [
        {"SKU": "NOPE", "Location": "Main Warehouse", "Quantity": 1},
        {"SKU": "WID-001", "Location": "Main Warehouse", "Quantity": -1},
        {"SKU": "GB3-WHITE", "Location": "Sydney Store", "Quantity": 4},
        {"SKU": "WID-002", "Location": "Moon Base", "Quantity": 1},
        {"SKU": "SVC-INSTALL", "Location": "Main Warehouse", "Quantity": 1, "UnitCost": 1}]})
    for part in ["APPROVED", "EffectiveDate", "NOPE", "must not be negative", "UnitCost", "Moon Base", "not a stock product"]:
        assert any(part in m for m in messages), (part, messages)
    assert cin7.failed("POST", "stockadjustment", {"EffectiveDate": DAY, "Status": "DRAFT", "Lines": []})
    assert cin7.failed("GET", f"stockadjustment?TaskID={uuid.uuid4()}")


def test_assembly_from_given_components_staged_then_voided(cin7):
    kit = new_product(cin7)
    w1, w2 = stock(cin7, "WID-001"), stock(cin7, "WID-002")
    unit1, unit2 = w1[2] / w1[0], w2[2] / w2[0]
    body = {"ProductCode": kit["SKU"], "Location": "Main Warehouse", "Quantity": 3, "WIPAccount": "640", "Account": "630", "Status": "DRAFT"}
    assert "bill of materials" in cin7.failed("POST", "finishedGoods", {**body, "Status": "AUTHORISED", "WIPDate": DAY})[0]
    task = cin7.checked("POST", "finishedGoods", body)
    assert task["Status"] == "DRAFT" and task["AssemblyNumber"].startswith("FG-")
    order = cin7.checked("POST", "finishedGoods/order", {"TaskID": task["TaskID"], "Status": "DRAFT",
                                                         "OrderLines": [{"ProductCode": "WID-001", "Quantity": 2}, {"ProductCode": "WID-002", "Quantity": 1}]})
    assert [(l["ProductCode"], l["TotalQuantity"]) for l in order["OrderLines"]] == [("WID-001", 6), ("WID-002", 3)]
    cin7.checked("PUT", "finishedGoods", {"ID": task["TaskID"], "WIPDate": DAY, "Notes": "staged"})
    cin7.checked("POST", "finishedGoods/order", {"TaskID": task["TaskID"], "Status": "AUTHORISED",
                                                 "OrderLines": [{"ProductCode": "WID-001", "Quantity": 2}, {"ProductCode": "WID-002", "Quantity": 1}]})
    picked = cin7.checked("POST", "finishedGoods/pick", {"TaskID": task["TaskID"], "Status": "IN PROGRESS"})
    assert picked["Status"] == "IN PROGRESS" and len(picked["PickLines"]) == 2
    assert stock(cin7, "WID-001")[0] == w1[0] - 6 and stock(cin7, "WID-002")[0] == w2[0] - 3, "picking consumes the components"
    assert stock(cin7, kit["SKU"])[0] == 0, "the assembly is not on hand until completed"
    done = cin7.checked("POST", "finishedGoods/pick", {"TaskID": task["TaskID"], "Status": "COMPLETED", "CompletionDate": "2025-04-02"})
    total = float(6 * unit1 + 3 * unit2)
    assert done["Status"] == "COMPLETED" and stock(cin7, kit["SKU"])[0] == 3
    assert float(stock(cin7, kit["SKU"])[2]) == pytest.approx(total, abs=0.05), "the assembly carries its components' cost"
    moves = {(t["DebitAccountCode"], t["CreditAccountCode"]) for t in ledger(cin7) if t["TaskID"] == task["TaskID"]}
    assert moves == {("640", "630"), ("630", "640")}, "components into WIP, WIP into finished goods"
    wip_in = sum(t["Amount"] for t in ledger(cin7, "Account=640") if t["TaskID"] == task["TaskID"] and t["DebitAccountCode"] == "640")
    wip_out = sum(t["Amount"] for t in ledger(cin7, "Account=640") if t["TaskID"] == task["TaskID"] and t["CreditAccountCode"] == "640")
    assert wip_in == pytest.approx(wip_out) == pytest.approx(total, abs=0.02), "WIP clears"
    assert "COMPLETED" in cin7.failed("PUT", "finishedGoods", {"ID": task["TaskID"], "Quantity": 1})[0]
    listed = cin7.checked("GET", "finishedGoodsList", query=f"Search={kit['SKU']}&Status=COMPLETED")["FinishedGoods"]
    assert [r["TaskID"] for r in listed] == [task["TaskID"]] and listed[0]["UnitCost"] == pytest.approx(total / 3, abs=0.01)

    voided = cin7.checked("DELETE", "finishedGoods", query=f"ID={task['TaskID']}&Void=true")
    assert voided["Status"] == "VOIDED" and stock(cin7, kit["SKU"])[0] == 0
    assert stock(cin7, "WID-001")[0] == w1[0] and stock(cin7, "WID-002")[0] == w2[0], "components come back"


def test_assembly_from_bill_of_materials_and_disassembly(cin7):
    kit = new_product(cin7, BillOfMaterial=True, QuantityToProduce=1, AssemblyCostEstimationMethod="Average cost",
                      BillOfMaterialsProducts=[{"ProductCode": "WID-001", "Quantity": 1}, {"ProductCode": "WID-002", "Quantity": 2, "WastageQuantity": 0}])
    w1, w2 = stock(cin7, "WID-001"), stock(cin7, "WID-002")
    done = cin7.checked("POST", "finishedGoods", {"ProductID": kit["ID"], "Location": "Main Warehouse", "Quantity": 2, "WIPAccount": "640",
                                                  "Account": "630", "Status": "COMPLETED", "WIPDate": DAY, "CompletionDate": DAY})
    assert done["Status"] == "COMPLETED" and [l["TotalQuantity"] for l in done["OrderLines"]] == [2, 4], "the BOM, times the quantity"
    assert stock(cin7, "WID-001")[0] == w1[0] - 2 and stock(cin7, "WID-002")[0] == w2[0] - 4 and stock(cin7, kit["SKU"])[0] == 2
    assembly_value = stock(cin7, kit["SKU"])[2]

    messages = cin7.failed("POST", "disassembly", {"ProductID": kit["ID"], "Location": "Main Warehouse", "Quantity": 5, "WIPAccount": "640", "Status": "COMPLETED"})
    assert any("Not enough stock" in m for m in messages)
    task = cin7.checked("POST", "disassembly", {"ProductID": kit["ID"], "Location": "Main Warehouse", "Quantity": 1, "WIPAccount": "640",
                                                "Status": "WORK IN PROGRESS"})
    assert task["Status"] == "WORK IN PROGRESS" and task["DisassemblyNumber"].startswith("DS-") and stock(cin7, kit["SKU"])[0] == 1
    done = cin7.checked("POST", "disassembly/order", {"TaskID": task["TaskID"], "Status": "COMPLETED"})
    assert done["Status"] == "COMPLETED" and [(l["ProductCode"], l["Quantity"]) for l in done["OrderLines"]] == [("WID-001", 1), ("WID-002", 2)]
    assert stock(cin7, "WID-001")[0] == w1[0] - 1 and stock(cin7, "WID-002")[0] == w2[0] - 2, "components back on hand"
    assert sum(l["Cost"] for l in done["OrderLines"]) == pytest.approx(float(assembly_value / 2), abs=0.01), "the components share the assembly's cost"
    rows = [t for t in ledger(cin7) if t["TaskID"] == task["TaskID"]]
    assert {t["Type"] for t in rows} == {"Disassembly"} and {(t["DebitAccountCode"], t["CreditAccountCode"]) for t in rows} == {("640", "630"), ("630", "640")}
    listed = cin7.checked("GET", "disassemblyList", query=f"Search={kit['SKU']}")["Disassemblies"]
    assert [(r["TaskID"], r["Status"]) for r in listed] == [(task["TaskID"], "COMPLETED")]
    undone = cin7.checked("DELETE", "disassembly", query=f"ID={task['TaskID']}")
    assert undone["Status"] == "DRAFT" and stock(cin7, kit["SKU"])[0] == 2, "undo puts the assembly back"


def test_bad_assembly_inputs_are_400s(cin7):
    messages = cin7.failed("POST", "finishedGoods", {"ProductCode": "NOPE", "Location": "Main Warehouse", "Quantity": -1, "Status": "COMPLETED"})
    for part in ["NOPE", "Quantity", "WIPAccount", "Account", "WIPDate", "CompletionDate"]:
        assert any(part in m for m in messages), (part, messages)
    kit = new_product(cin7)
    messages = cin7.failed("POST", "finishedGoods", {"ProductCode": kit["SKU"], "Location": "Main Warehouse", "Quantity": 1000, "WIPAccount": "640",
                                                     "Account": "630", "Status": "COMPLETED", "WIPDate": DAY, "CompletionDate": DAY,
                                                     "OrderLines": [{"ProductCode": "WID-001", "Quantity": 1}]})
    assert any("Not enough stock of WID-001" in m for m in messages)
    assert cin7.failed("POST", "finishedGoods", {"ProductCode": kit["SKU"], "Location": "Main Warehouse", "Quantity": 1, "WIPAccount": "640",
                                                 "Account": "630", "Status": "DRAFT", "OrderLines": [{"ProductCode": "SVC-INSTALL", "Quantity": 1}]})
    assert cin7.failed("POST", "disassembly", {"ProductCode": kit["SKU"], "Location": "Main Warehouse", "Quantity": 1, "WIPAccount": "640", "Status": "DONE"})


def test_journal_draft_completed_void_and_filters(cin7):
    body = {"Status": "DRAFT", "Currency": "AUD", "CurrencyConversionRate": 1, "EffectiveDate": "2025-04-03", "Narration": "Accrue freight",
            "Lines": [{"Debit": "400", "Credit": "800", "Amount": 120.5, "Reference": "FRT-1"}]}
    journal = cin7.checked("POST", "journal", body)["Journals"][0]
    assert journal["Status"] == "DRAFT" and journal["JournalNumber"].startswith("JR-") and journal["Lines"][0]["BaseAmount"] == 120.5
    assert not [t for t in ledger(cin7) if t["TaskID"] == journal["TaskID"]], "a draft posts nothing"
    done = cin7.checked("PUT", "journal", {"TaskID": journal["TaskID"], "Status": "COMPLETED"})["Journals"][0]
    assert done["Status"] == "COMPLETED"
    rows = [t for t in ledger(cin7, "FromDate=2025-04-03&ToDate=2025-04-03") if t["TaskID"] == journal["TaskID"]]
    assert [(t["DebitAccountCode"], t["CreditAccountCode"], t["Amount"], t["Type"], t["Reference"]) for t in rows] == [("400", "800", 120.5, "Journal", "FRT-1")]
    assert "only a DRAFT journal" in cin7.failed("PUT", "journal", {"TaskID": journal["TaskID"], "Status": "DRAFT"})[0]
    found = cin7.checked("GET", "journal", query="Search=freight&Status=COMPLETED")["Journals"]
    assert [j["TaskID"] for j in found] == [journal["TaskID"]]
    cin7.checked("DELETE", "journal", query=f"ID={journal['TaskID']}&Void=true")
    assert not [t for t in ledger(cin7) if t["TaskID"] == journal["TaskID"]], "a voided journal posts nothing"
    messages = cin7.failed("POST", "journal", {"Status": "COMPLETED", "Currency": "XXX", "EffectiveDate": "2025-04-03",
                                               "Lines": [{"Debit": "999", "Credit": "800", "Amount": 1}, {"Debit": "400", "Credit": "400", "Amount": 0}]})
    for part in ["XXX", "CurrencyConversionRate", "999", "different accounts", "Amount must be greater than 0"]:
        assert any(part in m for m in messages), (part, messages)


def test_transactions_cover_sale_cogs_and_filter_and_page(cin7):
    sale = cin7.checked("POST", "sale", {"Customer": "Bayside Club", "Location": "Main Warehouse", "SkipQuote": True})
    cin7.checked("POST", "sale/order", {"SaleID": sale["ID"], "Status": "AUTHORISED", "AutoPickPackShipMode": "AUTOPICKPACKSHIP",
                                        "Lines": [{"SKU": "WID-002", "Quantity": 1, "Price": 24}]})
    invoice = cin7.checked("POST", "sale/invoice", {"SaleID": sale["ID"], "Status": "AUTHORISED", "InvoiceDate": "2025-05-01"})["Invoices"][0]
    got = cin7.checked("GET", "sale", query=f"ID={sale['ID']}")
    cogs = [t for t in ledger(cin7, "Account=310") if t["Reference"] == got["Order"]["SaleOrderNumber"]]
    assert len(cogs) == 1 and (cogs[0]["DebitAccountCode"], cogs[0]["CreditAccountCode"]) == ("310", "630")
    assert cogs[0]["Amount"] == pytest.approx(got["COGSAmount"]) and cogs[0]["Type"] == "Sale", "shipment posts COGS at cost"
    billed = {(t["DebitAccountCode"], t["CreditAccountCode"]): t["Amount"] for t in ledger(cin7, "FromDate=2025-05-01&ToDate=2025-05-01")
              if t["TaskID"] == invoice["TaskID"]}
    assert billed == {("610", "200"): 24, ("610", "820"): pytest.approx(2.4)}, "the invoice debits receivable"
    for n in range(3):
        cin7.checked("POST", "journal", {"Status": "COMPLETED", "Currency": "AUD", "CurrencyConversionRate": 1, "EffectiveDate": f"2031-01-0{n + 1}",
                                         "Lines": [{"Debit": "400", "Credit": "090", "Amount": n + 1}]})
    window = "FromDate=2031-01-02&ToDate=2031-01-03"
    assert [t["Amount"] for t in ledger(cin7, window)] == [2, 3], "both ends of the window included, oldest first"
    page1 = cin7.checked("GET", "transactions", query="FromDate=2031-01-01&Limit=2&Page=1")
    page2 = cin7.checked("GET", "transactions", query="FromDate=2031-01-01&Limit=2&Page=2")
    assert page1["Total"] == 3 and [t["Amount"] for t in page1["Transactions"] + page2["Transactions"]] == [1, 2, 3]
    assert cin7.failed("GET", "transactions?FromDate=soon")
    assert cin7.failed("GET", "transactions?Limit=0")
