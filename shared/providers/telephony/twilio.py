"""Twilio adapter on the official SDK: AvailablePhoneNumbers/Local, IncomingPhoneNumbers, Pricing.

`twilio.rest` costs ~130 ms to import, so it loads on the first call, not with the module. A
`base_url` (tests, a local fake) sends every Twilio domain (api., pricing.) to that one host.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from shared.platform.errors import BadRequest, Upstream
from shared.platform.observability import get_logger
from shared.providers.telephony.port import AvailableNumber, OwnedNumber

TIMEOUT_SECONDS = 10.0  # a route answers within API Gateway's 29 s, even after two carrier calls
NOT_FOR_SALE_CODES = {21421, 21422, 21452}  # invalid number / not available / no numbers found
CAPABILITY_NAMES = ("voice", "sms", "mms", "fax")


class TwilioTelephony:
    name = "twilio"

    def __init__(self, account_sid: str, auth_token: str, base_url: str | None = None,
                 timeout_seconds: float = TIMEOUT_SECONDS) -> None:
        self._account_sid = account_sid
        self._auth_token = auth_token
        self._base_url = base_url
        self._timeout = timeout_seconds
        self._client: Any = None

    def search_available(self, country: str, area_code: str | None, limit: int) -> list[AvailableNumber]:
        client = self._sdk()
        filters: dict[str, Any] = {"voice_enabled": True, "limit": limit, "page_size": limit}
        if area_code:
            filters["area_code" if country in ("US", "CA") else "contains"] = area_code
        found = self._call(lambda: client.available_phone_numbers(country).local.list(**filters))
        cost, currency = self._local_monthly_price(country) if found else (0, "USD")
        return [AvailableNumber(phone_e164=item.phone_number, country=item.iso_country or country,
                                region=item.region or None, locality=item.locality or None,
                                capabilities=_capabilities(item.capabilities), monthly_cost_minor=cost,
                                currency=currency) for item in found[:limit]]

    def buy(self, phone_e164: str, voice_url: str, status_callback_url: str) -> OwnedNumber:
        client = self._sdk()
        created = self._call(lambda: client.incoming_phone_numbers.create(
            phone_number=phone_e164, voice_url=voice_url, voice_method="POST",
            status_callback=status_callback_url, status_callback_method="POST"))
        cost, currency = self._local_monthly_price(_country_of(phone_e164))
        return _owned(created, cost, currency)

    def verify_owned(self, phone_e164: str) -> OwnedNumber | None:
        client = self._sdk()
        held = self._call(lambda: client.incoming_phone_numbers.list(phone_number=phone_e164, limit=1))
        return _owned(held[0]) if held and held[0].phone_number == phone_e164 else None

    def update_webhooks(self, provider_sid: str, voice_url: str, status_callback_url: str) -> None:
        client = self._sdk()
        self._call(lambda: client.incoming_phone_numbers(provider_sid).update(
            voice_url=voice_url, voice_method="POST", status_callback=status_callback_url,
            status_callback_method="POST"))

    def release(self, provider_sid: str) -> None:
        client = self._sdk()
        self._call(lambda: client.incoming_phone_numbers(provider_sid).delete(), missing_ok=True)

    def _local_monthly_price(self, country: str) -> tuple[int, str]:
        client = self._sdk()
        pricing = self._call(lambda: client.pricing.v1.phone_numbers.countries(country).fetch())
        prices = {price.get("number_type"): price for price in pricing.phone_number_prices or []}
        local = prices.get("local") or next(iter(prices.values()), {})
        price = local.get("current_price") or local.get("base_price")
        return _minor_units(price), (pricing.price_unit or "USD").upper()

    def _call(self, operation, *, missing_ok: bool = False):
        from requests import RequestException
        from twilio.base.exceptions import TwilioException, TwilioRestException

        try:
            return operation()
        except TwilioException as error:
            # Single resources raise TwilioRestException; list pages a bare TwilioException(message, response).
            if isinstance(error, TwilioRestException):
                status, code = error.status, error.code
            else:
                status, code = getattr(error.args[-1] if error.args else None, "status_code", 500), None
            get_logger().warning("twilio refused", extra={"status": status, "twilio_code": code})
            if missing_ok and status == 404:
                return None
            if status in (401, 403):
                raise Upstream("The telephony provider rejected our credentials",
                               code="TELEPHONY_AUTH_FAILED") from error
            if code in NOT_FOR_SALE_CODES or status in (400, 404):
                raise BadRequest(f"The telephony provider refused the number ({code or status})",
                                 code="NUMBER_NOT_AVAILABLE", field="phone_e164") from error
            raise Upstream(f"The telephony provider answered {status}", code="TELEPHONY_ERROR") from error
        except RequestException as error:
            get_logger().warning("twilio unreachable", extra={"error_type": type(error).__name__})
            raise Upstream("The telephony provider is unreachable", code="TELEPHONY_UNAVAILABLE") from error

    def _sdk(self):
        if self._client is None:
            from twilio.rest import Client

            self._client = Client(self._account_sid, self._auth_token, http_client=_http_client(
                self._base_url, self._timeout))
        return self._client

    def __repr__(self) -> str:  # never the token
        return f"TwilioTelephony(account_sid={self._account_sid[:6]}…)"


def _http_client(base_url: str | None, timeout: float):
    from twilio.http.http_client import TwilioHttpClient

    if base_url is None:
        return TwilioHttpClient(timeout=timeout)
    target = urlsplit(base_url)

    class _RedirectedHttpClient(TwilioHttpClient):
        """Every Twilio domain (api., pricing., …) to one host: the local fake."""

        def request(self, method, url, *args, **kwargs):
            parts = urlsplit(url)
            return super().request(method, urlunsplit((target.scheme, target.netloc, parts.path, parts.query,
                                                       parts.fragment)), *args, **kwargs)

    return _RedirectedHttpClient(timeout=timeout)


def _capabilities(raw: Any) -> tuple[str, ...]:
    flags = {str(name).lower(): bool(value) for name, value in (raw or {}).items()}
    return tuple(name for name in CAPABILITY_NAMES if flags.get(name))


def _minor_units(price: Any) -> int:
    try:
        return int((Decimal(str(price)) * 100).to_integral_value())
    except (InvalidOperation, TypeError):
        return 0


def _owned(instance: Any, cost: int | None = None, currency: str | None = None) -> OwnedNumber:
    return OwnedNumber(provider_sid=instance.sid, phone_e164=instance.phone_number, monthly_cost_minor=cost,
                       currency=currency, capabilities=_capabilities(instance.capabilities))


def _country_of(phone_e164: str) -> str:
    from shared.phones import country_of

    return country_of(phone_e164) or "US"
