"""Cin7 Core's webhooks through `ledgerbridge sandbox`: subscriptions made
through `/webhooks` (validated against openapi.yaml), deliveries with the
configured credentials and headers, the documented payloads, retries, the
deactivation after 6 failures, and duplicated deliveries."""

from __future__ import annotations

import base64
import json
import signal
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from cin7_support import Cin7, start
from sandbox_support import http


class Receiver:
    """Records every delivery; `fail_next` answers the next N with 503."""

    def __init__(self):
        self.deliveries: list[tuple[dict, dict, int]] = []  # (headers, body, status answered)
        self.fail_next = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", "0"))))
                with receiver.lock:
                    status = 200
                    if receiver.fail_next > 0:
                        receiver.fail_next -= 1
                        status = 503
                    receiver.deliveries.append(({k.lower(): v for k, v in self.headers.items()}, body, status))
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/cin7/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def accepted(self, event_type: str | None = None) -> list[tuple[dict, dict]]:
        with self.lock:
            return [(h, b) for h, b, s in self.deliveries if s == 200 and (event_type is None or _event_type(b) == event_type)]

    def wait(self, event_type: str, count: int = 1, timeout: float = 10) -> list[tuple[dict, dict]]:
        deadline = time.time() + timeout
        while time.time() < deadline:
            found = self.accepted(event_type)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"no {event_type} delivery; got {[_event_type(b) for _, b, _ in self.deliveries]}")

    def reset(self):
        with self.lock:
            self.deliveries.clear()
            self.fail_next = 0


def _event_type(body) -> str:
    if isinstance(body, list):
        return "Stock/AvailableStockLevelChanged"
    return body.get("EventType", "")


@pytest.fixture(scope="module")
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()


@pytest.fixture(scope="module")
def sandbox():
    process, base = start("--cin7-limit-minute", "100000", "--cin7-webhook-delays", "0,0.1,0.1,0.1,0.1,0.1")
    with process:
        yield base
        assert process.stop(signal.SIGTERM, 10) == 0


@pytest.fixture
def cin7(sandbox, receiver):
    admin = sandbox.split("/ExternalApi")[0]
    http("POST", admin + "/__sandbox/reset")
    receiver.reset()
    yield Cin7(sandbox)
    http("POST", admin + "/__sandbox/reset")


def subscribe(cin7, receiver, event_type, **extra):
    body = {"Type": event_type, "IsActive": True, "ExternalURL": receiver.url, "ExternalAuthorizationType": "bearerauth",
            "ExternalBearerToken": "hook-token-1", "ExternalHeaders": [{"Key": "X-LedgerBridge-Tenant", "Value": "tenant-7"}], **extra}
    return cin7.checked("POST", "webhooks", body)["Webhooks"][0]


def new_order(cin7):
    sale = cin7.checked("POST", "sale", {"Customer": "Ridgeway University", "Location": "Main Warehouse", "SkipQuote": True, "ShipBy": "2025-03-10",
                                         "ExternalID": f"ext-{uuid.uuid4().hex[:8]}"})
    lines = [{"SKU": "WID-001", "Quantity": 2, "Price": 10, "TaxRule": "GST on Income", "Total": 20}]
    cin7.checked("POST", "sale/order", {"SaleID": sale["ID"], "Status": "AUTHORISED", "Lines": lines})
    return sale


def test_subscriptions_are_created_listed_updated_and_deleted(cin7, receiver):
    webhook = subscribe(cin7, receiver, "Sale/OrderAuthorised")
    assert webhook["Name"] == "Sale order has been authorised" and webhook["IsActive"] is True
    listed = cin7.checked("GET", "webhooks")["Webhooks"]
    assert [w["ID"] for w in listed] == [webhook["ID"]]
    updated = cin7.checked("PUT", "webhooks", {"ID": webhook["ID"], "IsActive": False, "ExternalAuthorizationType": "basicauth",
                                               "ExternalUserName": "hook", "ExternalPassword": "pw"})["Webhooks"][0]
    assert updated["IsActive"] is False and updated["ExternalAuthorizationType"] == "basicauth"
    status, _, body = cin7.call("DELETE", f"webhooks?ID={webhook['ID']}")
    assert status == 200 and body == {"Webhooks": []}
    assert cin7.checked("GET", "webhooks")["Webhooks"] == []


def test_bad_subscriptions_are_400(cin7, receiver):
    assert any("not valid" in m for m in cin7.failed("POST", "webhooks", {"Type": "Sale/Exploded", "IsActive": True,
                                                                         "ExternalURL": receiver.url, "ExternalAuthorizationType": "noauth"}))
    assert any("ExternalPassword" in m for m in cin7.failed("POST", "webhooks", {"Type": "Sale/Voided", "IsActive": True, "ExternalURL": receiver.url,
                                                                                "ExternalAuthorizationType": "basicauth", "ExternalUserName": "u"}))
    assert any("ExternalURL" in m for m in cin7.failed("POST", "webhooks", {"Type": "Sale/Voided", "IsActive": True, "ExternalURL": "ftp:nowhere",
                                                                           "ExternalAuthorizationType": "noauth"}))
    for _ in range(5):
        subscribe(cin7, receiver, "Sale/Voided")
    assert any("limit of 5" in m for m in cin7.failed("POST", "webhooks", {"Type": "Sale/Voided", "IsActive": True, "ExternalURL": receiver.url,
                                                                          "ExternalAuthorizationType": "noauth"}))
    cin7.failed("PUT", "webhooks", {"ID": str(uuid.uuid4()), "IsActive": True})
    cin7.failed("DELETE", f"webhooks?ID={uuid.uuid4()}")


def test_a_sale_raises_its_documented_events_with_credentials(cin7, receiver):
    for event_type in ["Sale/OrderAuthorised", "Sale/ShipmentAuthorised", "Sale/InvoiceAuthorised", "Sale/PartialPaymentReceived",
                       "Sale/FullPaymentReceived", "Stock/AvailableStockLevelChanged"]:
        subscribe(cin7, receiver, event_type)
    sale = new_order(cin7)
    headers, body = receiver.wait("Sale/OrderAuthorised")[0]
    assert headers["authorization"] == "Bearer hook-token-1" and headers["x-ledgerbridge-tenant"] == "tenant-7"
    assert body["SaleID"].lower() == sale["ID"] and body["SaleOrderNumber"] == sale["Order"]["SaleOrderNumber"]

    task = cin7.checked("GET", "sale", query=f"ID={sale['ID']}")["Fulfilments"][0]["TaskID"]
    cin7.checked("POST", "sale/fulfilment/pick", {"TaskID": task, "Status": "AUTHORISED"})
    cin7.checked("POST", "sale/fulfilment/pack", {"TaskID": task, "Status": "AUTHORISED"})
    cin7.checked("POST", "sale/fulfilment/ship", {"TaskID": task, "Status": "AUTHORISED",
                                                "Lines": [{"ShipmentDate": "2025-03-04", "Carrier": "DEFAULT Carrier", "TrackingNumber": "T1"}]})
    _, shipped = receiver.wait("Sale/ShipmentAuthorised")[0]
    assert shipped["SaleTaskID"].lower() == task.lower() and shipped["OrderNumber"] == sale["Order"]["SaleOrderNumber"]
    _, stock = receiver.wait("Stock/AvailableStockLevelChanged")[0]
    assert stock and stock[0]["SKU"] == "WID-001" and stock[0]["MaxRows"] == len(stock)

    invoice = cin7.checked("POST", "sale/invoice", {"SaleID": sale["ID"], "TaskID": "00000000-0000-0000-0000-000000000000",
                                                  "Status": "AUTHORISED", "InvoiceDate": "2025-03-03T00:00:00"})["Invoices"][0]
    _, invoiced = receiver.wait("Sale/InvoiceAuthorised")[0]
    assert invoiced["InvoiceNumber"] == invoice["InvoiceNumber"]
    cin7.checked("POST", "sale/payment", {"TaskID": invoice["TaskID"], "Type": "PAYMENT", "Amount": 10, "DatePaid": "2025-03-05", "Account": "090"})
    _, partial = receiver.wait("Sale/PartialPaymentReceived")[0]
    assert partial["DocumentNumber"] == invoice["InvoiceNumber"] and partial["DocumentType"] == "invoice"
    assert partial["DocumentDate"] == "03/03/2025"
    cin7.checked("POST", "sale/payment", {"TaskID": invoice["TaskID"], "Type": "PAYMENT", "Amount": invoice["Total"] - 10,
                                        "DatePaid": "2025-03-06", "Account": "090"})
    receiver.wait("Sale/FullPaymentReceived")
    # Nothing was subscribed for picks: nothing was sent for them.
    assert receiver.accepted("Sale/PickAuthorised") == []


def test_customer_updates_carry_the_customer(cin7, receiver):
    subscribe(cin7, receiver, "Customer/Updated", ExternalAuthorizationType="noauth", ExternalHeaders=[])
    customer = cin7.checked("GET", "customer", query="Name=Ridgeway University")["CustomerList"][0]
    cin7.checked("PUT", "customer", {"ID": customer["ID"], "Comments": "updated by test"})
    headers, body = receiver.wait("Customer/Updated")[0]
    assert "authorization" not in headers
    assert body["NumberOfCustomers"] == 1 and body["CustomerDetailsList"][0]["Customer"]["ID"] == customer["ID"]
    assert body["CustomerDetailsList"][0]["Customer"]["Comments"] == "updated by test"


def test_failed_deliveries_are_retried_then_the_webhook_is_deactivated(cin7, receiver, sandbox):
    webhook = subscribe(cin7, receiver, "Sale/OrderAuthorised")
    receiver.fail_next = 2
    new_order(cin7)
    receiver.wait("Sale/OrderAuthorised")
    assert [s for _, _, s in receiver.deliveries] == [503, 503, 200]
    assert cin7.checked("GET", "webhooks")["Webhooks"][0]["IsActive"] is True

    receiver.reset()
    receiver.fail_next = 100
    new_order(cin7)
    deadline = time.time() + 10
    while time.time() < deadline and cin7.checked("GET", "webhooks")["Webhooks"][0]["IsActive"]:
        time.sleep(0.05)
    assert cin7.checked("GET", "webhooks")["Webhooks"][0]["IsActive"] is False
    assert len(receiver.deliveries) == 6, "six attempts, then the webhook is switched off"
    # Deactivated: later events are not sent.
    receiver.reset()
    new_order(cin7)
    time.sleep(0.5)
    assert receiver.deliveries == []
    admin = sandbox.split("/ExternalApi")[0]
    state = json.loads(http("GET", admin + "/__sandbox/webhooks")[2])
    assert state["provider"] == "cin7" and any(d["webhookID"] == webhook["ID"] for d in state["deliveries"])


def test_duplicate_delivery_fault(cin7, receiver, sandbox):
    admin = sandbox.split("/ExternalApi")[0]
    status, _, body = http("POST", admin + "/__sandbox/faults", json.dumps({"fault": "duplicateDelivery", "path": "/cin7/hook", "times": 1}).encode(),
                           {"content-type": "application/json"})
    assert status == 201, body
    subscribe(cin7, receiver, "Sale/OrderAuthorised")
    new_order(cin7)
    first, second = receiver.wait("Sale/OrderAuthorised", count=2)
    assert first[1] == second[1]


def test_purchase_events(cin7, receiver):
    for event_type in ["Purchase/OrderAuthorised", "Purchase/StockReceivedAuthorised"]:
        subscribe(cin7, receiver, event_type)
    purchase = cin7.checked("POST", "advanced-purchase", {"Supplier": "Koala Components Pty Ltd", "Approach": "STOCK", "Location": "Main Warehouse"})
    cin7.checked("POST", "purchase/order", {"TaskID": purchase["ID"], "Status": "AUTHORISED",
                                            "Lines": [{"SKU": "WID-002", "Quantity": 10, "Price": 8, "Total": 80}]})
    _, ordered = receiver.wait("Purchase/OrderAuthorised")[0]
    assert ordered["TaskID"] == purchase["ID"] and ordered["PurchaseOrderNumber"] == purchase["OrderNumber"]
    assert ordered["SupplierName"] == "Koala Components Pty Ltd"
    for quantity in (4, 6):  # two partial receipts: one event each
        cin7.checked("POST", "advanced-purchase/stock", {"PurchaseID": purchase["ID"], "TaskID": "00000000-0000-0000-0000-000000000000",
                                                         "Status": "AUTHORISED", "Lines": [{"SKU": "WID-002", "Quantity": quantity, "Date": "2025-03-03"}]})
    receiver.wait("Purchase/StockReceivedAuthorised", count=2)
    time.sleep(0.3)
    assert len(receiver.accepted("Purchase/OrderAuthorised")) == 1, "the order was authorised once"
