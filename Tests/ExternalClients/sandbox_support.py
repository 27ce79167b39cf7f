"""Helpers for the sandbox tests: start `ledgerbridge sandbox`, walk the OAuth
consent, and validate responses against Xero's own OpenAPI files."""

from __future__ import annotations

import base64
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from functools import lru_cache
from pathlib import Path

from conftest import ROOT_DIR

SPECS = ROOT_DIR.parent / "shared" / "specs"
REDIRECT = "http://127.0.0.1:5555/callback"


def binary() -> str:
    return os.environ.get("LEDGERBRIDGE_BIN", str(ROOT_DIR / ".build/debug/ledgerbridge"))


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def http(method: str, url: str, body: bytes | None = None, headers: dict | None = None):
    """One request; returns (status, headers, body) whatever the status."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def authorize(base: str, client_id: str, scope: str = "offline_access accounting.settings accounting.contacts accounting.transactions") -> str:
    query = urllib.parse.urlencode({"response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT,
                                    "scope": scope, "state": "s1"})
    status, headers, body = http("GET", f"{base}/identity/connect/authorize?{query}")
    assert status == 302, (status, body)
    location = urllib.parse.urlparse(headers["Location"] if "Location" in headers else headers["location"])
    params = urllib.parse.parse_qs(location.query)
    assert params["state"] == ["s1"]
    return params["code"][0]


def exchange(base: str, client_id: str, secret: str, code: str) -> dict:
    form = urllib.parse.urlencode({"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}).encode()
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    status, _, body = http("POST", f"{base}/connect/token", form,
                           {"authorization": f"Basic {basic}", "content-type": "application/x-www-form-urlencoded"})
    assert status == 200, body
    return json.loads(body)


def token_post(base: str, fields: dict):
    status, _, body = http("POST", f"{base}/connect/token", urllib.parse.urlencode(fields).encode(),
                           {"content-type": "application/x-www-form-urlencoded"})
    return status, json.loads(body) if body else None


# Xero's identity API sends `2019-12-07T18:46:19.5165400`: seven fractional digits
# and no zone, as the spec's own example shows, though the spec types it
# `date-time` (which RFC 3339 says needs a zone). The validator accepts exactly
# that form in addition to RFC 3339; anything else still fails.
XERO_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?(Z|[+-]\d\d:\d\d)?$")


def _date_time(value) -> bool:
    return not isinstance(value, str) or bool(XERO_DATETIME.match(value))


@lru_cache(maxsize=None)
def openapi(name: str):
    from openapi_core import Config, OpenAPI
    # Xero's file is not itself a valid OpenAPI document (e.g. `default: 'false'` on booleans),
    # so the document is not validated, only responses against it.
    config = Config(extra_format_validators={"date-time": _date_time}, spec_validator_cls=None)
    return OpenAPI.from_file_path(str(SPECS / "xero" / name), config=config)


def validate(spec: str, host: str, method: str, path: str, status: int, body: bytes, content_type: str = "application/json") -> None:
    """Raises if the response does not match the spec's schema for that operation and status."""
    from openapi_core.testing import MockRequest, MockResponse
    request = MockRequest(host, method.lower(), path)
    response = MockResponse(body, status_code=status, content_type=content_type)
    openapi(spec).validate_response(request, response)
