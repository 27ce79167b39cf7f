"""Helpers for the sandbox tests: start `ledgerbridge sandbox`, walk the OAuth
consent, and validate responses against Xero's own OpenAPI files."""

from __future__ import annotations

import base64
import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import signal
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from conftest import ROOT_DIR

# Xero's OpenAPI files are MIT-licensed and kept in the repository (specs/xero/NOTICE.md).
XERO_SPECS = Path(__file__).parent / "specs" / "xero"
# Cin7 Core's spec is Cin7's documentation, not ours to redistribute: it is read from the
# workspace's shared folder (or LEDGERBRIDGE_CIN7_SPECS).
CIN7_SPECS = Path(os.environ.get("LEDGERBRIDGE_CIN7_SPECS", str(ROOT_DIR.parent / "shared" / "specs" / "cin7core")))
REDIRECT = "http://127.0.0.1:5555/callback"


@contextmanager
def xero_sandbox(client_id: str, secret: str, *extra: str):
    """A running `ledgerbridge sandbox` for this app; yields (base URL, the process).
    Stopped with SIGTERM at the end, and its output must not contain the secret."""
    from conftest import ServeProcess

    cmd = [binary(), "sandbox", "--xero-port", "0", "--xero-client-id", client_id, "--xero-client-secret", secret, *extra]
    with ServeProcess(cmd) as process:
        line = process.wait_for_line("ledgerbridge sandbox: xero ready", 30)
        assert line, process.explain()
        yield re.search(r"http://127\.0\.0\.1:\d+", line).group(0), process
        assert process.stop(signal.SIGTERM, 10) == 0
        assert secret not in "".join(process.stdout_lines + process.stderr_lines), "the client secret leaked into the sandbox's output"


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
    return OpenAPI.from_file_path(str(XERO_SPECS / name), config=config)


def validate(spec: str, host: str, method: str, path: str, status: int, body: bytes, content_type: str = "application/json") -> None:
    """Raises if the response does not match the spec's schema for that operation and status."""
    from openapi_core.testing import MockRequest, MockResponse
    request = MockRequest(host, method.lower(), path)
    response = MockResponse(body, status_code=status, content_type=content_type)
    openapi(spec).validate_response(request, response)


def sdk_configuration(client_id: str, secret: str):
    """An SDK Configuration for this app. `Configuration(...)` alone is not enough:
    its metaclass keeps the first instance ever made as a default and hands out
    copies of it, ignoring later arguments, so a second app in the same pytest
    run would refresh tokens with the first app's credentials."""
    from xero_python.api_client import Configuration
    from xero_python.api_client.oauth2 import OAuth2Token

    configuration = Configuration()
    configuration.oauth2_token = OAuth2Token(client_id=client_id, client_secret=secret)
    return configuration


class Session:
    """An authorised SDK client plus raw access for spec validation."""

    def __init__(self, base: str, client_id: str, secret: str):
        from xero_python.accounting import AccountingApi
        from xero_python.api_client import ApiClient
        from xero_python.identity import IdentityApi

        self.base = base
        self.token = exchange(base, client_id, secret, authorize(base, client_id))
        state = dict(self.token, expires_at=time.time() + 1800, scope=self.token["scope"].split())
        self.client = ApiClient(sdk_configuration(client_id, secret),
                                oauth2_token_getter=lambda: state, oauth2_token_saver=lambda t: state.update(t))
        self.client.rest_client.pool_manager.connection_pool_kw["retries"] = False
        self.tenant = IdentityApi(self.client, base_url=base).get_connections()[0].tenant_id
        self.api = AccountingApi(self.client, base_url=base + "/api.xro/2.0")

    def raw(self, method: str, path: str, body=None, headers=None):
        all_headers = {"authorization": f"Bearer {self.token['access_token']}", "xero-tenant-id": str(self.tenant),
                       "accept": "application/json", "content-type": "application/json", **(headers or {})}
        status, response_headers, data = http(method, self.base + "/api.xro/2.0" + path,
                                              json.dumps(body).encode() if body is not None else None, all_headers)
        return status, response_headers, data

    def checked(self, method: str, path: str, body=None, headers=None):
        """A raw call whose response must match the spec for that operation."""
        status, response_headers, data = self.raw(method, path, body, headers)
        validate("xero_accounting.yaml", "https://api.xero.com", method, "/api.xro/2.0" + path.split("?")[0], status, data)
        return status, response_headers, data


ZERO_GUID = "00000000-0000-0000-0000-000000000000"


def money(value):
    """An SDK amount as a Decimal to the cent, for exact comparisons."""
    from decimal import Decimal
    return Decimal(str(value)).quantize(Decimal("0.01"))


def new_contact(session: "Session", prefix: str = "Contact") -> str:
    """A fresh contact through the SDK; its ContactID."""
    import uuid
    from xero_python.accounting import Contact, Contacts
    name = f"{prefix} {uuid.uuid4().hex[:6]}"
    return session.api.create_contacts(session.tenant, Contacts(contacts=[Contact(name=name)])).contacts[0].contact_id
