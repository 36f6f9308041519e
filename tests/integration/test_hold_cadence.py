"""A callee on hold hears the hold line once, then quiet, with a short reminder every 25 s — while the carrier
still asks every 5 s, so the decision reaches them at once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from shared.calls.conversation import HOLD_PAUSE_SECONDS, STILL_CHECKING
from shared.platform import clock
from tests.integration.conftest import sign_up_and_log_in
from tests.integration.dialer_fixtures import sandbox_numbers
from tests.integration.test_dialer_calls import _dial_all, _manifest, _start, carrier  # noqa: F401 (fixture)

pytestmark = pytest.mark.integration

HOLD_SECONDS = 62


def _spoken(twiml: str) -> list[str]:
    return re.findall(r"<Say[^>]*>(.*?)</Say>", twiml, re.S)


def test_a_minute_on_hold_is_one_line_then_a_reminder_every_25_seconds_and_the_decision_at_once(api, carrier):  # noqa: F811
    owner = sign_up_and_log_in(api)
    phone = sandbox_numbers(1, first=4)[0]  # asks for a discount above the auto-approve limit
    _, _, step = _start(api, owner, [phone])
    _dial_all(step, _manifest(step)[1])
    call = carrier.placed[0]
    hold = call.voice_url.replace("/voice/", "/hold/")
    carrier.post(api, call.voice_url, {"CallSid": "SBx", "AnsweredBy": "human"})
    holding = carrier.post(api, call.voice_url.replace("/voice/", "/gather/"),
                           {"CallSid": "SBx", "SpeechResult": call.sandbox_script["lines"][0]}).raw.decode()

    documents = []
    for _ in range(HOLD_SECONDS // HOLD_PAUSE_SECONDS):  # the carrier plays each <Pause>, then redirects
        clock.freeze(clock.now() + timedelta(seconds=HOLD_PAUSE_SECONDS))
        documents.append(carrier.post(api, hold, {"CallSid": "SBx"}).raw.decode())
    pending = api.get("/approvals", query="status=pending", token=owner.token).body["approvals"]
    api.post(f"/approvals/{pending[0]['id']}/decide", {"decision": "approve"}, token=owner.token)
    resumed = carrier.post(api, hold, {"CallSid": "SBx"}).raw.decode()

    assert len(_spoken(holding)) == 1 and "<Pause" in holding  # the hold line, once
    assert all(f'<Pause length="{HOLD_PAUSE_SECONDS}"' in document and "<Redirect" in document
               for document in documents)  # still polling every 5 s
    reminders = [index for index, document in enumerate(documents) if _spoken(document)]
    assert [_spoken(documents[index]) for index in reminders] == [[STILL_CHECKING]] * 2  # at 25 s and 50 s
    assert [(index + 1) * HOLD_PAUSE_SECONDS for index in reminders] == [25, 50]
    assert "Good news" in resumed and "<Gather" in resumed  # the decision, on the next poll
