"""Idempotency-Key on POST /billing/topup (and the helper other routes use)."""

from __future__ import annotations

import pytest

from shared.billing import topups
from shared.platform.errors import Conflict
from shared.platform.idempotency import idempotent
from tests.integration.conftest import sign_up_and_log_in
from tests.integration.test_billing_topups import FakeProcessor

pytestmark = pytest.mark.integration


@pytest.fixture
def processor(monkeypatch):
    fake = FakeProcessor()
    monkeypatch.setattr(topups, "processor", lambda: fake)
    return fake


def test_the_same_key_and_body_replay_the_first_response(api, processor):
    owner = sign_up_and_log_in(api)
    first = api.post("/billing/topup", {"amount_minor": 1000}, token=owner.token, headers={"Idempotency-Key": "k-1"})
    again = api.post("/billing/topup", {"amount_minor": 1000}, token=owner.token, headers={"Idempotency-Key": "k-1"})
    assert (first.status, again.status) == (201, 201) and again.body == first.body
    assert len(processor.checkouts) == 1


def test_the_same_key_with_another_body_is_a_422(api, processor):
    owner = sign_up_and_log_in(api)
    api.post("/billing/topup", {"amount_minor": 1000}, token=owner.token, headers={"Idempotency-Key": "k-1"})
    reply = api.post("/billing/topup", {"amount_minor": 2000}, token=owner.token, headers={"Idempotency-Key": "k-1"})
    assert reply.status == 422 and reply.body["code"] == "IDEMPOTENCY_KEY_REUSED"


def test_keys_are_per_tenant(api, processor):
    alice, bob = sign_up_and_log_in(api), sign_up_and_log_in(api)
    for owner in (alice, bob):
        reply = api.post("/billing/topup", {"amount_minor": 1000}, token=owner.token, headers={"Idempotency-Key": "k"})
        assert reply.status == 201
    assert len(processor.checkouts) == 2


def test_a_key_longer_than_255_characters_is_a_400(api, processor):
    owner = sign_up_and_log_in(api)
    reply = api.post("/billing/topup", {"amount_minor": 1000}, token=owner.token,
                     headers={"Idempotency-Key": "k" * 256})
    assert reply.status == 400 and reply.body["code"] == "INVALID_IDEMPOTENCY_KEY"


def test_a_key_still_in_flight_is_a_409(api):
    def reenter() -> tuple[int, dict]:
        return idempotent(7, "POST /x", "k", {"a": 1}, lambda: (201, {}))

    with pytest.raises(Conflict) as in_flight:
        idempotent(7, "POST /x", "k", {"a": 1}, reenter)
    assert in_flight.value.code == "IDEMPOTENCY_KEY_IN_FLIGHT"


def test_a_failed_run_lets_the_key_be_used_again(api):
    def fail() -> tuple[int, dict]:
        raise RuntimeError("processor down")

    with pytest.raises(RuntimeError):
        idempotent(7, "POST /x", "k", {"a": 1}, fail)
    assert idempotent(7, "POST /x", "k", {"a": 1}, lambda: (201, {"ok": True})) == (201, {"ok": True})
