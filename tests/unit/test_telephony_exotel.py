"""The Exotel adapter (HTTP API, stdlib) against a local fake of Exotel's v2_beta ExoPhones API."""

import pytest

from shared.platform.errors import BadRequest, Upstream
from shared.providers.telephony.exotel import ExotelTelephony
from tests.fakes.exotel_api import FakeExotelApi


@pytest.fixture
def fake():
    with FakeExotelApi() as server:
        yield server


@pytest.fixture
def exotel(fake):
    return ExotelTelephony(fake.api_key, fake.api_token, fake.account_sid, base_url=fake.base_url, timeout_seconds=5)


def test_search_filters_by_area_code_and_prices_in_paise(exotel):
    found = exotel.search_available("IN", "80", 10)

    assert [number.phone_e164 for number in found] == ["+918041234501", "+918041234502"]
    assert {(number.monthly_cost_minor, number.currency) for number in found} == {(49_900, "INR")}


def test_search_honours_the_limit(exotel):
    assert len(exotel.search_available("IN", None, 1)) == 1


def test_buying_sends_the_number_and_the_voice_url(exotel, fake):
    owned = exotel.buy("+918041234501", "https://cf.example/webhooks/voice", "https://cf.example/webhooks/status")

    assert fake.owned[owned.provider_sid]["voice_url"] == "https://cf.example/webhooks/voice"
    assert owned.monthly_cost_minor == 49_900 and owned.currency == "INR"


def test_buying_a_number_that_is_not_for_sale_is_a_bad_request(exotel):
    with pytest.raises(BadRequest) as refused:
        exotel.buy("+918049999999", "https://cf.example/v", "https://cf.example/s")

    assert refused.value.code == "NUMBER_NOT_AVAILABLE"


def test_verify_owned_reads_every_page_and_numbers_written_without_a_plus(exotel, fake):
    for number in ("+912212345601", "+912212345602", "+912212345603"):
        fake.hold(number)
    sid = fake.hold("08041234599")  # Exotel's national spelling, on the second page

    assert exotel.verify_owned("+918041234599").provider_sid == sid
    assert exotel.verify_owned("+918041234598") is None


def test_update_webhooks_puts_the_voice_url(exotel, fake):
    sid = fake.hold("+918041234599")

    exotel.update_webhooks(sid, "", "")

    assert fake.owned[sid]["voice_url"] == "" and fake.requests[-1].method == "PUT"


def test_release_deletes_the_number_and_a_second_release_is_a_no_op(exotel, fake):
    sid = fake.hold("+918041234599")

    exotel.release(sid)
    exotel.release(sid)

    assert sid not in fake.owned


def test_wrong_credentials_are_an_upstream_error(fake):
    wrong = ExotelTelephony(fake.api_key, "nope", fake.account_sid, base_url=fake.base_url)

    with pytest.raises(Upstream) as refused:
        wrong.search_available("IN", None, 5)

    assert refused.value.code == "TELEPHONY_AUTH_FAILED"


def test_exotel_rate_limiting_is_an_upstream_error_saying_so(exotel, fake):
    fake.status_override = 429

    with pytest.raises(Upstream) as refused:
        exotel.search_available("IN", None, 5)

    assert refused.value.code == "TELEPHONY_RATE_LIMITED"


def test_an_unreachable_exotel_is_an_upstream_error():
    unreachable = ExotelTelephony("k", "t", "sid", base_url="http://127.0.0.1:9", timeout_seconds=1)

    with pytest.raises(Upstream) as refused:
        unreachable.verify_owned("+918041234599")

    assert refused.value.code == "TELEPHONY_UNAVAILABLE"
