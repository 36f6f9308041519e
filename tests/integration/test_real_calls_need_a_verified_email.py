"""The trial credit is credited at signup, but real carrier calls (Twilio, Exotel) need a confirmed email address:
until then `run` answers 409 EMAIL_NOT_VERIFIED. Sandbox calls and test workflows are not affected."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from shared.platform import clock
from shared.platform.settings import reset_settings
from tests.integration.conftest import sent_emails, sign_up_and_log_in
from tests.integration.dialer_fixtures import CALLABLE_MOMENT, ready_workflow, sandbox_numbers

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def callable_time(api):
    clock.freeze(CALLABLE_MOMENT)
    yield
    clock.freeze(None)


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
