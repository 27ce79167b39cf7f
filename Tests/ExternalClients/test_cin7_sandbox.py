"""The Cin7 Core sandbox through `ledgerbridge sandbox`, called the way Cin7
clients call the real service: two auth headers, `Page`/`Limit`, the list
wrappers, `ModifiedSince`, the Error Model, the rate limit. Every 200 is
validated against the matching response schema of Cin7's own OpenAPI
conversion; every error against the blueprint's Error Model."""

from __future__ import annotations

import json
import signal
import time
import uuid

import pytest

from cin7_support import ACCOUNT, KEY, Cin7, stamp, start, validate, validate_error
from sandbox_support import http


@pytest.fixture(scope="module")
def cin7():
    process, base = start("--cin7-limit-minute", "100000")
    with process:
        yield Cin7(base)
        assert process.stop(signal.SIGTERM, 10) == 0


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def customer_body(name: str, **extra):
    return {"Name": name, "Status": "Active", "Currency": "AUD", "PaymentTerm": "30 days", "AccountReceivable": "610",
            "RevenueAccount": "200", "TaxRule": "GST on Income", **extra}


def supplier_body(name: str, **extra):
    return {"Name": name, "Status": "Active", "Currency": "AUD", "PaymentTerm": "30 days", "AccountPayable": "800",
            "TaxRule": "GST on Expenses", **extra}


def product_body(sku: str, **extra):
    return {"SKU": sku, "Name": f"Product {sku}", "Category": "General", "Type": "Stock", "CostingMethod": "FIFO", "UOM": "Item",
            "Status": "Active", "PriceTier1": 10, **extra}


# --- /me, base path, auth, routing -------------------------------------------------------------

def test_me_is_the_company_behind_the_account(cin7):
    me = cin7.checked("GET", "me")
    assert me["Company"] == "Sandbox Trading Pty Ltd" and me["Currency"] == "AUD"
    assert me["OpeningBalanceDate"] == "2024-06-30T00:00:00" and me["LockDate"] is None
    rules = cin7.checked("GET", "ref/tax", query="Limit=1000")["TaxRuleList"]
    assert me["DefaultSaleTaxRuleId"] in [r["ID"] for r in rules]


def test_base_path_and_endpoint_names_ignore_case(cin7):
    lower = Cin7(cin7.base.replace("/ExternalApi/v2/", "/externalapi/v2/"))
    status, _, body = lower.call("GET", "Me")
    assert status == 200 and body["Company"] == "Sandbox Trading Pty Ltd"
    status, _, body = cin7.call("GET", "Customer?page=1&limit=1")
    assert status == 200 and body["Page"] == 1 and len(body["CustomerList"]) == 1


@pytest.mark.parametrize("account,key", [
    (None, None), (ACCOUNT, None), (None, KEY), (ACCOUNT, "wrong-key"),
    (str(uuid.uuid4()), KEY), ("not-a-guid", KEY), (ACCOUNT, KEY.upper()),
])
def test_bad_or_missing_credentials_are_403_with_the_error_model(cin7, account, key):
    client = Cin7(cin7.base, account, key)
    status, _, body = client.call("GET", "me")
    assert status == 403
    validate_error(body, 403)


def test_the_account_id_is_a_guid_so_its_case_does_not_matter(cin7):
    status, _, _ = Cin7(cin7.base, ACCOUNT.upper(), KEY).call("GET", "me")
    assert status == 200


def test_unknown_endpoint_is_404_and_a_wrong_method_405(cin7):
    assert cin7.failed("GET", "Products", status=404)  # the portal's own example of a wrong name
    status, _, body = Cin7(cin7.base, None, None).call("GET", "nothing/here")
    assert status == 404, "routing comes before authentication"
    validate_error(body, 404)
    for method, endpoint in [("POST", "me"), ("DELETE", "customer"), ("DELETE", "product"), ("DELETE", "ref/tax"), ("PATCH", "supplier")]:
        status, headers, body = cin7.call(method, endpoint, {})
        assert status == 405, (method, endpoint)
        validate_error(body, 405)
        assert "GET" in headers["allow"]


def test_an_unparseable_body_is_500(cin7):
    assert cin7.failed("POST", "customer", raw_body=b"{not json", status=500)
    assert cin7.failed("POST", "customer", raw_body=b"", status=500)
    assert cin7.failed("POST", "customer", raw_body=b"[1, 2]", status=500)
    assert cin7.failed("POST", "product", product_body("X-" + uuid.uuid4().hex[:6], PriceTier1="ten dollars"), status=500)
    assert cin7.failed("PUT", "ref/tax", raw_body=b'{"ID": 5, "Name": [1]}', status=500)


# --- paging ------------------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["Limit=0", "Limit=1001", "Limit=-5", "Limit=ten", "Page=0", "Page=-1", "Page=x", "limit=5000"])
def test_paging_out_of_bounds_is_400(cin7, query):
    messages = cin7.failed("GET", f"ref/account?{query}")
    assert messages[0]


def test_paging_walks_total_with_page_and_limit(cin7):
    everything = cin7.checked("GET", "ref/account", query="Limit=1000")
    total = everything["Total"]
    assert total == len(everything["AccountsList"]) >= 16
    seen = []
    page = 1
    while True:
        body = cin7.checked("GET", "ref/account", query=f"Page={page}&Limit=5")
        assert body["Total"] == total and body["Page"] == page
        seen += [a["Code"] for a in body["AccountsList"]]
        if len(body["AccountsList"]) < 5:
            break
        page += 1
    assert seen == [a["Code"] for a in everything["AccountsList"]], "pages are disjoint, in a stable order"
    beyond = cin7.checked("GET", "ref/account", query="Page=99&Limit=100")
    assert beyond["AccountsList"] == [] and beyond["Total"] == total and beyond["Page"] == 99
    assert cin7.checked("GET", "ref/account")["Page"] == 1, "Page defaults to 1"
    assert len(cin7.checked("GET", "ref/account", query="Limit=1000")["AccountsList"]) == total, "1000 is allowed"


def test_the_default_limit_is_100(cin7):
    for i in range(101 - cin7.checked("GET", "supplier", query="IncludeDeprecated=true&Limit=1")["Total"]):
        cin7.checked("POST", "supplier", supplier_body(unique(f"Bulk {i:03d}"), AttributeSet="Standard"))
    body = cin7.checked("GET", "supplier", query="IncludeDeprecated=true")
    assert body["Total"] >= 101 and len(body["SupplierList"]) == 100


# --- chart of accounts -------------------------------------------------------------------------

def test_accounts_list_filters_and_create_update_delete(cin7):
    body = cin7.checked("GET", "ref/account", query="Limit=1000")
    by_code = {a["Code"]: a for a in body["AccountsList"]}
    assert by_code["610"]["SystemAccount"] == "DEBTORS" and by_code["610"]["DisplayName"] == "610: Accounts Receivable"
    assert by_code["090"]["Type"] == "BANK" and by_code["090"]["ForPayments"] is True
    names = [a["Name"] for a in body["AccountsList"]]
    assert names == sorted(names, key=str.lower), "listed by name, as the blueprint's example"
    assert [a["Code"] for a in cin7.checked("GET", "ref/account", query="Code=820")["AccountsList"]] == ["820"]
    assert {a["Code"] for a in cin7.checked("GET", "ref/account", query="Name=accounts")["AccountsList"]} == {"610", "800"}
    assert all(a["Type"] == "CURRLIAB" for a in cin7.checked("GET", "ref/account", query="Type=CURRLIAB&Limit=100")["AccountsList"])
    # Live Cin7 answers an unmatched Code with a 400, not an empty list.
    assert "not found" in cin7.failed("GET", "ref/account?Code=NOPE")[0]

    code = str(700 + int(uuid.uuid4().hex[:4], 16) % 99)
    while code in by_code:
        code = str(int(code) + 1)
    created = cin7.checked("POST", "ref/account", {"Code": code, "Name": "Freight In", "Type": "EXPENSE", "Status": "ACTIVE",
                                                   "Description": "Inbound freight", "SystemAccount": "UNPAIDEXPCLM"})
    assert created["Total"] == 1 and created["Page"] == 1
    [account] = created["AccountsList"]
    assert account["Class"] == "EXPENSE" and account["DisplayName"] == f"{code}: Freight In"
    updated = cin7.checked("PUT", "ref/account", {"Code": code, "Name": "Freight Inwards", "SystemAccount": "ROUNDING"})
    assert updated["AccountsList"][0]["Name"] == "Freight Inwards"
    assert updated["AccountsList"][0]["SystemAccount"] == "UNPAIDEXPCLM", "SystemAccount is read-only for PUT"
    assert any("system account" in m for m in cin7.failed("DELETE", f"ref/account?Code={code}"))


def test_an_account_without_a_system_account_has_null_there(cin7):
    """openapi.yaml's POST/PUT schemas for /ref/account were generated from an example
    whose SystemAccount was a string, and say `type: string`; its GET schema and the
    blueprint's GET example ("Advertising": null) show null for an ordinary account.
    The sandbox sends null, so this answer is checked against the GET schema."""
    code = "A" + uuid.uuid4().hex[:5]
    status, _, created = cin7.call("POST", "ref/account", {"Code": code, "Name": "Sundry", "Type": "OVERHEADS", "Status": "ACTIVE"})
    assert status == 200 and created["AccountsList"][0]["SystemAccount"] is None
    validate("GET", "ref/account", 200, created)
    assert cin7.checked("DELETE", "ref/account", query=f"Code={code}") == {"Success": True}
    assert cin7.failed("GET", f"ref/account?Code={code}")
    assert cin7.failed("DELETE", f"ref/account?Code={code}")


def test_account_validation_errors(cin7):
    messages = cin7.failed("POST", "ref/account", {"Name": "x" * 300, "Type": "MAGIC"})
    text = " ".join(messages)
    assert len(messages) >= 4, messages  # Code, Name length, Type, Status
    assert "Code" in text and "Status" in text and "MAGIC" in text
    assert any("already exists" in m for m in cin7.failed("POST", "ref/account", {"Code": "200", "Name": "Dup", "Type": "REVENUE", "Status": "ACTIVE"}))
    bank = cin7.failed("POST", "ref/account", {"Code": "B" + uuid.uuid4().hex[:5], "Name": "Float", "Type": "BANK", "Status": "ACTIVE"})
    assert any("Bank" in m for m in bank)
    assert cin7.failed("PUT", "ref/account", {"Code": "NOPE", "Name": "x"})
    assert any("system account" in m for m in cin7.failed("DELETE", "ref/account?Code=610"))
    assert any("used by" in m for m in cin7.failed("DELETE", "ref/account?Code=200"))


# --- tax rules ---------------------------------------------------------------------------------

def test_tax_rules_list_create_update(cin7):
    rules = cin7.checked("GET", "ref/tax", query="Limit=1000")["TaxRuleList"]
    gst = next(r for r in rules if r["Name"] == "GST on Income")
    assert gst["TaxPercent"] == 10 and gst["Components"][0]["Percent"] == "10.0000000000" and gst["IsTaxForSale"]
    assert {r["Name"] for r in cin7.checked("GET", "ref/tax", query="IsTaxForPurchase=true&IsActive=true")["TaxRuleList"]} >= {"GST on Expenses", "BAS Excluded"}
    assert [r["Name"] for r in cin7.checked("GET", "ref/tax", query="Name=gst%20on")["TaxRuleList"]] == ["GST on Expenses", "GST on Income"]
    assert cin7.checked("GET", "ref/tax", query=f"ID={gst['ID']}")["TaxRuleList"][0]["ID"] == gst["ID"]

    name = unique("Luxury")
    created = cin7.checked("POST", "ref/tax", {"Name": name, "Account": "820", "IsActive": True, "TaxInclusive": False,
                                               "TaxPercent": 99, "IsTaxForSale": True, "IsTaxForPurchase": False,
                                               "Components": [{"Name": "GST", "Percent": "10.0000000000", "AccountCode": "820", "Compound": "0", "ComponentOrder": "1"},
                                                              {"Name": "LCT", "Percent": 33, "AccountCode": "820", "Compound": "1", "ComponentOrder": 2}]})
    [rule] = created["TaxRuleList"]
    assert rule["TaxPercent"] == 43, "read-only: the sum of the components"
    assert [c["Percent"] for c in rule["Components"]] == ["10.0000000000", "33.0000000000"]
    assert rule["Components"][1]["Compound"] == "1"
    assert all(c["ID"] == c["ID"].upper() for c in rule["Components"])
    components = [dict(c) for c in rule["Components"]]
    components[1]["Percent"] = "23.0000000000"
    updated = cin7.checked("PUT", "ref/tax", {"ID": rule["ID"], "Name": name, "Components": components})
    assert updated["TaxRuleList"][0]["TaxPercent"] == 33
    assert updated["TaxRuleList"][0]["Components"][1]["ID"] == rule["Components"][1]["ID"], "a component sent with its ID is kept"


def test_tax_rule_validation_errors(cin7):
    messages = cin7.failed("POST", "ref/tax", {"Account": "200", "Components": [{"Percent": 120}]})
    text = " ".join(messages)
    assert "Name" in text and "LIABILITY" in text and "IsActive" in text and "TaxInclusive" in text and "between 0 and 100" in text
    assert any("already exists" in m for m in cin7.failed("POST", "ref/tax", {"Name": "GST on Income", "Account": "820", "IsActive": True,
                                                                                "TaxInclusive": False, "Components": [{"Name": "GST", "Percent": 10}]}))
    assert cin7.failed("PUT", "ref/tax", {"ID": str(uuid.uuid4()), "Name": "x"})
    assert cin7.failed("GET", "ref/tax?ID=not-a-guid")
    assert cin7.failed("GET", "ref/tax?IsActive=maybe")


# --- customers ---------------------------------------------------------------------------------

def test_customer_create_get_update_as_the_blueprint_shows(cin7):
    name = unique("Human Test")
    created = cin7.checked("POST", "customer", customer_body(name, Comments=None, TaxNumber=None, Carrier="DEFAULT Carrier",
                                                             Addresses=[{"Line1": "L3, Southbank House", "Line2": "13 Gallery Ave", "City": "Melbourne",
                                                                         "State": "VIC", "Postcode": "3131", "Country": "Australia", "Type": "Billing",
                                                                         "DefaultForType": True}],
                                                             Contacts=[{"Name": "Sheree Bond", "Phone": "0800 4389376", "Email": "accounts@diisr.example", "Default": True}]))
    assert created["Total"] == 1 and created["Page"] == 1
    [customer] = created["CustomerList"]
    assert customer["Status"] == "Active" and customer["PriceTier"] == "Tier 1" and customer["Location"] == "Main Warehouse"
    assert customer["Comments"] == "" and customer["TaxNumber"] == "", "free text sent as null comes back empty, as in the PUT example"
    assert customer["SalesRepresentative"] is None and customer["AttributeSet"] is None
    address_id = customer["Addresses"][0]["ID"]

    got = cin7.checked("GET", "customer", query=f"ID={customer['ID']}")
    assert got["Total"] == 1 and got["CustomerList"][0] == customer
    assert "ProductPrices" not in got["CustomerList"][0]

    time.sleep(0.01)
    updated = cin7.checked("PUT", "customer", {"ID": customer["ID"], "Discount": 12.5, "Comments": "VIP",
                                               "Addresses": [{"ID": address_id, "City": "Southbank"},
                                                             {"Line1": "Dock 4", "Country": "Australia", "Type": "Shipping"}]})
    [after] = updated["CustomerList"]
    assert after["Discount"] == 12.5 and after["Comments"] == "VIP" and after["Name"] == name, "what is not sent stays"
    assert stamp(after) > stamp(customer)
    assert [(a["ID"] == address_id, a["City"], a["Type"]) for a in after["Addresses"]][0] == (True, "Southbank", "Billing")
    assert len(after["Addresses"]) == 2


def test_customer_filters_modified_since_and_deprecation(cin7):
    stem = "Filter " + uuid.uuid4().hex[:6]
    first = cin7.checked("POST", "customer", customer_body(f"{stem} Alpha"))["CustomerList"][0]
    time.sleep(0.01)
    second = cin7.checked("POST", "customer", customer_body(f"{stem} Beta", Contacts=[{"Name": "Zed Zulu", "Email": f"zz{stem[-6:]}@example.com"}]))["CustomerList"][0]
    assert [c["Name"] for c in cin7.checked("GET", "customer", query=f"Name={stem}")["CustomerList"]] == [f"{stem} Alpha", f"{stem} Beta"]
    assert [c["ID"] for c in cin7.checked("GET", "customer", query=f"ContactFilter=zz{stem[-6:]}@EXAMPLE.com")["CustomerList"]] == [second["ID"]]
    assert second["ID"] in [c["ID"] for c in cin7.checked("GET", "customer", query="ContactFilter=Zed&Limit=1000")["CustomerList"]]

    # ModifiedSince is inclusive: the newest LastModifiedOn seen, sent back, returns that record again.
    since = cin7.checked("GET", "customer", query=f"ModifiedSince={second['LastModifiedOn']}&Limit=1000")["CustomerList"]
    assert [c["ID"] for c in since][:1] == [second["ID"]] and first["ID"] not in [c["ID"] for c in since]
    both = cin7.checked("GET", "customer", query=f"ModifiedSince={first['LastModifiedOn'].rstrip('Z')}&Name={stem}")
    assert both["Total"] == 2, "a date without a zone is UTC"
    assert cin7.checked("GET", "customer", query=f"ModifiedSince=2099-01-01&Name={stem}")["Total"] == 0
    assert cin7.failed("GET", "customer?ModifiedSince=yesterday")
    demo = cin7.checked("GET", "customer", query="ModifiedSince=2024-01-01T00:00:00&Limit=1000")["CustomerList"]
    assert "Ridgeway University" in [c["Name"] for c in demo]

    time.sleep(0.01)
    deprecated = cin7.checked("PUT", "customer", {"ID": first["ID"], "Status": "deprecated"})["CustomerList"][0]
    assert deprecated["Status"] == "Deprecated"
    assert [c["Name"] for c in cin7.checked("GET", "customer", query=f"Name={stem}")["CustomerList"]] == [f"{stem} Beta"]
    assert cin7.checked("GET", "customer", query=f"Name={stem}&IncludeDeprecated=true")["Total"] == 2
    assert cin7.checked("GET", "customer", query=f"ID={first['ID']}")["Total"] == 1, "asked for by ID, a deprecated customer is found"
    modified = cin7.checked("GET", "customer", query=f"ModifiedSince={deprecated['LastModifiedOn']}&IncludeDeprecated=1")["CustomerList"]
    assert [c["ID"] for c in modified] == [first["ID"]]


def test_customer_product_prices_only_when_asked(cin7):
    sku = "PP-" + uuid.uuid4().hex[:6]
    product = cin7.checked("POST", "product", product_body(sku))["Products"][0]
    name = unique("Priced")
    customer = cin7.checked("POST", "customer", customer_body(name, ProductPrices=[{"ProductSKU": sku, "Price": 7.5}]))["CustomerList"][0]
    assert customer["ProductPrices"] == [{"ProductID": product["ID"], "ProductName": product["Name"], "ProductSKU": sku, "Price": 7.5}]
    assert "ProductPrices" not in cin7.checked("GET", "customer", query=f"Name={name}")["CustomerList"][0]
    assert cin7.checked("GET", "customer", query=f"Name={name}&IncludeProductPrices=true")["CustomerList"][0]["ProductPrices"][0]["Price"] == 7.5
    prices = cin7.checked("GET", "product", query=f"ID={product['ID']}&IncludeCustomPrices=true")["Products"][0]["CustomPrices"]
    assert prices[0]["CustomerID"] == customer["ID"] and prices[0]["Price"] == 7.5
    cin7.checked("PUT", "product", {"ID": product["ID"], "Name": "Renamed " + sku})
    listed = cin7.checked("GET", "customer", query=f"Name={name}&IncludeProductPrices=true")["CustomerList"][0]["ProductPrices"][0]
    assert listed["ProductName"] == "Renamed " + sku, "prices show the product as it is now"


def test_customer_validation_errors(cin7):
    messages = cin7.failed("POST", "customer", {"Name": ""})
    for field in ["Name", "Status", "Currency", "PaymentTerm", "AccountReceivable", "RevenueAccount", "TaxRule"]:
        assert any(field in m for m in messages), (field, messages)
    wrong = cin7.failed("POST", "customer", customer_body(unique("Wrong"), Currency="XXX", PaymentTerm="90 days", AccountReceivable="200",
                                                          RevenueAccount="610", TaxRule="GST on Expenses", Discount=150, PriceTier="Tier 99",
                                                          Location="Mars", Status="Sleeping", Addresses=[{"Line1": "x"}]))
    for fragment in ["XXX", "90 days", "AccountReceivable", "RevenueAccount", "GST on Expenses", "Discount", "Tier 99", "Mars", "Sleeping",
                     "Addresses[0].Country", "Addresses[0].Type"]:
        assert any(fragment in m for m in wrong), (fragment, wrong)
    name = unique("Twice")
    cin7.checked("POST", "customer", customer_body(name))
    assert any("already exists" in m for m in cin7.failed("POST", "customer", customer_body(name.upper())))
    assert cin7.failed("PUT", "customer", {"ID": str(uuid.uuid4()), "Name": "Ghost"})
    assert cin7.failed("PUT", "customer", {"Name": "No ID"})
    assert cin7.failed("GET", "customer?ID=123")
    assert cin7.failed("GET", "customer?IncludeDeprecated=perhaps")


# --- suppliers ---------------------------------------------------------------------------------

def test_supplier_create_update_list(cin7):
    """openapi.yaml's POST /supplier schema was generated from an example with empty
    Addresses and Contacts and types their items as strings; the supplier is created
    without them and gets them on PUT, whose schema has the real item shapes. Both
    write schemas type AttributeSet as a string (the examples set it), so it is sent."""
    name = unique("Bayside Club")
    created = cin7.checked("POST", "supplier", supplier_body(name, AttributeSet="Standard", AdditionalAttribute1="Black", AdditionalAttribute4=None))
    [supplier] = created["SupplierList"]
    assert supplier["AdditionalAttribute1"] == "Black" and supplier["AdditionalAttribute4"] == "" and supplier["Comments"] == ""
    time.sleep(0.01)
    updated = cin7.checked("PUT", "supplier", {"ID": supplier["ID"], "Name": name + " Ltd",
                                               "Addresses": [{"Line1": "148 Bay Harbour Road", "Country": "Australia", "Type": "Business", "DefaultForType": True}],
                                               "Contacts": [{"Name": "Bob Partridge", "Phone": "02 2024455", "Default": True}]})
    [after] = updated["SupplierList"]
    assert after["Name"] == name + " Ltd" and after["AccountPayable"] == "800" and stamp(after) > stamp(supplier)
    assert after["Addresses"][0]["City"] == "" and after["Contacts"][0]["Email"] == ""
    listed = cin7.checked("GET", "supplier", query=f"Name={name}")
    assert listed["Total"] == 1 and listed["SupplierList"][0] == after
    assert cin7.checked("GET", "supplier", query=f"ModifiedSince={after['LastModifiedOn']}")["SupplierList"][0]["ID"] == after["ID"]
    cin7.checked("PUT", "supplier", {"ID": supplier["ID"], "Status": "Deprecated"})
    assert cin7.checked("GET", "supplier", query=f"Name={name}")["Total"] == 0
    assert cin7.checked("GET", "supplier", query=f"Name={name}&IncludeDeprecated=true")["Total"] == 1


def test_supplier_validation_errors(cin7):
    messages = cin7.failed("POST", "supplier", {"Name": "Nameless Co", "AccountPayable": "610", "TaxRule": "GST on Income", "Status": "Active"})
    for fragment in ["Currency", "PaymentTerm", "AccountPayable", "GST on Income"]:
        assert any(fragment in m for m in messages), (fragment, messages)
    assert cin7.failed("PUT", "supplier", {"ID": str(uuid.uuid4())})


# --- products ----------------------------------------------------------------------------------

def test_product_create_get_update(cin7):
    supplier = cin7.checked("GET", "supplier", query="Name=Koala")["SupplierList"][0]
    component = cin7.checked("GET", "product", query="Sku=WID-001")["Products"][0]
    sku = "BREAD-" + uuid.uuid4().hex[:6]
    created = cin7.checked("POST", "product", product_body(
        sku, Name="Baked Bread", CostingMethod="FEFO - Batch", DropShipMode="No Drop Ship", Barcode=None, WeightUnits="kg",
        PriceTiers={"Tier 2": 7.25}, Tags="Bread", COGSAccount="310", RevenueAccount="200", InventoryAccount="630",
        SaleTaxRule="GST on Income", PurchaseTaxRule="GST on Expenses", BillOfMaterial=True, QuantityToProduce=1,
        AssemblyCostEstimationMethod="Average Cost",
        Suppliers=[{"SupplierName": supplier["Name"], "SupplierInventoryCode": "KC-1", "Cost": 3.1}],
        ReorderLevels=[{"LocationName": "Main Warehouse", "MinimumBeforeReorder": 5, "ReorderQuantity": 20, "PickZones": "A"}],
        BillOfMaterialsProducts=[{"ProductCode": "WID-001", "Quantity": 2}]))
    [product] = created["Products"]
    assert product["SKU"] == sku and product["Type"] == "Stock" and product["PriceTier1"] == 10 and product["PriceTier2"] == 7.25
    assert product["PriceTiers"]["Tier 1"] == 10 and product["PriceTiers"]["Tier 2"] == 7.25 and len(product["PriceTiers"]) == 10
    assert product["Barcode"] == "" and product["Brand"] is None and product["AverageCost"] == 0
    assert product["Suppliers"][0]["SupplierID"] == supplier["ID"] and product["Suppliers"][0]["Currency"] == "AUD"
    assert product["ReorderLevels"][0]["LocationName"] == "Main Warehouse" and product["ReorderLevels"][0]["LocationID"]
    assert product["BillOfMaterialsProducts"][0]["ComponentProductID"] == component["ID"]
    assert product["Movements"] == [] and product["Attachments"] == []

    plain = cin7.checked("GET", "product", query=f"ID={product['ID']}")["Products"][0]
    assert plain["Suppliers"] == [] and plain["BillOfMaterialsProducts"] == [] and "CustomPrices" not in plain
    full = cin7.checked("GET", "product", query=f"ID={product['ID']}&IncludeSuppliers=true&IncludeBOM=true&IncludeReorderLevels=1")["Products"][0]
    assert full["Suppliers"] == product["Suppliers"] and full["BillOfMaterialsProducts"] == product["BillOfMaterialsProducts"]
    assert full["ReorderLevels"] == product["ReorderLevels"]

    time.sleep(0.01)
    updated = cin7.checked("PUT", "product", {"ID": product["ID"], "Type": "Service", "Name": "Baked Bread (sliced)", "Description": None,
                                              "ShortDescription": "Fresh"})
    [after] = updated["Products"]
    assert after["Type"] == "Stock", "Type is read-only for PUT"
    assert after["Name"] == "Baked Bread (sliced)" and after["Description"] == "" and after["ShortDescription"] == "Fresh"
    assert after["PriceTier2"] == 7.25 and stamp(after) > stamp(product)


def test_product_filters_contains_modified_since_and_deprecation(cin7):
    stem = uuid.uuid4().hex[:6].upper()
    a = cin7.checked("POST", "product", product_body(f"AA-{stem}-1", Name=f"Garden hose {stem}"))["Products"][0]
    time.sleep(0.01)
    b = cin7.checked("POST", "product", product_body(f"BB-{stem}-2", Name=f"Hose reel {stem}", Type="Service"))["Products"][0]
    assert [p["ID"] for p in cin7.checked("GET", "product", query=f"Sku={stem.lower()}")["Products"]] == [a["ID"], b["ID"]], "Sku contains, any case"
    assert [p["ID"] for p in cin7.checked("GET", "product", query=f"Name=reel%20{stem}")["Products"]] == [b["ID"]], "Name contains"
    assert [p["ID"] for p in cin7.checked("GET", "product", query=f"ModifiedSince={b['LastModifiedOn']}&Sku={stem}")["Products"]] == [b["ID"]]
    time.sleep(0.01)
    cin7.checked("PUT", "product", {"ID": a["ID"], "Status": "Deprecated"})
    assert [p["ID"] for p in cin7.checked("GET", "product", query=f"Sku={stem}")["Products"]] == [b["ID"]]
    assert cin7.checked("GET", "product", query=f"Sku={stem}&IncludeDeprecated=true")["Total"] == 2
    # Deprecating is a change: the deprecated product is "modified since" too.
    assert [p["ID"] for p in cin7.checked("GET", "product", query=f"Sku={stem}&IncludeDeprecated=true&ModifiedSince={b['LastModifiedOn']}")["Products"]] == [a["ID"], b["ID"]]
    assert cin7.checked("GET", "product", query=f"Sku={stem}&Limit=1&Page=2")["Products"] == []


def test_product_validation_errors(cin7):
    messages = cin7.failed("POST", "product", {"Name": "No SKU"})
    for field in ["SKU", "Category", "Type", "CostingMethod", "UOM", "Status"]:
        assert any(field in m for m in messages), (field, messages)
    wrong = cin7.failed("POST", "product", product_body("W-" + uuid.uuid4().hex[:6], Category="Nope", CostingMethod="LIFO", UOM="Barrel",
                                                         Type="Gadget", COGSAccount="200", SaleTaxRule="GST on Expenses", DropShipMode="Sometimes",
                                                         BillOfMaterial=True, PriceTiers={"Tier 42": 1},
                                                         BillOfMaterialsProducts=[{"ProductCode": "NO-SUCH-SKU", "Quantity": 1}]))
    for fragment in ["Nope", "LIFO", "Barrel", "Gadget", "COGSAccount", "GST on Expenses", "Sometimes", "QuantityToProduce", "Tier 42", "NO-SUCH-SKU"]:
        assert any(fragment in m for m in wrong), (fragment, wrong)
    assert any("already exists" in m for m in cin7.failed("POST", "product", product_body("wid-001")))
    assert cin7.failed("PUT", "product", {"ID": str(uuid.uuid4()), "Name": "Ghost"})
    assert cin7.failed("GET", "product?IncludeBOM=yes")


# --- availability ------------------------------------------------------------------------------

def test_product_availability(cin7):
    body = cin7.checked("GET", "ref/productavailability", query="Limit=1000")
    rows = {r["SKU"]: r for r in body["ProductAvailabilityList"]}
    assert body["Total"] == len(body["ProductAvailabilityList"])
    assert rows["WID-001"]["OnHand"] == 120 and rows["WID-001"]["Allocated"] == 10 and rows["WID-001"]["Available"] == 110
    assert rows["WID-001"]["StockOnHand"] == 504 and rows["WID-001"]["Location"] == "Main Warehouse"
    assert "SVC-INSTALL" not in rows, "services carry no stock"
    assert [r["SKU"] for r in cin7.checked("GET", "ref/productavailability", query="Sku=wid-002")["ProductAvailabilityList"]] == ["WID-002"]
    assert cin7.checked("GET", "ref/productavailability", query="Sku=WID")["Total"] == 0, "Sku is exact here"
    assert cin7.checked("GET", "ref/productavailability", query="Location=Sydney%20Store")["Total"] == 0
    assert {r["SKU"] for r in cin7.checked("GET", "ref/productavailability", query="Name=Widget")["ProductAvailabilityList"]} == {"WID-001", "WID-002"}
    sku = "AV-" + uuid.uuid4().hex[:6]
    cin7.checked("POST", "product", product_body(sku, Category="Components"))
    [row] = cin7.checked("GET", "ref/productavailability", query=f"Sku={sku}&Category=components")["ProductAvailabilityList"]
    assert row["OnHand"] == 0 and row["Location"] == "Main Warehouse" and row["Bin"] is None
    page = cin7.checked("GET", "ref/productavailability", query="Limit=1&Page=2")
    assert page["Total"] == body["Total"] + 1 and len(page["ProductAvailabilityList"]) == 1
    assert cin7.failed("GET", "ref/productavailability?Limit=1001")


# --- accounts are companies ----------------------------------------------------------------------

def test_each_account_is_its_own_company_and_applications_share_one():
    other, other_key, second_key = str(uuid.uuid4()), "other-key", "second-app-key"
    process, base = start("--cin7-account-id", ACCOUNT, "--cin7-application-key", KEY, "--cin7-account-id", other,
                          "--cin7-application-key", other_key, "--cin7-account-id", ACCOUNT.upper(), "--cin7-application-key", second_key,
                          "--cin7-no-sample-data")
    with process:
        first, second, app2 = Cin7(base), Cin7(base, other, other_key), Cin7(base, ACCOUNT, second_key)
        name = unique("Only Here")
        first.checked("POST", "customer", customer_body(name))
        assert first.checked("GET", "customer", query=f"Name={name}")["Total"] == 1
        assert app2.checked("GET", "customer", query=f"Name={name}")["Total"] == 1, "another application, the same company"
        assert second.checked("GET", "customer", query=f"Name={name}")["Total"] == 0
        assert second.checked("GET", "customer")["Total"] == 0 and second.checked("GET", "product")["Total"] == 0, "no sample data"
        assert second.checked("GET", "me")["Company"] == "Sandbox Company 2"
        status, _, _ = Cin7(base, other, KEY).call("GET", "me")
        assert status == 403, "a key belongs to its account"
        assert process.stop(signal.SIGTERM, 10) == 0


# --- the rate limit ----------------------------------------------------------------------------

def test_rate_limit_429_with_retry_after_per_account():
    other = str(uuid.uuid4())
    process, base = start("--cin7-limit-minute", "3", "--cin7-account-id", ACCOUNT, "--cin7-application-key", KEY,
                          "--cin7-account-id", ACCOUNT, "--cin7-application-key", "app-two", "--cin7-account-id", other,
                          "--cin7-application-key", "k")
    with process:
        client = Cin7(base)
        for _ in range(2):
            assert client.call("GET", "me")[0] == 200
        assert Cin7(base, ACCOUNT, "app-two").call("GET", "me")[0] == 200
        status, headers, body = client.call("GET", "customer")
        assert status == 429, "the budget is the account's, shared by its applications"
        validate_error(body, 429)
        assert "60 calls per minute" not in body[0]["Exception"] and "3 calls per minute" in body[0]["Exception"]
        assert 55 <= int(headers["retry-after"]) <= 60
        assert Cin7(base, ACCOUNT, "app-two").call("GET", "me")[0] == 429
        assert Cin7(base, other, "k").call("GET", "me")[0] == 200, "another account has its own budget"
        status, _, _ = Cin7(base, ACCOUNT, "wrong").call("GET", "me")
        assert status == 403, "bad credentials are refused before the limit"
        assert process.stop(signal.SIGTERM, 10) == 0


def test_rate_limit_503_variant_with_a_non_numeric_retry_after_per_application():
    process, base = start("--cin7-limit-minute", "2", "--cin7-rate-limit-status", "503", "--cin7-retry-after", "seconds-with-unit",
                          "--cin7-rate-limit-per", "application", "--cin7-account-id", ACCOUNT, "--cin7-application-key", KEY,
                          "--cin7-account-id", ACCOUNT, "--cin7-application-key", "app-two")
    with process:
        client = Cin7(base)
        assert [client.call("GET", "me")[0] for _ in range(2)] == [200, 200]
        status, headers, body = client.call("GET", "me")
        assert status == 503
        validate_error(body, 503)
        assert body[0]["Exception"] == "You reached 2 calls per minute API limit"
        assert headers["retry-after"].endswith(" Seconds") and 55 <= int(headers["retry-after"].split()[0]) <= 60
        assert Cin7(base, ACCOUNT, "app-two").call("GET", "me")[0] == 200, "per application: another key has its own budget"
        assert process.stop(signal.SIGTERM, 10) == 0


def test_the_default_budget_is_60_calls():
    process, base = start()
    with process:
        client = Cin7(base)
        statuses = [client.call("GET", "me")[0] for _ in range(61)]
        assert statuses[:60] == [200] * 60 and statuses[60] == 429
        assert process.stop(signal.SIGTERM, 10) == 0


# --- the quirk switches ----------------------------------------------------------------------------

def test_object_error_shape_and_html_for_unknown_endpoints():
    process, base = start("--cin7-error-shape", "object", "--cin7-unknown-endpoint", "html200")
    with process:
        client = Cin7(base)
        status, _, body = client.call("POST", "customer", {"Name": "x"})
        assert status == 400
        validate_error(body, 400, shape="object")
        status, headers, body = client.call("GET", "Products")
        assert status == 200 and headers["content-type"].startswith("text/html") and "<html" in body
        status, _, body = Cin7(base, None, None).call("GET", "me")
        assert status == 403
        validate_error(body, 403, shape="object")
        assert process.stop(signal.SIGTERM, 10) == 0


@pytest.mark.parametrize("args,complaint", [
    (["--cin7-account-id", ACCOUNT], "pairs"),
    (["--cin7-account-id", "not-a-guid", "--cin7-application-key", "k"], "GUID"),
    (["--cin7-rate-limit-status", "500"], "429 or 503"),
    (["--cin7-limit-minute", "0"], "at least 1"),
    (["--cin7-retry-after", "soon"], "seconds"),
    (["--cin7-port", "70000"], "--cin7-port"),
])
def test_bad_cin7_options_are_refused(args, complaint):
    import subprocess
    from sandbox_support import binary
    result = subprocess.run([binary(), "sandbox", "--xero-port", "0", "--cin7-port", "0", *args], capture_output=True, text=True, timeout=30)
    assert result.returncode != 0 and complaint in result.stderr, (result.returncode, result.stderr)


def test_faults_and_reset_on_the_cin7_sandbox():
    """The same /__sandbox/ control as Xero's: a 503 fault, a rate-limit fault in Cin7's
    shape, counts per endpoint, and a reset that returns the seeded data."""
    process, base = start("--cin7-rate-limit-status", "503")
    root = base.split("/ExternalApi")[0]
    with process:
        client = Cin7(base)
        status, _, body = http("POST", root + "/__sandbox/faults", json.dumps({"path": "/ExternalApi/v2/customer*", "fault": "status",
                                                                              "status": 503, "times": 1}).encode())
        assert status == 201, body
        assert client.call("GET", "customer")[0] == 503
        assert client.call("GET", "customer")[0] == 200
        http("POST", root + "/__sandbox/faults", json.dumps({"fault": "rateLimit", "times": 1}).encode())
        status, headers, errors = client.call("GET", "me")
        assert status == 503 and headers["retry-after"] == "60" and "API limit" in errors[0]["Exception"]
        state = json.loads(http("GET", root + "/__sandbox/state")[2])
        assert state["calls"]["GET /ExternalApi/v2/customer"] == {"503": 1, "200": 1}
        customers = state["records"]["CustomerList"]
        status, _, body = client.call("POST", "customer", customer_body("Reset Me " + uuid.uuid4().hex[:6]))
        assert status == 200, body
        assert json.loads(http("GET", root + "/__sandbox/state")[2])["records"]["CustomerList"] == customers + 1
        assert http("POST", root + "/__sandbox/reset")[0] == 204
        after = json.loads(http("GET", root + "/__sandbox/state")[2])
        assert after["records"]["CustomerList"] == customers and after["calls"] == {} and after["faults"] == []
        assert process.stop(signal.SIGTERM, 10) == 0
