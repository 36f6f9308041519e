"""Exotel adapter over its HTTP API (v2_beta ExoPhones), with the standard library.

    GET    /v2_beta/Accounts/{sid}/AvailablePhoneNumbers/{CC}/{Landline|Mobile}?Contains=…
    POST   /v2_beta/Accounts/{sid}/IncomingPhoneNumbers            PhoneNumber, VoiceUrl, FriendlyName
    GET    /v2_beta/Accounts/{sid}/IncomingPhoneNumbers            paged: incoming_phone_numbers, next_page_uri
    PUT    /v2_beta/Accounts/{sid}/IncomingPhoneNumbers/{number sid} VoiceUrl
    DELETE /v2_beta/Accounts/{sid}/IncomingPhoneNumbers/{number sid}

HTTP Basic with the API key and token; `subdomain` is the account's cluster (api.exotel.com,
api.in.exotel.com). Exotel sets status callbacks per call, not per number, so only the voice URL is
wired here. Exotel may write numbers without the "+" (a 0 then ten digits): read as Indian numbers.
"""

from __future__ import annotations

import base64
import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal, InvalidOperation
from typing import Any

from shared.phones import to_e164
from shared.platform.errors import BadRequest, Upstream
from shared.platform.observability import get_logger
from shared.providers.telephony.port import AvailableNumber, OwnedNumber

TIMEOUT_SECONDS = 10.0
NUMBER_TYPE = "Landline"
MAX_PAGES = 20  # verify_owned walks at most 20 pages of the account's numbers


class ExotelTelephony:
    name = "exotel"

    def __init__(self, api_key: str, api_token: str, account_sid: str, subdomain: str = "api.in.exotel.com",
                 base_url: str | None = None, timeout_seconds: float = TIMEOUT_SECONDS) -> None:
        self._root = (base_url or f"https://{subdomain}").rstrip("/")
        self._prefix = f"/v2_beta/Accounts/{urllib.parse.quote(account_sid, safe='')}"
        self._authorization = "Basic " + base64.b64encode(f"{api_key}:{api_token}".encode()).decode()
        self._timeout = timeout_seconds

    def search_available(self, country: str, area_code: str | None, limit: int) -> list[AvailableNumber]:
        query = {"Contains": area_code} if area_code else {}
        payload = self._send("GET", f"/AvailablePhoneNumbers/{country}/{NUMBER_TYPE}", query=query)
        items = payload if isinstance(payload, list) else payload.get("available_phone_numbers", [])
        found = []
        for item in items:
            e164 = to_e164(str(item.get("phone_number") or ""), country)
            if e164:
                found.append(AvailableNumber(
                    phone_e164=e164, country=country, region=item.get("region") or None,
                    locality=item.get("locality") or None, capabilities=_capabilities(item.get("capabilities")),
                    monthly_cost_minor=_minor_units(item.get("rental_price")),
                    currency=str(item.get("currency") or "INR").upper()))
        return found[:limit]

    def buy(self, phone_e164: str, voice_url: str, status_callback_url: str) -> OwnedNumber:
        bought = self._send("POST", "/IncomingPhoneNumbers", form={"PhoneNumber": phone_e164, "VoiceUrl": voice_url})
        return _owned(bought.get("incoming_phone_number", bought), phone_e164)

    def verify_owned(self, phone_e164: str) -> OwnedNumber | None:
        query: dict[str, str] = {}
        for page in range(MAX_PAGES):
            listing = self._send("GET", "/IncomingPhoneNumbers", query={**query, "Page": str(page)})
            for item in listing.get("incoming_phone_numbers", []):
                if to_e164(str(item.get("phone_number") or ""), "IN") == phone_e164:
                    return _owned(item, phone_e164)
            if not listing.get("next_page_uri"):
                return None
        return None

    def update_webhooks(self, provider_sid: str, voice_url: str, status_callback_url: str) -> None:
        self._send("PUT", f"/IncomingPhoneNumbers/{urllib.parse.quote(provider_sid, safe='')}",
                   form={"VoiceUrl": voice_url})

    def release(self, provider_sid: str) -> None:
        self._send("DELETE", f"/IncomingPhoneNumbers/{urllib.parse.quote(provider_sid, safe='')}", missing_ok=True)

    def _send(self, method: str, path: str, *, query: dict[str, str] | None = None,
              form: dict[str, str] | None = None, missing_ok: bool = False) -> Any:
        url = f"{self._root}{self._prefix}{path}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        headers = {"Authorization": self._authorization, "Accept": "application/json"}
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as error:
            get_logger().warning("exotel refused", extra={"status": error.code})
            if missing_ok and error.code == 404:
                return {}
            raise _mapped(error) from error
        except (urllib.error.URLError, http.client.HTTPException, TimeoutError, ConnectionError) as error:
            get_logger().warning("exotel unreachable", extra={"error_type": type(error).__name__})
            raise Upstream("The telephony provider is unreachable", code="TELEPHONY_UNAVAILABLE") from error
        try:
            return json.loads(body) if body.strip() else {}
        except ValueError as error:
            raise Upstream("The telephony provider answered something that is not JSON",
                           code="TELEPHONY_ERROR") from error

    def __repr__(self) -> str:  # never the token
        return f"ExotelTelephony(root={self._root})"


def _mapped(error: urllib.error.HTTPError) -> Exception:
    if error.code in (401, 403):
        return Upstream("The telephony provider rejected our credentials", code="TELEPHONY_AUTH_FAILED")
    if error.code == 429:
        return Upstream("The telephony provider is rate limiting us; try again shortly", code="TELEPHONY_RATE_LIMITED")
    if error.code in (400, 404, 409):
        return BadRequest(f"The telephony provider refused the number ({error.code})", code="NUMBER_NOT_AVAILABLE",
                          field="phone_e164")
    return Upstream(f"The telephony provider answered {error.code}", code="TELEPHONY_ERROR")


def _capabilities(raw: Any) -> tuple[str, ...]:
    flags = {str(name).lower(): bool(value) for name, value in (raw or {}).items()} if isinstance(raw, dict) else {}
    return tuple(name for name in ("voice", "sms") if flags.get(name, name == "voice"))


def _minor_units(price: Any) -> int:
    try:
        return int((Decimal(str(price)) * 100).to_integral_value())
    except (InvalidOperation, TypeError):
        return 0


def _owned(item: dict, phone_e164: str) -> OwnedNumber:
    cost = item.get("rental_price")
    return OwnedNumber(provider_sid=str(item.get("sid") or ""), phone_e164=phone_e164,
                       monthly_cost_minor=_minor_units(cost) if cost is not None else None,
                       currency=str(item["currency"]).upper() if item.get("currency") else None,
                       capabilities=_capabilities(item.get("capabilities")))
