from datetime import timedelta

import pytest

from shared.platform import clock
from tests.integration.conftest import mint_key, sign_up_and_log_in

pytestmark = pytest.mark.integration


def test_a_minted_key_shows_its_secret_once_and_defaults_to_admin_scope(api):
    owner = sign_up_and_log_in(api)

    minted = mint_key(api, owner)
    listed = api.get("/api-keys", token=owner.token).body["keys"]

    assert minted["secret"].startswith("cf_live_") and minted["secret"].startswith(minted["prefix"])
    assert len(minted["prefix"]) == 14 and minted["scope"] == "admin" and minted["status"] == "active"
    assert [key["id"] for key in listed] == [minted["id"]]
    assert "secret" not in listed[0] and minted["secret"] not in str(listed)


def test_an_api_key_cannot_manage_api_keys(api):
    owner = sign_up_and_log_in(api)
    key = mint_key(api, owner)

    attempts = [
        api.get("/api-keys", token=key["secret"]),
        api.post("/api-keys", {"name": "escalate"}, token=key["secret"]),
        api.post(f"/api-keys/{key['id']}/revoke", token=key["secret"]),
        api.delete(f"/api-keys/{key['id']}", token=key["secret"]),
    ]

    assert [(reply.status, reply.body["code"]) for reply in attempts] == [(403, "USER_REQUIRED")] * 4


def test_the_eleventh_active_key_is_refused_until_one_is_revoked(api):
    owner = sign_up_and_log_in(api)
    keys = [mint_key(api, owner, name=f"key {n}") for n in range(10)]

    refused = api.post("/api-keys", {"name": "one too many"}, token=owner.token)
    api.post(f"/api-keys/{keys[0]['id']}/revoke", token=owner.token)
    accepted = api.post("/api-keys", {"name": "one too many"}, token=owner.token)

    assert refused.status == 400 and refused.body["code"] == "API_KEY_LIMIT_REACHED"
    assert accepted.status == 201


def test_a_revoked_key_fails_on_its_very_next_request(api):
    owner = sign_up_and_log_in(api)
    key = mint_key(api, owner)
    assert api.get("/billing/balance", token=key["secret"]).status == 200

    revoked = api.post(f"/api-keys/{key['id']}/revoke", {"reason": "leaked in a log"}, token=owner.token)
    refused = api.get("/billing/balance", token=key["secret"])

    assert revoked.body["status"] == "revoked" and revoked.body["revoked_reason"] == "leaked in a log"
    assert refused.status == 401 and refused.body["code"] == "INVALID_API_KEY"


def test_revoking_twice_keeps_the_first_revocation(api):
    owner = sign_up_and_log_in(api)
    key = mint_key(api, owner)
    first = api.post(f"/api-keys/{key['id']}/revoke", {"reason": "first"}, token=owner.token)
    clock.freeze(clock.now() + timedelta(minutes=5))

    second = api.post(f"/api-keys/{key['id']}/revoke", {"reason": "second"}, token=owner.token)

    assert second.status == 200
    assert (second.body["revoked_at"], second.body["revoked_reason"]) == (first.body["revoked_at"], "first")


def test_only_an_inactive_key_can_be_deleted(api):
    owner = sign_up_and_log_in(api)
    key = mint_key(api, owner)

    while_active = api.delete(f"/api-keys/{key['id']}", token=owner.token)
    api.post(f"/api-keys/{key['id']}/revoke", token=owner.token)
    after_revoke = api.delete(f"/api-keys/{key['id']}", token=owner.token)
    again = api.delete(f"/api-keys/{key['id']}", token=owner.token)

    assert while_active.status == 409 and while_active.body["code"] == "API_KEY_ACTIVE"
    assert after_revoke.status == 200 and after_revoke.body == {"deleted": True, "id": key["id"]}
    assert again.status == 404
    assert api.get("/api-keys", token=owner.token).body["keys"] == []


def test_a_key_expires_after_its_days_and_is_then_listed_as_expired(api):
    owner = sign_up_and_log_in(api)
    key = mint_key(api, owner, expires_in_days=30)
    clock.freeze(clock.now() + timedelta(days=30, seconds=1))

    refused = api.get("/billing/balance", token=key["secret"])
    fresh_token = api.post("/auth/login", {"email": owner.email, "password": owner.password}).body["token"]
    listed = api.get("/api-keys", token=fresh_token).body["keys"]

    assert refused.status == 401
    assert listed[0]["status"] == "expired"
    assert api.delete(f"/api-keys/{key['id']}", token=fresh_token).status == 200


def test_each_use_records_when_and_from_where(api):
    owner = sign_up_and_log_in(api)
    key = mint_key(api, owner)

    api.get("/billing/balance", token=key["secret"], source_ip="198.51.100.23")
    listed = api.get("/api-keys", token=owner.token).body["keys"][0]

    assert listed["last_used_ip"] == "198.51.100.23" and listed["last_used_at"]


def test_a_read_key_may_read_but_a_viewer_cannot_mint_above_their_role(api):
    owner = sign_up_and_log_in(api)
    read_key = mint_key(api, owner, scope="read")

    assert api.get("/billing/balance", token=read_key["secret"]).status == 200
    assert api.get("/auth/me", token=read_key["secret"]).body["scope"] == "read"


def test_a_tampered_key_is_refused_without_reaching_the_table(api):
    owner = sign_up_and_log_in(api)
    secret = mint_key(api, owner)["secret"]
    tampered = secret[:-1] + ("x" if secret[-1] != "x" else "y")

    refused = api.get("/billing/balance", token=tampered)

    assert refused.status == 401 and refused.body["code"] == "INVALID_API_KEY"


@pytest.mark.parametrize(("body", "field"), [
    ({"name": ""}, "name"),
    ({"name": "x" * 121}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "ci", "scope": "root"}, "scope"),
    ({"name": "ci", "expires_in_days": 0}, "expires_in_days"),
    ({"name": "ci", "expires_at": "2001-01-01T00:00:00Z"}, "expires_at"),
    ({"name": "ci", "expires_in_days": 3, "expires_at": "2099-01-01T00:00:00Z"}, "expires_at"),
])
def test_bad_mint_requests_get_400_naming_the_field(api, body, field):
    owner = sign_up_and_log_in(api)

    refused = api.post("/api-keys", body, token=owner.token)

    assert refused.status == 400 and refused.body["field"] == field
