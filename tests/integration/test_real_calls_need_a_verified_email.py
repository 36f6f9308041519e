"""The trial credit is credited at signup, but real carrier calls (Twilio, Exotel) need a confirmed email address:
until then `run` answers 409 EMAIL_NOT_VERIFIED. Sandbox calls and test workflows are not affected."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from shared.platform.settings import reset_settings
from tests.integration.conftest import sent_emails, sign_up_and_log_in
from tests.integration.dialer_fixtures import ready_workflow, sandbox_numbers

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("callable_time")]


@pytest.fixture
def bundled_twilio(monkeypatch):
    """The platform's own Twilio account: non-test runs go to a real carrier."""
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC" + "0" * 32)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "f" * 32)
    reset_settings()
    yield
    monkeypatch.undo()
    reset_settings()


def _verify(api, email: str) -> None:
    message = next(m for m in reversed(sent_emails()) if email in m.destinations["ToAddresses"])
    token = unquote(re.search(r"token=(\S+)", message.body).group(1))
    assert api.get("/auth/verify-email", query=f"token={token}").status == 200


def test_an_unverified_workspace_cannot_start_a_real_carrier_run(api, bundled_twilio):
    owner = sign_up_and_log_in(api)
    workflow = ready_workflow(api, owner, sandbox_numbers(2))

    refused = api.post(f"/api/workflows/{workflow['id']}/run", token=owner.token)

    assert refused.status == 409 and refused.body["code"] == "EMAIL_NOT_VERIFIED", refused.body
    assert refused.body["field"] == "email" and refused.body["error"]
    assert api.get(f"/workflows/{workflow['id']}", token=owner.token).body["status"] == "draft"


def test_once_verified_the_same_run_goes_on_to_the_carriers_own_checks(api, bundled_twilio):
    owner = sign_up_and_log_in(api)
    workflow = ready_workflow(api, owner, sandbox_numbers(2))
    _verify(api, owner.email)

    reply = api.post(f"/api/workflows/{workflow['id']}/run", token=owner.token)

    # No Twilio number yet: the next thing a real carrier needs
    assert reply.status == 409 and reply.body["code"] == "WORKFLOW_NOT_READY" and reply.body["field"] == "number"


def test_a_test_workflow_of_an_unverified_workspace_still_runs(api, bundled_twilio):
    owner = sign_up_and_log_in(api)
    workflow = ready_workflow(api, owner, sandbox_numbers(2), is_test=True)

    assert api.post(f"/api/workflows/{workflow['id']}/run", token=owner.token).status == 201


def test_an_unverified_workspace_still_calls_through_the_sandbox_carrier(api):
    owner = sign_up_and_log_in(api)
    workflow = ready_workflow(api, owner, sandbox_numbers(2))

    assert api.post(f"/api/workflows/{workflow['id']}/run", token=owner.token).status == 201


def test_a_run_that_reaches_a_real_carrier_mid_way_places_no_real_call_before_the_email_is_verified(
        api, monkeypatch):
    # Given an unverified workspace whose run started on the sandbox carrier (nothing real to check then)…
    import json

    from shared.dialer.dial import run_step
    from shared.dialer.manifest import prepare
    from shared.platform.aws import client
    from shared.providers.telephony.calls import PlacedCall
    from shared.providers.telephony.twilio_calls import TwilioCalls

    owner = sign_up_and_log_in(api)
    workflow = ready_workflow(api, owner, sandbox_numbers(1, first=8))
    run = api.post(f"/api/workflows/{workflow['id']}/run", token=owner.token)
    assert run.status == 201, run.body
    step = {"tenant_id": owner.tenant_id, "run_id": run.body["run_id"], "workflow_id": workflow["id"], "segment": 1}
    written = prepare(step)
    items = json.loads(client("s3").get_object(Bucket=written["bucket"], Key=written["key"])["Body"].read())
    # … and a real carrier that became the tenant's carrier before the step dials (the mode or credentials
    # changed while the run waited for its window)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC" + "0" * 32)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "f" * 32)
    reset_settings()
    dialed = []

    def place(carrier, call):
        dialed.append(call)
        return PlacedCall("twilio", "CA" + "0" * 32)

    monkeypatch.setattr(TwilioCalls, "place_call", place)
    released = {}
    monkeypatch.setattr("shared.dialer.task_results.release", lambda token, answer: released.__setitem__(token, answer))

    # When the dial step runs
    answer = run_step({"task_token": "tok", "step": {**step, "target": items[0], "attempt": 1}})

    # Then nothing is dialed through the real carrier and nothing is reserved from the (trial) credit
    assert dialed == []
    assert released["tok"]["next"] == "done" and released["tok"]["reason"] == "email_not_verified", (answer, released)
    history = api.get("/billing/history", token=owner.token).body["entries"]
    assert [entry["kind"] for entry in history] == ["trial_credit"]
    view = api.get(f"/api/workflows/{workflow['id']}/runs", token=owner.token).body["runs"][0]
    assert view["calls_placed"] == 0 and view["targets_finished"] == 1


def test_an_unverified_workspace_cannot_buy_a_real_carriers_number(api, bundled_twilio, monkeypatch):
    # A number on the platform's Twilio account is rent the platform pays: a throwaway signup must not buy them
    from shared.providers.telephony.twilio import TwilioTelephony

    bought = []
    monkeypatch.setattr(TwilioTelephony, "buy", lambda provider, *args: bought.append(args))
    owner = sign_up_and_log_in(api)

    refused = api.post("/numbers/provision", {"phone_e164": "+14155550123"}, token=owner.token)

    assert refused.status == 409 and refused.body["code"] == "EMAIL_NOT_VERIFIED", refused.body
    assert bought == [] and api.get("/numbers", token=owner.token).body["numbers"] == []
