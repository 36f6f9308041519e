"""A local fake of Exotel's v2_beta ExoPhones API (the calls the numbers adapter makes), over real HTTP.

Checks HTTP Basic auth (API key + token); numbers are written as Exotel does, sometimes without "+".
Every request is recorded (method, path, query, form).
"""

from __future__ import annotations

import base64
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

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(QuietHandler):
            def _serve(self) -> None:
                parts = urlsplit(self.path)
                form = {k: v[0] for k, v in parse_qs(self.read_body().decode(), keep_blank_values=True).items()}
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                fake.requests.append(Recorded(self.command, parts.path, query, form))
                expected = "Basic " + base64.b64encode(f"{fake.api_key}:{fake.api_token}".encode()).decode()
                status, body = ((401, {"RestException": {"Status": 401}})
                                if self.headers.get("authorization") != expected
                                else fake.answer(self.command, parts.path, query, form))
                self.send_json(status, body)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        return Handler
