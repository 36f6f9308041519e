"""A local fake of Exotel's v2_beta ExoPhones API (the calls the numbers adapter makes) and of v1
Calls/connect.json (the dialer's calls), over real HTTP.

Checks HTTP Basic auth (API key + token); numbers are written as Exotel does, sometimes without "+".
Every request is recorded (method, path, query, form). Placed calls are kept in `calls`;
`calls_fail_with = (status, message)` makes only Calls/connect fail (429 carries `calls_retry_after`).
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.local_server import LocalHttpFake, QuietHandler

PAGE_SIZE = 2


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]


@dataclass
class FakeExotelApi(LocalHttpFake):
    api_key: str = "exo-key"
    api_token: str = "exo-token"
    account_sid: str = "callfunnel1"
    available: list[str] = field(default_factory=lambda: ["+918041234501", "+918041234502", "+912261234503"])
    owned: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    status_override: int | None = None
    calls: dict[str, dict[str, Any]] = field(default_factory=dict)  # sid → call
    calls_fail_with: tuple[int, str] | None = None  # (HTTP status, RestException message) for Calls/connect
    calls_retry_after: str | None = None  # the Retry-After header on a failed Calls/connect

    def __post_init__(self) -> None:
        super().__init__()

    def hold(self, number: str) -> str:
        sid = f"exo{len(self.owned):04d}"
        self.owned[sid] = {"sid": sid, "phone_number": number, "voice_url": "https://my.exotel.com/flow",
                           "capabilities": {"voice": True, "sms": False}, "country": "IN"}
        return sid

    def answer(self, method: str, path: str, query: dict[str, str], form: dict[str, str]) -> tuple[int, Any]:
        prefix = f"/v2_beta/Accounts/{self.account_sid}"
        if self.status_override:
            return self.status_override, {"RestException": {"Status": self.status_override}}
        if match := re.fullmatch(prefix + r"/AvailablePhoneNumbers/(?P<cc>\w+)/Landline", path):
            numbers = [n for n in self.available if query.get("Contains", "") in n[3:]]
            return 200, [{"phone_number": n, "friendly_name": "0" + n[3:], "region": "KA",
                          "capabilities": {"voice": True, "sms": True}, "rental_price": "499.000000",
                          "currency": "INR"} for n in numbers]
        if path == prefix + "/IncomingPhoneNumbers" and method == "GET":
            page = int(query.get("Page", 0))
            items = list(self.owned.values())
            chunk = items[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
            more = (page + 1) * PAGE_SIZE < len(items)
            return 200, {"page": page, "incoming_phone_numbers": chunk,
                         "next_page_uri": f"{prefix}/IncomingPhoneNumbers?Page={page + 1}" if more else None}
        if path == prefix + "/IncomingPhoneNumbers" and method == "POST":
            if form.get("PhoneNumber") not in self.available:
                return 400, {"RestException": {"Status": 400, "Message": "not available"}}
            sid = self.hold(form["PhoneNumber"])
            self.owned[sid].update(voice_url=form.get("VoiceUrl"), rental_price="499.000000", currency="INR")
            return 200, self.owned[sid]
        if match := re.fullmatch(prefix + r"/IncomingPhoneNumbers/(?P<sid>\w+)", path):
            number = self.owned.get(match["sid"])
            if number is None:
                return 404, {"RestException": {"Status": 404}}
            if method == "DELETE":
                del self.owned[match["sid"]]
                return 200, {}
            number["voice_url"] = form.get("VoiceUrl", number["voice_url"])
            return 200, number
        return 404, {"RestException": {"Status": 404}}

    def place_call(self, form: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        """Calls/connect.json: (status, body, extra headers)."""
        if self.calls_fail_with:
            status, message = self.calls_fail_with
            headers = {"Retry-After": self.calls_retry_after} if self.calls_retry_after else {}
            return status, {"RestException": {"Status": status, "Message": message}}, headers
        missing = [name for name in ("From", "CallerId", "Url") if not form.get(name)]
        if missing:
            return 400, {"RestException": {"Status": 400, "Message": f"Missing parameter {missing[0]}"}}, {}
        sid = f"exocall{len(self.calls) + 1:024d}"
        self.calls[sid] = {"Sid": sid, "AccountSid": self.account_sid, "From": form["From"],
                           "PhoneNumberSid": form["CallerId"], "Status": "in-progress", "Direction": "outbound-api",
                           "CustomField": form.get("CustomField"),
                           "Uri": f"/v1/Accounts/{self.account_sid}/Calls/{sid}.json"}
        return 200, {"Call": self.calls[sid]}, {}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(QuietHandler):
            def _serve(self) -> None:
                parts = urlsplit(self.path)
                form = {k: v[0] for k, v in parse_qs(self.read_body().decode(), keep_blank_values=True).items()}
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                fake.requests.append(Recorded(self.command, parts.path, query, form))
                expected = "Basic " + base64.b64encode(f"{fake.api_key}:{fake.api_token}".encode()).decode()
                headers: dict[str, str] = {}
                if self.headers.get("authorization") != expected:
                    status, body = 401, {"RestException": {"Status": 401}}
                elif parts.path == f"/v1/Accounts/{fake.account_sid}/Calls/connect.json" and self.command == "POST":
                    status, body, headers = fake.place_call(form)
                else:
                    status, body = fake.answer(self.command, parts.path, query, form)
                self.send_bytes(status, json.dumps(body).encode(), extra_headers=headers)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        return Handler
