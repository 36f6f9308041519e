"""A local fake of the parts of Twilio's REST API the numbers adapter calls, over real HTTP.

    GET    /2010-04-01/Accounts/{sid}/AvailablePhoneNumbers/{CC}/Local.json
    GET    /2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json?PhoneNumber=…
    POST   /2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json          (form: PhoneNumber, VoiceUrl, …)
    POST   /2010-04-01/Accounts/{sid}/IncomingPhoneNumbers/{PN…}.json   (form: VoiceUrl, StatusCallback)
    DELETE /2010-04-01/Accounts/{sid}/IncomingPhoneNumbers/{PN…}.json
    GET    /v1/PhoneNumbers/Countries/{CC}                               (pricing.twilio.com)
    POST   /2010-04-01/Accounts/{sid}/Calls.json                         (form: To, From, Url, StatusCallback…)

HTTP Basic auth is checked; errors use Twilio's JSON shape ({code, message, more_info, status}).
Every request is recorded (method, path, query, form; repeated form fields such as StatusCallbackEvent
in full under `form_lists`). Placed calls are kept in `calls`; `calls_fail_with` makes only Calls.json
fail (e.g. (429, 20429) or (400, 21211)).
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

_ACCOUNT = r"/2010-04-01/Accounts/(?P<sid>AC\w+)"


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    form_lists: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class FakeTwilioApi(LocalHttpFake):
    account_sid: str = "AC" + "1" * 32
    auth_token: str = "a" * 32
    available: dict[str, list[str]] = field(default_factory=lambda: {"US": ["+14155550101", "+14155550102"]})
    owned: dict[str, dict[str, Any]] = field(default_factory=dict)  # sid → incoming number
    requests: list[Recorded] = field(default_factory=list)
    fail_with: tuple[int, int] | None = None  # (HTTP status, Twilio code) for every request
    calls: dict[str, dict[str, Any]] = field(default_factory=dict)  # sid → call resource
    calls_fail_with: tuple[int, int] | None = None  # (HTTP status, Twilio code) for Calls.json only

    def __post_init__(self) -> None:
        super().__init__()

    def hold(self, e164: str, voice_url: str = "https://elsewhere.example/voice") -> str:
        sid = f"PN{len(self.owned):032d}"
        self.owned[sid] = {"sid": sid, "phone_number": e164, "voice_url": voice_url, "status_callback": "",
                           "capabilities": {"voice": True, "sms": True, "mms": False, "fax": False}}
        return sid

    def answer(self, method: str, path: str, query: dict[str, str], form: dict[str, str]) -> tuple[int, Any]:
        if self.fail_with:
            return _error(*self.fail_with)
        if match := re.fullmatch(_ACCOUNT + r"/AvailablePhoneNumbers/(?P<cc>\w+)/Local\.json", path):
            numbers = [e164 for e164 in self.available.get(match["cc"], [])
                       if not query.get("AreaCode") or e164[2:].startswith(query["AreaCode"])]
            return 200, {"uri": path, "available_phone_numbers": [
                {"phone_number": e164, "friendly_name": e164, "iso_country": match["cc"], "region": "CA",
                 "locality": "San Francisco", "capabilities": {"voice": True, "SMS": True, "MMS": False}}
                for e164 in numbers[:int(query.get("PageSize", 50))]]}
        if re.fullmatch(_ACCOUNT + r"/Calls\.json", path) and method == "POST":
            return self._place_call(path, form)
        if match := re.fullmatch(r"/v1/PhoneNumbers/Countries/(?P<cc>\w+)", path):
            return 200, {"country": match["cc"], "iso_country": match["cc"], "price_unit": "usd",
                         "phone_number_prices": [{"number_type": "local", "base_price": "1.15",
                                                  "current_price": "1.15"},
                                                 {"number_type": "toll free", "base_price": "2.15",
                                                  "current_price": "2.15"}]}
        if re.fullmatch(_ACCOUNT + r"/IncomingPhoneNumbers\.json", path):
            if method == "GET":
                held = [item for item in self.owned.values() if item["phone_number"] == query.get("PhoneNumber")]
                return 200, {"uri": path, "incoming_phone_numbers": held}
            if form.get("PhoneNumber") not in [n for numbers in self.available.values() for n in numbers]:
                return _error(400, 21422)
            sid = self.hold(form["PhoneNumber"], form.get("VoiceUrl", ""))
            self.owned[sid]["status_callback"] = form.get("StatusCallback", "")
            return 201, self.owned[sid]
        if match := re.fullmatch(_ACCOUNT + r"/IncomingPhoneNumbers/(?P<pn>PN\w+)\.json", path):
            number = self.owned.get(match["pn"])
            if number is None:
                return _error(404, 20404)
            if method == "DELETE":
                del self.owned[match["pn"]]
                return 204, None
            number.update(voice_url=form.get("VoiceUrl", number["voice_url"]),
                          status_callback=form.get("StatusCallback", number["status_callback"]))
            return 200, number
        return _error(404, 20404)

    def _place_call(self, path: str, form: dict[str, str]) -> tuple[int, Any]:
        if self.calls_fail_with:
            return _error(*self.calls_fail_with)
        if not form.get("To") or not form.get("From") or not form.get("Url"):
            return _error(400, 21205 if not form.get("Url") else 21201)
        sid = f"CA{len(self.calls) + 1:032d}"
        self.calls[sid] = {"sid": sid, "account_sid": self.account_sid, "to": form["To"], "from": form["From"],
                           "status": "queued", "direction": "outbound-api", "api_version": "2010-04-01",
                           "uri": path.removesuffix(".json") + f"/{sid}.json", "answered_by": None,
                           "date_created": None, "price": None, "duration": None}
        return 201, self.calls[sid]

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(QuietHandler):
            def _serve(self) -> None:
                parts = urlsplit(self.path)
                form_lists = parse_qs(self.read_body().decode(), keep_blank_values=True)
                form = {k: v[0] for k, v in form_lists.items()}
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                fake.requests.append(Recorded(self.command, parts.path, query, form, form_lists))
                expected = "Basic " + base64.b64encode(f"{fake.account_sid}:{fake.auth_token}".encode()).decode()
                status, body = (_error(401, 20003) if self.headers.get("authorization") != expected
                                else fake.answer(self.command, parts.path, query, form))
                self.send_bytes(status, b"" if body is None else json.dumps(body).encode())

            do_GET = do_POST = do_DELETE = _serve

        return Handler


def _error(status: int, code: int) -> tuple[int, dict]:
    return status, {"code": code, "message": f"fake error {code}", "status": status,
                    "more_info": f"https://www.twilio.com/docs/errors/{code}"}
