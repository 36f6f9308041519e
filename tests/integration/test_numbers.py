"""Phone numbers through the API on moto, with the sandbox carrier (no Twilio/Exotel credentials)."""

import phonenumbers
import pytest

from shared.providers.telephony.sandbox import preowned_numbers
from tests.integration.conftest import mint_key, sign_up_and_log_in

pytestmark = pytest.mark.integration


def _search(api, account, **body):
    reply = api.post("/numbers/search", {"country": "US", **body}, token=account.token)
    assert reply.status == 200, reply.body
    return reply.body["numbers"]


def _provision(api, account, phone, **kwargs):
    return api.post("/numbers/provision", {"phone_e164": phone}, token=account.token, **kwargs)


def test_search_lists_valid_numbers_of_the_country_with_their_monthly_price(api):
    owner = sign_up_and_log_in(api)

    found = _search(api, owner, country="gb", limit=5)

    assert len(found) == 5
    for number in found:
        parsed = phonenumbers.parse(number["phone_e164"])
        assert phonenumbers.is_valid_number(parsed) and phonenumbers.region_code_for_number(parsed) == "GB"
        assert number["country"] == "GB" and number["monthly_cost_minor"] > 0 and number["currency"] == "GBP"
        assert number["provider"] == "sandbox" and "voice" in number["capabilities"]


def test_search_by_area_code_only_lists_numbers_in_that_area(api):
    owner = sign_up_and_log_in(api)

    found = _search(api, owner, area_code="212", limit=3)

    assert len(found) == 3 and all(number["phone_e164"].startswith("+1212") for number in found)


def test_provisioning_buys_the_number_with_this_deployments_webhooks_wired(api):
    owner = sign_up_and_log_in(api)
    phone = _search(api, owner, limit=1)[0]["phone_e164"]

    bought = _provision(api, owner, phone)
    listed = api.get("/numbers", token=owner.token).body["numbers"]

    assert bought.status == 201, bought.body
    assert bought.body["phone_e164"] == phone and bought.body["status"] == "active"
    assert bought.body["acquired_via"] == "provision" and bought.body["monthly_cost_minor"] == 115
    assert bought.body["voice_url"] == "http://testserver/webhooks/voice"
    assert bought.body["status_callback_url"] == "http://testserver/webhooks/status"
    assert [number["id"] for number in listed] == [bought.body["id"]]


def test_a_provisioned_number_no_longer_shows_in_search(api):
    owner = sign_up_and_log_in(api)
    first = _search(api, owner, limit=3)[0]["phone_e164"]
    _provision(api, owner, first)

    assert first not in [number["phone_e164"] for number in _search(api, owner, limit=3)]


def test_two_workspaces_cannot_hold_one_number(api):
    owner, rival = sign_up_and_log_in(api), sign_up_and_log_in(api)
    phone = _search(api, owner, limit=1)[0]["phone_e164"]
    assert _provision(api, owner, phone).status == 201

    refused = _provision(api, rival, phone)

    assert refused.status == 409 and refused.body["code"] == "NUMBER_ALREADY_HELD"
    assert api.get("/numbers", token=rival.token).body["numbers"] == []


def test_the_same_idempotency_key_and_body_buy_once_and_replay_the_first_response(api):
    owner = sign_up_and_log_in(api)
    phone = _search(api, owner, limit=1)[0]["phone_e164"]
    headers = {"Idempotency-Key": "buy-1"}

    first = _provision(api, owner, phone, headers=headers)
    again = _provision(api, owner, phone, headers=headers)

    assert first.status == again.status == 201 and first.body == again.body
    assert len(api.get("/numbers", token=owner.token).body["numbers"]) == 1


def test_an_idempotency_key_reused_with_another_number_is_refused(api):
    owner = sign_up_and_log_in(api)
    first, second = [number["phone_e164"] for number in _search(api, owner, limit=2)]
    _provision(api, owner, first, headers={"Idempotency-Key": "buy-1"})

    reused = _provision(api, owner, second, headers={"Idempotency-Key": "buy-1"})

    assert reused.status == 422 and reused.body["code"] == "IDEMPOTENCY_KEY_REUSED"


def test_importing_a_number_the_carrier_account_holds_wires_it(api):
    owner = sign_up_and_log_in(api)
    held = preowned_numbers("US")[0]

    imported = api.post("/numbers/import", {"phone_e164": held}, token=owner.token)

    assert imported.status == 201, imported.body
    assert imported.body["acquired_via"] == "import" and imported.body["status"] == "active"
    assert imported.body["voice_url"] == "http://testserver/webhooks/voice"


def test_importing_a_number_the_carrier_account_does_not_hold_is_404(api):
    owner = sign_up_and_log_in(api)
    phone = _search(api, owner, limit=1)[0]["phone_e164"]

    refused = api.post("/numbers/import", {"phone_e164": phone}, token=owner.token)

    assert refused.status == 404 and refused.body["code"] == "NUMBER_NOT_OWNED"


def test_release_unwires_stops_the_rent_and_is_idempotent(api):
    owner = sign_up_and_log_in(api)
    bought = _provision(api, owner, _search(api, owner, limit=1)[0]["phone_e164"]).body

    released = api.post(f"/numbers/{bought['id']}/release", token=owner.token)
    again = api.post(f"/numbers/{bought['id']}/release", token=owner.token)

    assert released.status == 200 and released.body["status"] == "released"
    assert released.body["released_at"] and released.body["voice_url"] is None
    assert again.status == 200 and again.body == released.body


def test_a_released_number_can_be_bought_by_another_workspace(api):
    owner, other = sign_up_and_log_in(api), sign_up_and_log_in(api)
    bought = _provision(api, owner, _search(api, owner, limit=1)[0]["phone_e164"]).body
    api.post(f"/numbers/{bought['id']}/release", token=owner.token)

    rebought = _provision(api, other, bought["phone_e164"])

    assert rebought.status == 201, rebought.body


def test_another_workspaces_number_is_not_found(api):
    owner, stranger = sign_up_and_log_in(api), sign_up_and_log_in(api)
    bought = _provision(api, owner, _search(api, owner, limit=1)[0]["phone_e164"]).body

    refused = api.post(f"/numbers/{bought['id']}/release", token=stranger.token)

    assert refused.status == 404 and refused.body["code"] == "NUMBER_NOT_FOUND"
    assert api.get("/numbers", token=owner.token).body["numbers"][0]["status"] == "active"


def test_a_read_key_can_list_and_search_but_not_provision(api):
    owner = sign_up_and_log_in(api)
    key = mint_key(api, owner, scope="read")["secret"]

    listed = api.get("/numbers", token=key)
    searched = api.post("/numbers/search", {"country": "US"}, token=key)
    refused = api.post("/numbers/provision", {"phone_e164": searched.body["numbers"][0]["phone_e164"]}, token=key)

    assert (listed.status, searched.status) == (200, 200)
    assert refused.status == 403 and refused.body["code"] == "INSUFFICIENT_SCOPE"


def test_a_write_key_cannot_release_a_number(api):
    owner = sign_up_and_log_in(api)
    key = mint_key(api, owner, scope="write")["secret"]
    bought = _provision(api, owner, _search(api, owner, limit=1)[0]["phone_e164"]).body

    refused = api.post(f"/numbers/{bought['id']}/release", token=key)

    assert refused.status == 403 and refused.body["code"] == "INSUFFICIENT_SCOPE"


@pytest.mark.parametrize(("body", "field"), [
    ({"country": "US", "limit": 51}, "limit"),
    ({"country": "US", "limit": 0}, "limit"),
    ({"country": "U1"}, "country"),
    ({"country": "US", "area_code": "4a5"}, "area_code"),
])
def test_a_bad_search_is_a_400_naming_the_field(api, body, field):
    owner = sign_up_and_log_in(api)

    refused = api.post("/numbers/search", body, token=owner.token)

    assert refused.status == 400 and refused.body["field"] == field


def test_provisioning_something_that_is_not_a_phone_number_is_a_400(api):
    owner = sign_up_and_log_in(api)

    refused = _provision(api, owner, "+91 12")

    assert refused.status == 400 and refused.body["code"] == "INVALID_PHONE_NUMBER"
    assert refused.body["field"] == "phone_e164"


def test_numbers_need_a_credential(api):
    assert api.get("/numbers").status == 401
