"""The Xero sandbox's settings entities through the official xero-python SDK:
Accounts, TaxRates, Items, TrackingCategories (+ Options) and Organisation —
list, create, update, delete, If-Modified-Since where Xero has it, a 400 for
bad input per entity, and every raw response checked against xero_accounting.yaml."""

from __future__ import annotations

import datetime
import json
import re
import time
import uuid

import pytest

from sandbox_support import Session, xero_sandbox

CLIENT_ID, SECRET = "settings-client", "settings-secret"
ZERO_GUID = "00000000-0000-0000-0000-000000000000"
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@pytest.fixture(scope="module")
def sandbox():
    with xero_sandbox(CLIENT_ID, SECRET, "--xero-limit-minute", "100000", "--xero-limit-day", "100000") as (base, _):
        yield base


@pytest.fixture(scope="module")
def session(sandbox):
    return Session(sandbox, CLIENT_ID, SECRET)


def unique(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:6]}"


def short_code() -> str:
    return uuid.uuid4().hex[:7].upper()


def messages(data: bytes) -> list[str]:
    return [e["Message"] for element in json.loads(data)["Elements"] for e in element["ValidationErrors"]]


def second_tick() -> datetime.datetime:
    """A timestamp strictly before whatever is written next (If-Modified-Since has second precision)."""
    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    time.sleep(1.1)
    return before


# --------------------------------------------------------------------------- a new organisation


def test_a_new_organisation_has_an_nz_chart_tax_rates_and_its_details(session):
    accounts = {a.code: a for a in session.api.get_accounts(session.tenant).accounts}
    systems = {a.system_account: a.code for a in accounts.values() if a.system_account}
    assert {"DEBTORS": "610", "CREDITORS": "800", "GST": "820", "ROUNDING": "860", "RETAINEDEARNINGS": "960"}.items() <= systems.items()
    assert accounts["090"].type.value == "BANK" and accounts["090"].bank_account_type == "BANK" and accounts["090"].currency_code.value == "NZD"
    assert accounts["200"]._class == "REVENUE" and accounts["200"].tax_type == "OUTPUT2"
    assert accounts["310"].type.value == "DIRECTCOSTS" and accounts["310"]._class == "EXPENSE"
    assert accounts["630"].type.value == "INVENTORY" and accounts["630"]._class == "ASSET"
    assert accounts["960"]._class == "EQUITY"

    rates = {r.tax_type: r for r in session.api.get_tax_rates(session.tenant).tax_rates}
    assert {"OUTPUT2", "INPUT2", "NONE", "ZERORATED", "GSTONIMPORTS"} <= rates.keys()
    assert float(rates["OUTPUT2"].effective_rate) == 15 and rates["OUTPUT2"].can_apply_to_expenses is False
    assert rates["INPUT2"].can_apply_to_revenue is False and rates["INPUT2"].report_tax_type == "INPUT"

    [organisation] = session.api.get_organisations(session.tenant).organisations
    assert organisation.organisation_id == session.tenant
    assert organisation.base_currency.value == "NZD" and organisation.country_code.value == "NZ"
    assert organisation.version == "NZ" and organisation.sales_tax_basis == "PAYMENTS"
    assert organisation.timezone.value == "NEWZEALANDSTANDARDTIME" and organisation.period_lock_date is None

    for path in ("/Accounts", "/TaxRates", "/TaxRates/OUTPUT2", "/Organisation", f"/Accounts/{accounts['200'].account_id}"):
        status, _, _ = session.checked("GET", path)
        assert status == 200, path
    # Xero's shapes: lower-case GUIDs, rates with four places.
    _, _, data = session.raw("GET", "/Accounts")
    assert all(GUID.match(a["AccountID"]) for a in json.loads(data)["Accounts"])
    _, _, data = session.raw("GET", "/TaxRates/OUTPUT2")
    assert b'"Rate":15.0000' in data and b'"EffectiveRate":15.0000' in data


def test_organisation_cannot_be_changed(session):
    status, _, data = session.raw("POST", "/Organisation", {"Organisations": [{"Name": "Renamed"}]})
    assert status == 501 and json.loads(data)["Type"] == "ApiMethodNotImplementedException"
    assert session.api.get_organisations(session.tenant).organisations[0].name != "Renamed"


# --------------------------------------------------------------------------- accounts


def test_accounts_create_update_filter_archive_delete(session):
    from xero_python.accounting import Account, Accounts, AccountType
    from xero_python.exceptions import NotFoundException

    before = second_tick()
    code, name = short_code(), unique("Stock Write-offs")
    [made] = session.api.create_account(session.tenant, Account(code=code, name=name, type=AccountType.EXPENSE,
                                                                description="Shrinkage")).accounts
    assert made.status == "ACTIVE" and made._class == "EXPENSE" and made.tax_type == "INPUT2"
    assert made.reporting_code == "EXP" and made.reporting_code_name == "Expense" and made.system_account is None
    assert isinstance(made.updated_date_utc, datetime.datetime)
    time.sleep(1.1)
    [updated] = session.api.update_account(session.tenant, made.account_id,
                                           Accounts(accounts=[Account(name=name + " (NZ)", tax_type="NONE")])).accounts
    assert updated.name == name + " (NZ)" and updated.tax_type == "NONE" and updated.code == code
    assert updated.updated_date_utc > made.updated_date_utc

    recent = session.api.get_accounts(session.tenant, if_modified_since=before).accounts
    assert [a.account_id for a in recent] == [made.account_id], "the seeded chart is older than `before`"
    found = session.api.get_accounts(session.tenant, where=f'Type=="EXPENSE" AND Code=="{code}"').accounts
    assert [a.name for a in found] == [name + " (NZ)"]
    banks = session.api.get_accounts(session.tenant, where='Type=="BANK"', order="Name DESC").accounts
    assert [a.name for a in banks] == sorted((a.name for a in banks), reverse=True) and len(banks) >= 2

    bank_name = unique("Cheque Account")
    [bank] = session.api.create_account(session.tenant, Account(name=bank_name, type=AccountType.BANK,
                                                                bank_account_number="0123456789")).accounts
    assert bank.bank_account_type == "BANK" and bank.currency_code.value == "NZD" and bank._class == "ASSET" and bank.code is None

    [archived] = session.api.update_account(session.tenant, made.account_id, Accounts(accounts=[Account(status="ARCHIVED")])).accounts
    assert archived.status == "ARCHIVED"
    assert made.account_id in [a.account_id for a in session.api.get_accounts(session.tenant, where='Status=="ARCHIVED"').accounts]

    [deleted] = session.api.delete_account(session.tenant, made.account_id).accounts
    assert deleted.status == "DELETED"
    with pytest.raises(NotFoundException):
        session.api.get_account(session.tenant, made.account_id)
    assert made.account_id not in [a.account_id for a in session.api.get_accounts(session.tenant).accounts]

    # The same operations raw, against the spec.
    raw_code = short_code()
    status, _, data = session.checked("PUT", "/Accounts", {"Code": raw_code, "Name": unique("Raw"), "Type": "SALES"})
    assert status == 200
    raw = json.loads(data)["Accounts"][0]
    assert raw["Class"] == "REVENUE" and raw["TaxType"] == "OUTPUT2" and raw["BankAccountType"] == ""
    status, _, data = session.checked("POST", f"/Accounts/{raw['AccountID']}", {"Accounts": [{"Description": "Raw sales", "Class": "ASSET"}]})
    assert status == 200 and json.loads(data)["Accounts"][0]["Class"] == "REVENUE", "Class is read-only"
    status, _, data = session.checked("DELETE", f"/Accounts/{raw['AccountID']}")
    assert status == 200 and json.loads(data)["Accounts"][0]["Status"] == "DELETED"


def test_account_validation_errors(session):
    from xero_python.accounting import Account, AccountType
    from xero_python.exceptions import AccountingBadRequestException

    with pytest.raises(AccountingBadRequestException) as info:
        session.api.create_account(session.tenant, Account(code=short_code(), name="Sales", type=AccountType.REVENUE))
    assert info.value.status == 400 and info.value.reason == "Please enter a unique Name."

    status, _, data = session.checked("PUT", "/Accounts", {"Code": "200", "Name": unique("Dup code"), "Type": "SALES"})
    assert status == 400 and messages(data) == ["Please enter a unique Code."]
    body = json.loads(data)
    assert body["Type"] == "ValidationException" and body["Elements"][0]["AccountID"] == ZERO_GUID

    bad = [
        ({"Code": "ABCDEFGHIJK", "Name": unique("Long"), "Type": "EXPENSE"}, "Code must be 10 characters or fewer."),
        ({"Name": unique("No number"), "Type": "BANK"}, "Please enter a Bank Account Number."),
        ({"Code": short_code(), "Name": unique("Wrong tax"), "Type": "EXPENSE", "TaxType": "OUTPUT2"},
         "The TaxType code OUTPUT2 does not exist or cannot be used with this type of account."),
        ({"Code": short_code(), "Name": unique("Bad type"), "Type": "SAVINGS"}, "SAVINGS is not a valid account Type."),
        ({"Code": short_code(), "Type": "EXPENSE"}, "Please enter a Name."),
    ]
    for account, message in bad:
        status, _, data = session.checked("PUT", "/Accounts", account)
        assert status == 400 and message in messages(data), (account, data)

    receivable = session.api.get_accounts(session.tenant, where='SystemAccount=="DEBTORS"').accounts[0]
    status, _, data = session.checked("DELETE", f"/Accounts/{receivable.account_id}")
    assert status == 400 and messages(data) == ["System accounts cannot be deleted."]
    status, _, data = session.checked("POST", f"/Accounts/{receivable.account_id}", {"Accounts": [{"Status": "ARCHIVED"}]})
    assert status == 400 and messages(data) == ["System accounts cannot be archived."]


# --------------------------------------------------------------------------- tax rates


def test_tax_rates_create_update_delete(session):
    from xero_python.accounting import TaxComponent, TaxRate, TaxRates

    name = unique("Regional Levy")
    [made] = session.api.create_tax_rates(session.tenant, TaxRates(tax_rates=[
        TaxRate(name=name, report_tax_type="INPUT", tax_components=[TaxComponent(name="Levy", rate=2.25)])])).tax_rates
    assert re.fullmatch(r"TAX\d{3}", made.tax_type) and made.status == "ACTIVE"
    assert float(made.display_tax_rate) == float(made.effective_rate) == 2.25
    assert made.can_apply_to_revenue is False and made.can_apply_to_expenses is True
    assert session.api.get_tax_rate_by_tax_type(session.tenant, made.tax_type).tax_rates[0].name == name

    compound = unique("GST plus QST")
    [both] = session.api.create_tax_rates(session.tenant, TaxRates(tax_rates=[TaxRate(name=compound, report_tax_type="OUTPUT", tax_components=[
        TaxComponent(name="GST", rate=5), TaxComponent(name="QST", rate=9.975, is_compound=True)])])).tax_rates
    assert float(both.display_tax_rate) == pytest.approx(14.975) and float(both.effective_rate) == pytest.approx(15.4738)
    assert int(both.tax_type[3:]) == int(made.tax_type[3:]) + 1

    [renamed] = session.api.update_tax_rate(session.tenant, TaxRates(tax_rates=[TaxRate(tax_type=made.tax_type, name=name + " v2",
                                                                                      tax_components=[TaxComponent(name="Levy", rate=3)])])).tax_rates
    assert renamed.name == name + " v2" and float(renamed.effective_rate) == 3 and renamed.tax_type == made.tax_type
    # POST without TaxType finds the rate by Name.
    [deleted] = session.api.update_tax_rate(session.tenant, TaxRates(tax_rates=[TaxRate(name=compound, status="DELETED")])).tax_rates
    assert deleted.tax_type == both.tax_type and deleted.status == "DELETED"
    active = session.api.get_tax_rates(session.tenant, where='Status=="ACTIVE"', order="Name ASC").tax_rates
    assert both.tax_type not in [r.tax_type for r in active]
    assert [r.name for r in active] == sorted((r.name for r in active), key=str.lower)

    # No If-Modified-Since on TaxRates: the header is ignored.
    status, _, data = session.checked("GET", "/TaxRates", headers={"if-modified-since": "2999-01-01T00:00:00"})
    assert status == 200 and len(json.loads(data)["TaxRates"]) >= 7
    status, _, data = session.checked("PUT", "/TaxRates", {"TaxRates": [{"Name": unique("Raw rate"), "ReportTaxType": "OUTPUT",
                                                                         "TaxComponents": [{"Name": "GST", "Rate": 12.5}]}]})
    assert status == 200 and b'"Rate":12.5000' in data
    status, _, _ = session.checked("POST", "/TaxRates", {"TaxRates": [{"TaxType": made.tax_type, "Status": "ARCHIVED"}]})
    assert status == 200


def test_tax_rate_validation_errors(session):
    from xero_python.accounting import TaxRate, TaxRates
    from xero_python.exceptions import AccountingBadRequestException

    with pytest.raises(AccountingBadRequestException) as info:
        session.api.create_tax_rates(session.tenant, TaxRates(tax_rates=[TaxRate(name=unique("Empty"), report_tax_type="INPUT")]))
    assert info.value.reason == "A tax rate needs at least one tax component."
    bad = [
        ("PUT", {"Name": "15% GST on Income", "ReportTaxType": "OUTPUT", "TaxComponents": [{"Name": "GST", "Rate": 15}]},
         "A tax rate with the name 15% GST on Income already exists."),
        ("PUT", {"Name": unique("No report"), "TaxComponents": [{"Name": "GST", "Rate": 15}]}, "ReportTaxType is required."),
        ("PUT", {"Name": unique("Too high"), "ReportTaxType": "INPUT", "TaxComponents": [{"Name": "GST", "Rate": 150}]},
         "A tax component's Rate must be between 0 and 100."),
        ("POST", {"TaxType": "OUTPUT2", "TaxComponents": [{"Name": "GST", "Rate": 20}]}, "Only the name of a system tax rate can be changed."),
        ("POST", {"TaxType": "NOSUCH", "Name": "x"}, "No tax rate has the TaxType NOSUCH."),
    ]
    for method, rate, message in bad:
        status, _, data = session.checked(method, "/TaxRates", {"TaxRates": [rate]})
        assert status == 400 and message in messages(data), (rate, data)
    assert session.api.get_tax_rate_by_tax_type(session.tenant, "OUTPUT2").tax_rates[0].effective_rate == 15, "unchanged"


# --------------------------------------------------------------------------- items


def test_items_create_update_get_by_code_and_delete(session):
    from xero_python.accounting import Item, Items, Purchase
    from xero_python.exceptions import NotFoundException

    before = second_tick()
    code = "ITM-" + short_code()
    [made] = session.api.create_items(session.tenant, Items(items=[Item(
        code=code, name="Widget", description="A widget",
        sales_details=Purchase(unit_price=12.3456, account_code="200", tax_type="OUTPUT2"),
        purchase_details=Purchase(unit_price=5, account_code="310", tax_type="INPUT2"))])).items
    assert made.is_sold is True and made.is_purchased is True and made.is_tracked_as_inventory is False
    assert float(made.sales_details.unit_price) == pytest.approx(12.35), "two places unless unitdp=4"
    assert made.quantity_on_hand is None and made.total_cost_pool is None

    precise = "ITM-" + short_code()
    session.api.create_items(session.tenant, Items(items=[Item(code=precise, sales_details=Purchase(unit_price=12.3456))]), unitdp=4)
    assert float(session.api.get_item(session.tenant, precise, unitdp=4).items[0].sales_details.unit_price) == pytest.approx(12.3456)
    _, _, data = session.checked("GET", f"/Items/{precise}")
    assert b'"UnitPrice":12.35' in data
    _, _, data = session.checked("GET", "/Items?unitdp=4", headers={"if-modified-since": before.isoformat()})
    assert b'"UnitPrice":12.3456' in data and b'"UnitPrice":12.3500' in data

    time.sleep(1.1)
    [updated] = session.api.update_item(session.tenant, made.item_id, Items(items=[Item(code=code, name="Widget Mk II")])).items
    assert updated.name == "Widget Mk II" and updated.sales_details.account_code == "200", "other fields kept"
    assert updated.updated_date_utc > made.updated_date_utc
    # POST /Items matches by Code: no duplicate, the same item.
    [again] = session.api.update_or_create_items(session.tenant, Items(items=[Item(code=code, is_sold=False)])).items
    assert again.item_id == made.item_id and again.description is None and again.sales_details.unit_price is None

    recent = session.api.get_items(session.tenant, if_modified_since=before).items
    assert {i.code for i in recent} == {code, precise}
    assert [i.code for i in session.api.get_items(session.tenant, where=f'Code=="{code}"').items] == [code]
    assert [i.code for i in session.api.get_items(session.tenant, where="IsSold==false").items] == [code]
    ordered = [i.code for i in session.api.get_items(session.tenant, order="Code DESC").items]
    assert ordered == sorted(ordered, key=str.lower, reverse=True)
    assert session.api.get_item(session.tenant, code).items[0].item_id == made.item_id

    assert session.api.delete_item(session.tenant, made.item_id) is None
    with pytest.raises(NotFoundException):
        session.api.get_item(session.tenant, made.item_id)
    status, _, _ = session.checked("DELETE", f"/Items/{session.api.get_item(session.tenant, precise).items[0].item_id}")
    assert status == 204


def test_tracked_inventory_items(session):
    from xero_python.accounting import Item, Items, Purchase

    code = "TRK-" + short_code()
    [tracked] = session.api.create_items(session.tenant, Items(items=[Item(
        code=code, name="Tracked widget", inventory_asset_account_code="630",
        purchase_details=Purchase(unit_price=4, cogs_account_code="310", account_code="429", tax_type="INPUT2"))])).items
    assert tracked.is_tracked_as_inventory is True
    assert tracked.quantity_on_hand == 0 and tracked.total_cost_pool == 0
    assert tracked.purchase_details.account_code is None, "not applicable to tracked items"
    # QuantityOnHand and TotalCostPool only change through documents.
    status, _, data = session.checked("POST", "/Items", {"Items": [{"Code": code, "QuantityOnHand": 50, "TotalCostPool": 200,
                                                                    "IsTrackedAsInventory": False}]})
    item = json.loads(data)["Items"][0]
    assert status == 200 and item["QuantityOnHand"] == 0 and item["TotalCostPool"] == 0 and item["IsTrackedAsInventory"] is True
    assert b'"QuantityOnHand":0.0000' in data and b'"TotalCostPool":0.00' in data

    # An account an item uses cannot be deleted; archive it instead.
    cogs = session.api.get_accounts(session.tenant, where='Code=="310"').accounts[0]
    status, _, data = session.checked("DELETE", f"/Accounts/{cogs.account_id}")
    assert status == 400 and messages(data) == ["This account has been used and cannot be deleted. Archive it instead."]


def test_item_validation_errors(session):
    from xero_python.accounting import Item, Items, Purchase
    from xero_python.exceptions import AccountingBadRequestException

    code = "VAL-" + short_code()
    session.api.create_items(session.tenant, Items(items=[Item(code=code)]))
    with pytest.raises(AccountingBadRequestException) as info:
        session.api.create_items(session.tenant, Items(items=[Item(code=code.lower())]))
    assert info.value.reason == f"Price List Item with Code '{code.lower()}' already exists"

    bad = [
        ({"Name": "No code"}, "Please enter a Code for the item."),
        ({"Code": "X" * 31}, "Code must be 30 characters or fewer."),
        ({"Code": short_code(), "SalesDetails": {"AccountCode": "999"}}, "The SalesDetails.AccountCode 999 is not an active account code."),
        ({"Code": short_code(), "InventoryAssetAccountCode": "200", "PurchaseDetails": {"COGSAccountCode": "310"}},
         "The InventoryAssetAccountCode 200 must be an account of type INVENTORY."),
        ({"Code": short_code(), "InventoryAssetAccountCode": "630"},
         "A tracked inventory item needs a COGSAccountCode in PurchaseDetails (and IsPurchased true)."),
        ({"Code": short_code(), "SalesDetails": {"TaxType": "INPUT2"}}, "The TaxType INPUT2 in SalesDetails does not exist or cannot be used on sales."),
    ]
    for item, message in bad:
        status, _, data = session.checked("PUT", "/Items", {"Items": [item]})
        assert status == 400 and message in messages(data), (item, data)
        assert json.loads(data)["Elements"][0]["ItemID"] == ZERO_GUID

    # summarizeErrors=false: 200, the good element saved, the bad one echoed with its errors.
    good = "OK-" + short_code()
    result = session.api.create_items(session.tenant, Items(items=[Item(code=good), Item(code=code)]), summarize_errors=False)
    assert [i.status_attribute_string for i in result.items] == ["OK", "ERROR"]
    assert result.items[1].validation_errors[0].message.startswith("Price List Item with Code")
    status, _, data = session.checked("PUT", "/Items?summarizeErrors=false", {"Items": [{"Name": "codeless"}]})
    assert status == 200 and json.loads(data)["Items"][0]["StatusAttributeString"] == "ERROR"


# --------------------------------------------------------------------------- tracking categories


def test_tracking_categories_options_archive_and_delete(session):
    from xero_python.accounting import TrackingCategory, TrackingOption

    api, tenant = session.api, session.tenant
    [region] = api.create_tracking_category(tenant, TrackingCategory(name="Region")).tracking_categories
    assert region.status == "ACTIVE" and region.options == []
    [north] = api.create_tracking_options(tenant, region.tracking_category_id, TrackingOption(name="North")).options
    [south] = api.create_tracking_options(tenant, region.tracking_category_id, TrackingOption(name="South")).options
    assert north.status == "ACTIVE"
    [renamed] = api.update_tracking_options(tenant, region.tracking_category_id, north.tracking_option_id, TrackingOption(name="Northland")).options
    assert renamed.name == "Northland" and renamed.tracking_option_id == north.tracking_option_id
    [region2] = api.update_tracking_category(tenant, region.tracking_category_id, TrackingCategory(name="Sales Region")).tracking_categories
    assert region2.name == "Sales Region" and [o.name for o in region2.options] == ["Northland", "South"]

    api.update_tracking_options(tenant, region.tracking_category_id, south.tracking_option_id, TrackingOption(status="ARCHIVED"))
    listed = api.get_tracking_categories(tenant).tracking_categories
    assert [o.name for o in listed[0].options] == ["Northland"], "archived options hidden by default"
    listed = api.get_tracking_categories(tenant, include_archived=True).tracking_categories
    assert [o.status for o in listed[0].options] == ["ACTIVE", "ARCHIVED"]

    [gone] = api.delete_tracking_options(tenant, region.tracking_category_id, north.tracking_option_id).options
    assert gone.status == "DELETED"
    assert [o.name for o in api.get_tracking_category(tenant, region.tracking_category_id).tracking_categories[0].options] == ["South"]

    # Raw, against the spec, including the lower-case field names of its own examples.
    status, _, data = session.checked("PUT", f"/TrackingCategories/{region.tracking_category_id}/Options", {"name": "East"})
    assert status == 200 and json.loads(data)["Options"][0]["Name"] == "East"
    east = json.loads(data)["Options"][0]["TrackingOptionID"]
    status, _, _ = session.checked("POST", f"/TrackingCategories/{region.tracking_category_id}/Options/{east}", {"Name": "Eastern"})
    assert status == 200
    status, _, data = session.checked("DELETE", f"/TrackingCategories/{region.tracking_category_id}/Options/{east}")
    assert status == 200 and json.loads(data)["Options"][0]["IsDeleted"] is True
    status, _, _ = session.checked("GET", "/TrackingCategories?includeArchived=true")
    assert status == 200

    # Two active categories at most, four in all (active and archived).
    status, _, data = session.checked("PUT", "/TrackingCategories", {"Name": "Department"})
    assert status == 200
    department = json.loads(data)["TrackingCategories"][0]["TrackingCategoryID"]
    status, _, data = session.checked("PUT", "/TrackingCategories", {"Name": "Project"})
    assert status == 400 and messages(data) == ["An organisation can have only 2 active tracking categories."]
    status, _, data = session.checked("POST", f"/TrackingCategories/{department}", {"Status": "ARCHIVED"})
    assert status == 200 and json.loads(data)["TrackingCategories"][0]["Status"] == "ARCHIVED"
    assert [c.name for c in api.get_tracking_categories(tenant).tracking_categories] == ["Sales Region"]
    for name in ("Project", "Channel"):
        [made] = api.create_tracking_category(tenant, TrackingCategory(name=name)).tracking_categories
        if name == "Project":
            api.update_tracking_category(tenant, made.tracking_category_id, TrackingCategory(status="ARCHIVED"))
    status, _, data = session.checked("PUT", "/TrackingCategories", {"Name": "Fifth"})
    assert status == 400 and "An organisation can have only 4 tracking categories, active and archived." in messages(data)
    status, _, data = session.checked("POST", f"/TrackingCategories/{department}", {"Status": "ACTIVE"})
    assert status == 400 and messages(data) == ["An organisation can have only 2 active tracking categories."]

    [deleted] = api.delete_tracking_category(tenant, department).tracking_categories
    assert deleted.status == "DELETED"
    assert api.get_tracking_category(tenant, department).tracking_categories[0].status == "DELETED"
    assert department not in [c.tracking_category_id for c in api.get_tracking_categories(tenant, include_archived=True).tracking_categories]
    status, _, _ = session.checked("GET", f"/TrackingCategories/{department}")
    assert status == 200
    assert [c.name for c in api.get_tracking_categories(tenant, where='Name=="Channel"').tracking_categories] == ["Channel"]


def test_tracking_validation_errors(session):
    from xero_python.accounting import TrackingCategory, TrackingOption
    from xero_python.exceptions import AccountingBadRequestException

    categories = session.api.get_tracking_categories(session.tenant).tracking_categories
    category = categories[0] if categories else \
        session.api.create_tracking_category(session.tenant, TrackingCategory(name=unique("Area"))).tracking_categories[0]
    category_id = category.tracking_category_id
    session.api.create_tracking_options(session.tenant, category_id, TrackingOption(name="Twice"))
    with pytest.raises(AccountingBadRequestException) as info:
        session.api.create_tracking_options(session.tenant, category_id, TrackingOption(name="twice"))
    assert info.value.reason == f"The tracking category {category.name} already has an option named twice."
    status, _, data = session.checked("POST", f"/TrackingCategories/{category_id}", {"Name": "R" * 101})
    assert status == 400 and messages(data) == ["The tracking category Name must be 100 characters or fewer."]
    status, _, data = session.checked("POST", f"/TrackingCategories/{category_id}", {"Name": ""})
    assert status == 400 and messages(data) == ["Please enter a Name for the tracking category."]
    with pytest.raises(AccountingBadRequestException):
        session.api.update_tracking_category(session.tenant, category_id, TrackingCategory(status="DELETED"))
    assert session.api.get_tracking_category(session.tenant, category_id).tracking_categories[0].status == "ACTIVE"
