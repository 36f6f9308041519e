"""Webhook signatures: HMAC-SHA256 over "{timestamp}.{raw body}", two secrets, 300 s both ways."""

from __future__ import annotations

import pytest

from shared.payments import signature
from shared.platform.errors import BadRequest, Unauthorized

SECRET, PREVIOUS, WRONG = "whsec_current", "whsec_previous", "whsec_attacker"
NOW = 1_760_000_000
BODY = b'{"id":"evt_1","type":"checkout.succeeded","data":{"external_id":"sbx_1","amount_minor":1000,"currency":"USD"}}'


def _verify(headers: dict[str, str], body: bytes = BODY, now: int = NOW) -> None:
    signature.verify(headers, body, [SECRET, PREVIOUS], now)


def test_a_body_signed_with_the_current_secret_verifies() -> None:
    # Given a body signed now with the current secret; When verified; Then nothing is raised
    _verify(signature.signature_headers(SECRET, NOW, BODY))


def test_a_body_signed_with_the_previous_secret_verifies_during_a_rotation() -> None:
    _verify(signature.signature_headers(PREVIOUS, NOW, BODY))


def test_header_names_are_case_insensitive() -> None:
    headers = {name.lower(): value for name, value in signature.signature_headers(SECRET, NOW, BODY).items()}
    _verify(headers)


def test_a_body_signed_with_another_secret_is_401_signature_invalid() -> None:
    with pytest.raises(Unauthorized) as raised:
        _verify(signature.signature_headers(WRONG, NOW, BODY))
    assert raised.value.code == "SIGNATURE_INVALID"


def test_a_tampered_body_is_401_signature_invalid() -> None:
    # Given a signature over the original body; When one byte of the amount is changed
    headers = signature.signature_headers(SECRET, NOW, BODY)
    with pytest.raises(Unauthorized) as raised:
        _verify(headers, BODY.replace(b"1000", b"9000"))
    # Then it does not verify
    assert raised.value.code == "SIGNATURE_INVALID"


def test_a_changed_timestamp_header_is_401_signature_invalid() -> None:
    headers = signature.signature_headers(SECRET, NOW, BODY)
    headers[signature.TIMESTAMP_HEADER] = str(NOW + 1)
    with pytest.raises(Unauthorized) as raised:
        _verify(headers)
    assert raised.value.code == "SIGNATURE_INVALID"


@pytest.mark.parametrize("age", [301, -301], ids=["301 s old", "301 s in the future"])
def test_a_signature_outside_the_300_second_tolerance_is_401_signature_expired(age: int) -> None:
    with pytest.raises(Unauthorized) as raised:
        _verify(signature.signature_headers(SECRET, NOW - age, BODY))
    assert raised.value.code == "SIGNATURE_EXPIRED"


@pytest.mark.parametrize("age", [300, -300], ids=["300 s old", "300 s in the future"])
def test_a_signature_exactly_at_the_tolerance_verifies(age: int) -> None:
    _verify(signature.signature_headers(SECRET, NOW - age, BODY))


@pytest.mark.parametrize("headers", [
    {},
    {signature.TIMESTAMP_HEADER: str(NOW)},
    {signature.SIGNATURE_HEADER: "v1=" + "a" * 64},
    {signature.TIMESTAMP_HEADER: "yesterday", signature.SIGNATURE_HEADER: "v1=" + "a" * 64},
    {signature.TIMESTAMP_HEADER: str(NOW), signature.SIGNATURE_HEADER: "sha256=abc"},
    {signature.TIMESTAMP_HEADER: str(NOW), signature.SIGNATURE_HEADER: "v1=not-hex"},
], ids=["no headers", "no signature", "no timestamp", "garbled timestamp", "no v1 entry", "v1 not hex"])
def test_missing_or_garbled_headers_are_400_signature_missing(headers: dict[str, str]) -> None:
    with pytest.raises(BadRequest) as raised:
        _verify(headers)
    assert raised.value.code == "SIGNATURE_MISSING"


def test_one_matching_entry_among_several_v1_signatures_verifies() -> None:
    good = signature.sign(SECRET, NOW, BODY)
    _verify({signature.TIMESTAMP_HEADER: str(NOW), signature.SIGNATURE_HEADER: f"v1={'0' * 64},v1={good}"})


def test_stripes_signature_header_uses_the_same_scheme() -> None:
    # Given Stripe's header format, "t=<seconds>,v1=<hex>"
    header = f"t={NOW},v1={signature.sign(SECRET, NOW, BODY)}"
    # When verified; Then it passes like our own header
    _verify({"Stripe-Signature": header})
