"""A call's page in states the real sandbox does not hold still long enough, or would need a campaign of its own, to
be seen in a browser test: Playwright answers one call's detail with the API's own shape (`CallDetail`, `TransferView`
in shared/calls/models.py), the browser talks to the real local stack for everything else. The API's side of each
is proven by its contract tests (tests/contract/test_transfers.py); the real transfer and callback calls are seen in
tests/browser/test_callbacks_and_transfers.py.

- a transfer nobody answered, with the callee's message: a second campaign whose number rings out (a whole call and
  the ring time more on a shared 2-core machine);
- a connected transfer whose leg's recording the carrier has not delivered yet (a moment between the leg's end and the
  carrier's recording callback: a race);
- a call from a stack older than callbacks and transfers (no `reason`, `callback_id` or `transfer`).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from tests.browser.conftest import Console, sign_up

PASSWORD = "a long password for the call page"
NOW = datetime.now(UTC).replace(microsecond=0)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def call_detail(identifier: str, **fields) -> dict:
    return {
        "id": identifier, "workflow_id": "wf_1", "run_id": "run_1", "to": "+14155550107", "from": None,
        "status": "completed", "outcome": "transferred", "started_at": iso(NOW), "answered_at": iso(NOW),
        "ended_at": iso(NOW + timedelta(minutes=2)), "duration_seconds": 120, "cost_minor": 30, "currency": "USD",
        "has_recording": False, "transcript": [], "latency": None, "recording": None, "analysis": None,
        "reason": "campaign", "callback_id": None, "transfer": None, **fields,
    }


def answer_with(console: Console, detail: dict) -> None:
    console.page.route(re.compile(rf"/api/calls/{detail['id']}$"), lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(detail)))


def test_an_unanswered_transfer_shows_the_callees_message(console: Console) -> None:
    page = console.page
    sign_up(console, PASSWORD)
    answer_with(console, call_detail("call_missed", outcome="callback", transfer={
        "status": "no_answer", "to_last4": "0120", "duration_seconds": 0, "charged_minor": 0, "whisper": "",
        "message": "Please ask Sam to ring me about the renewal after five", "recording_url": None}))
    console.open("/calls/call_missed")
    transfer = page.get_by_role("region", name="Transfer to a person")
    expect(transfer).to_contain_text("The person did not answer")
    expect(transfer).to_contain_text("the number ending 0120")
    expect(transfer).to_contain_text("“Please ask Sam to ring me about the renewal after five”")
    expect(transfer).to_contain_text("$0.00")
    expect(transfer.get_by_text("Your colleague heard first")).to_have_count(0)  # no whisper: nobody picked up
    expect(transfer.locator("audio")).to_have_count(0)
    console.check("transfer-not-answered")


def test_a_transfer_whose_recording_is_still_to_come_says_so(console: Console) -> None:
    page = console.page
    sign_up(console, PASSWORD)
    answer_with(console, call_detail("call_bridged", transfer={
        "status": "connected", "to_last4": "4242", "duration_seconds": 75, "charged_minor": 12,
        "whisper": "Priya asked for a person about her renewal", "message": None, "recording_url": None}))
    console.open("/calls/call_bridged")
    transfer = page.get_by_role("region", name="Transfer to a person")
    expect(transfer).to_contain_text("Talked to a person")
    expect(transfer).to_contain_text("1:15")
    expect(transfer).to_contain_text("once the carrier delivers it")
    expect(transfer.locator("audio")).to_have_count(0)
    console.check("transfer-recording-to-come")


def test_a_call_from_an_older_stack_shows_neither_reason_nor_transfer(console: Console) -> None:
    page = console.page
    sign_up(console, PASSWORD)
    older = {key: value for key, value in call_detail("call_plain", outcome="converted").items()
             if key not in ("reason", "callback_id", "transfer")}
    answer_with(console, older)
    console.open("/calls/call_plain")
    expect(page.get_by_text("Carrier status")).to_be_visible()
    expect(page.get_by_text("Why we called")).to_have_count(0)
    expect(page.locator(".page-actions")).not_to_contain_text("Callback")
    expect(page.get_by_role("region", name="Transfer to a person")).to_have_count(0)
