"""Helpers for the Cin7 Core sandbox tests: start `ledgerbridge sandbox`, call
it with Cin7's two auth headers, and validate answers against the response
schemas of Cin7's own OpenAPI conversion (../shared/specs/cin7core/openapi.yaml)."""

from __future__ import annotations

import json
import re
import urllib.parse
from functools import lru_cache

from conftest import ServeProcess
from sandbox_support import CIN7_SPECS, binary, http

ACCOUNT = "c1a70000-5a4d-4b0c-8000-000000000001"  # the CLI's documented defaults
KEY = "c1a70000-5a4d-4b0c-8000-0000000000aa"

# Timestamps as the sandbox writes them: UTC, `Z`, one to three fraction digits
# or none (.NET drops trailing zeros: `2018-01-30T06:07:43.46Z` in the blueprint).
CIN7_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?Z$")


def stamp(record: dict):
    """A record's `LastModifiedOn` as a datetime. Never compare the strings: with
    trailing zeros dropped, `…37.431Z` sorts before `…37.43Z`."""
    from datetime import datetime
    return datetime.fromisoformat(record["LastModifiedOn"])


def start(*extra) -> tuple[ServeProcess, str]:
    """`ledgerbridge sandbox` on free ports; returns the process and the Cin7 base URL
    (`http://127.0.0.1:PORT/ExternalApi/v2/`). Use the process as a context manager."""
    process = ServeProcess([binary(), "sandbox", "--xero-port", "0", "--cin7-port", "0", *extra])
    line = process.wait_for_line("ledgerbridge sandbox: cin7 ready on ", 30)
    assert line, process.explain()
    base = re.search(r"http://127\.0\.0\.1:\d+/ExternalApi/v2/", line)
    assert base, line
    return process, base.group(0)


class Cin7:
    """A client of one account: raw calls that return (status, headers, parsed body)."""

    def __init__(self, base: str, account: str = ACCOUNT, key: str = KEY):
        self.base, self.account, self.key = base, account, key

    def call(self, method: str, endpoint: str, body=None, headers=None, raw_body: bytes | None = None):
        all_headers = {"api-auth-accountid": self.account, "api-auth-applicationkey": self.key,
                       "content-type": "application/json", **(headers or {})}
        all_headers = {k: v for k, v in all_headers.items() if v is not None}
        data = raw_body if raw_body is not None else (json.dumps(body).encode() if body is not None else None)
        if "?" in endpoint:  # tests write queries readably (`Name=Filter ab12`): encode them here
            path, query = endpoint.split("?", 1)
            endpoint = path + "?" + urllib.parse.quote(query, safe="=&%:,")
        status, response_headers, payload = http(method, self.base + endpoint, data, all_headers)
        lowered = {k.lower(): v for k, v in response_headers.items()}
        try:
            parsed = json.loads(payload) if payload else None
        except ValueError:
            parsed = payload.decode("utf-8", "replace")
        return status, lowered, parsed

    def checked(self, method: str, endpoint: str, body=None, query: str = ""):
        """A call that must succeed and whose answer must match the spec's schema."""
        status, headers, parsed = self.call(method, endpoint + (("?" + query) if query else ""), body)
        assert status == 200, (method, endpoint, status, parsed)
        assert headers["content-type"].startswith("application/json")
        validate(method, endpoint, status, parsed)
        return parsed

    def failed(self, method: str, endpoint: str, body=None, status: int = 400, raw_body: bytes | None = None):
        """A call that must fail with `status` and Cin7's Error Model; returns the messages."""
        got, _, parsed = self.call(method, endpoint, body, raw_body=raw_body)
        assert got == status, (method, endpoint, got, parsed)
        validate_error(parsed, status)
        return [element["Exception"] for element in parsed]


@lru_cache(maxsize=None)
def spec() -> dict:
    """Cin7's OpenAPI conversion. Without it (a checkout without the workspace's
    shared/specs), schema checks are skipped with a warning; every other assertion runs."""
    import warnings

    import yaml
    path = CIN7_SPECS / "openapi.yaml"
    if not path.exists():
        warnings.warn(f"Cin7 spec not found at {path}: Cin7 response schemas are NOT checked (set LEDGERBRIDGE_CIN7_SPECS)")
        return {}
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _inline(node, components, depth=0):
    """The schema with every `$ref` replaced by what it names (these schemas have no cycles)."""
    assert depth < 40, "ref cycle"
    if isinstance(node, dict):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            return _inline(components[name], components, depth + 1)
        return {key: _inline(value, components, depth) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(item, components, depth) for item in node]
    return node


def operation_schema(method: str, endpoint: str, status: int, body=None) -> tuple[str, dict]:
    """The response schema the spec gives for `method` on `endpoint` (e.g. `customer`,
    `ref/account`), and the path template it came from.

    The conversion keys GET paths with their query templates
    (`/customer?Page={Page}&Limit={Limit}&…`), so an operation is found by the
    part of its path template before `?` — compared without case, as Cin7 routes —
    and its method. Where several templates share that part (`/ref/account` and
    `/ref/account?Code={Code}`), the one with the method wins.

    A few operations declare no schema (`POST`/`PUT /customer`, `GET /product`).
    For those the schema of another operation on the same endpoint is used whose
    top-level array key is the one in the body — the blueprint's point that
    create and update answer with the list wrapper (`{"Total":1,"Page":1,
    "CustomerList":[…]}`) makes them the same shape. Which one was used is
    returned, so a test failure says so.

    Validation is `openapi_schema_validator.OAS30Validator` (what openapi-core uses
    underneath) on that one schema, with its `$ref`s inlined: openapi-core's
    request-matching front end cannot be used, because it would take the query
    templates for part of the path and match no request.
    """
    document = spec()
    wanted = "/" + endpoint.strip("/").lower()
    candidates = []
    for template, operations in document["paths"].items():
        if template.split("?", 1)[0].lower() != wanted:
            continue
        for verb, operation in operations.items():
            schema = (operation.get("responses", {}).get(str(status), {}).get("content", {})
                      .get("application/json", {}).get("schema"))
            candidates.append((verb.upper(), template, schema))
    assert candidates, f"openapi.yaml has no operation on {wanted}"
    exact = [c for c in candidates if c[0] == method.upper() and c[2] is not None]
    if exact:
        verb, template, schema = exact[0]
        return f"{verb} {template}", _relax(_inline(schema, document["components"]["schemas"]))
    assert any(c[0] == method.upper() for c in candidates), f"openapi.yaml has no {method} on {wanted}"
    key = next((k for k in (body or {}) if isinstance((body or {}).get(k), list)), None) if isinstance(body, dict) else None
    for verb, template, schema in sorted((c for c in candidates if c[2] is not None), key=lambda c: c[0] != "GET"):
        resolved = _relax(_inline(schema, document["components"]["schemas"]))
        if key is None or key in resolved.get("properties", {}):
            return f"{verb} {template} (for {method} {wanted}, which declares no schema)", resolved
    raise AssertionError(f"no schema for {method} {wanted} {status}")


# openapi.yaml's schemas were generated from the blueprint's examples, and two
# artefacts of that contradict the blueprint's own field tables. `_relax` undoes
# exactly these two and nothing else:
# 1. An array the example left empty got `items: {type: string}`, although the
#    field table says it holds records (`Transactions`: [] Transaction Stock Line
#    Model; `AdditionalCharges`, `Prepayments`, `Errors`…). Such items may be objects.
# 2. A date the example happened to fill got a non-nullable `string`, although a
#    document without that date yet (a purchase not invoiced, an assembly not
#    completed) has none; elsewhere the blueprint writes absent dates as null
#    (`"RequiredBy": null`, `"ExpiryDate": null`). Dates (properties named `…Date`,
#    and `ShipBy`, `RequiredBy`), and the bin and expense-account references the
#    blueprint's POST examples show as null (`Bin`, `BinID`, `ExpenseAccount`), may be null.
_NULL_WHEN_ABSENT = {"ShipBy", "RequiredBy", "Bin", "BinID", "ExpenseAccount"}


def _relax(node):
    if isinstance(node, list):
        return [_relax(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _relax(value) for key, value in node.items()}
    items = node.get("items")
    if node.get("type") == "array" and isinstance(items, dict) and items.get("type") == "string" and set(items) <= {"type", "example"}:
        node["items"] = {"anyOf": [{"type": "string"}, {"type": "object"}]}
    for name, sub in (node.get("properties") or {}).items():
        if isinstance(sub, dict) and sub.get("type") == "string" and (name.endswith("Date") or name in _NULL_WHEN_ABSENT):
            sub["nullable"] = True
    return node


def validate(method: str, endpoint: str, status: int, body) -> str:
    """Raises unless `body` matches the spec's schema for that operation and status; returns
    which operation's schema was used. Also checks every `LastModifiedOn` is a Cin7 timestamp."""
    from openapi_schema_validator import OAS30Validator

    for stamp in _values(body, "LastModifiedOn"):
        assert CIN7_TIMESTAMP.match(stamp), stamp
    if not spec():
        return "not checked: no Cin7 spec"
    source, schema = operation_schema(method, endpoint, status, body)
    errors = sorted(OAS30Validator(schema).iter_errors(body), key=lambda e: list(e.path))
    assert not errors, f"{method} {endpoint} does not match {source}: " + "; ".join(
        f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:5])
    for stamp in _values(body, "LastModifiedOn"):
        assert CIN7_TIMESTAMP.match(stamp), stamp
    return source


# The blueprint's Error Model (apib:30431): ErrorCode (integer) and Exception (text).
# openapi.yaml declares no error responses, so this schema is written from the field table.
ERROR_MODEL = {"type": "object", "required": ["ErrorCode", "Exception"], "additionalProperties": False,
               "properties": {"ErrorCode": {"type": "integer"}, "Exception": {"type": "string", "minLength": 1}}}


def validate_error(body, status: int, shape: str = "array") -> None:
    from jsonschema import validate as validate_json

    schema = ERROR_MODEL if shape == "object" else {"type": "array", "minItems": 1, "items": ERROR_MODEL}
    validate_json(body, schema)
    for element in (body if shape == "array" else [body]):
        assert element["ErrorCode"] == status, body


def _values(node, key):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key and isinstance(v, str):
                yield v
            else:
                yield from _values(v, key)
    elif isinstance(node, list):
        for item in node:
            yield from _values(item, key)
