"""One clock: after `/_sandbox/clock` moves the stack forward, everything it writes carries the moved time.

The README's campaign moves the clock forward to the audience's next legal window. Money (trial credit, top-up,
call charges), consent, the run, its calls (and the carrier's `placed_at`), approvals, timeline events and
emails must all be dated on that clock, so the weekly report of that week shows the spend beside its calls.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.contract.helpers import Account, assert_error, run_to_the_end, sign_up_and_log_in

PROMPT = "Renewal recovery for our SaaS customers, offer up to 15% off, auto-approve 10%"
PHONES = ["+14155550304", "+14155550308"]  # 4: a concession to approve, 8: converts
DAYS_AHEAD = 23


@pytest.fixture
def moved_clock(http: requests.Session, base_url: str) -> Iterator[datetime]:
    """The stack's clock, three weeks ahead at 03:00 UTC (night in California), then to the number's window."""
    night = (datetime.now(UTC) + timedelta(days=DAYS_AHEAD)).replace(hour=3, minute=0, second=0, microsecond=0)
    moved = http.post(f"{base_url}/_sandbox/clock", json={"now": night.isoformat()})
    assert moved.status_code == 200, moved.text
    advanced = http.post(f"{base_url}/_sandbox/clock", json={"advance_to_next_window_for": PHONES[0]})
    assert advanced.status_code == 200, advanced.text
    yield datetime.fromisoformat(advanced.json()["now"])
    http.post(f"{base_url}/_sandbox/clock", json={"now": None})


def test_advancing_to_the_next_window_moves_forward_into_the_numbers_legal_hours(http, base_url, moved_clock):
    local = moved_clock.astimezone(ZoneInfo("America/Los_Angeles"))

    assert moved_clock > datetime.now(UTC) + timedelta(days=DAYS_AHEAD - 1)
    assert 8 <= local.hour < 20  # TCPA: 08:00-21:00 recipient-local, with an hour to spare
    again = http.post(f"{base_url}/_sandbox/clock", json={"advance_to_next_window_for": PHONES[0]}).json()
    assert moved_clock <= datetime.fromisoformat(again["now"]) < moved_clock + timedelta(minutes=1)  # already in


@pytest.mark.parametrize("body", [{"advance_to_next_window_for": "not a number"}, {"advance_to_next_window_for": 7},
                                  {"now": "2026-12-02T15:00:00"}])
def test_a_bad_clock_move_is_a_400(http, base_url, body):
    assert_error(http.post(f"{base_url}/_sandbox/clock", json=body), 400, "VALIDATION_ERROR", next(iter(body)))


def test_everything_written_after_the_move_is_on_the_moved_clock_and_the_weekly_report_shows_the_spend(
        http, base_url, moved_clock):
    owner = sign_up_and_log_in(http, base_url, country="US")
    _top_up(http, base_url, owner, 2500)
    workflow = _attested_workflow(http, base_url, owner)
    started = http.post(f"{base_url}/api/workflows/{workflow['id']}/run", headers=owner.auth)
    assert started.status_code == 201, started.text
    run = run_to_the_end(http, base_url, owner, workflow["id"])
    assert run["status"] == "completed" and run["targets_converted"] == 2, run
    stack_now = datetime.fromisoformat(http.get(f"{base_url}/_sandbox/clock").json()["now"])

    stamps = _every_timestamp(http, base_url, owner, workflow["id"])

    assert {"ledger trial_credit", "ledger topup", "ledger call_charge", "consent", "run started",
            "approval decided", "timeline call", "carrier placed_at", "email sent_at"} <= {name for name, _ in stamps}
    off_clock = [(name, moment.isoformat()) for name, moment in stamps
                 if not moved_clock - timedelta(seconds=1) <= moment <= stack_now + timedelta(seconds=1)]
    assert off_clock == [], f"written off the stack's clock ({moved_clock} .. {stack_now})"

    history = http.get(f"{base_url}/billing/history", params={"limit": 200}, headers=owner.auth).json()
    spent = -sum(entry["amount_minor"] for entry in history["entries"] if entry["kind"] == "call_charge")
    week = moved_clock.date() - timedelta(days=moved_clock.weekday())
    report = http.get(f"{base_url}/api/reports/weekly", headers=owner.auth,
                      params={"from": week.isoformat(), "to": (week + timedelta(days=6)).isoformat()})
    assert report.status_code == 200, report.text[:300]
    text = _pdf_text(report.content)
    assert spent > 0 and f"Spent: USD {spent / 100:.2f}" in text and "Appendix: calls (2)" in text, text[:600]


def _top_up(http: requests.Session, base_url: str, owner: Account, amount_minor: int) -> None:
    before = http.get(f"{base_url}/billing/balance", headers=owner.auth).json()["balance_minor"]
    created = http.post(f"{base_url}/billing/topup", json={"amount_minor": amount_minor}, headers=owner.auth)
    assert created.status_code == 201, created.text
    assert http.post(created.json()["checkout_url"], json={"outcome": "succeeded"}).status_code == 202
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if http.get(f"{base_url}/billing/balance", headers=owner.auth).json()["balance_minor"] == before + amount_minor:
            return
        time.sleep(0.2)
    pytest.fail("the top-up was not credited")


def _attested_workflow(http: requests.Session, base_url: str, owner: Account) -> dict:
    workflow = http.post(f"{base_url}/api/workflows", json={"nl_prompt": PROMPT}, headers=owner.auth).json()
    uploaded = http.post(f"{base_url}/api/workflows/{workflow['id']}/audience",
                         json={"rows": [{"phone": phone} for phone in PHONES]}, headers=owner.auth)
    assert uploaded.status_code == 200 and uploaded.json()["accepted"] == len(PHONES), uploaded.text
    attested = http.put(f"{base_url}/api/workflows/{workflow['id']}/compliance",
                        json={"consent_attestation_text": "Every contact opted in on our web form"},
                        headers=owner.auth)
    assert attested.status_code == 200, attested.text
    return workflow


def _every_timestamp(http: requests.Session, base_url: str, owner: Account,
                     workflow_id: str) -> list[tuple[str, datetime]]:
    stamps: list[tuple[str, str | None]] = []
    history = http.get(f"{base_url}/billing/history", params={"limit": 200}, headers=owner.auth).json()
    stamps += [(f"ledger {entry['kind']}", entry["created_at"]) for entry in history["entries"]]
    workflow = http.get(f"{base_url}/api/workflows/{workflow_id}", headers=owner.auth).json()
    stamps += [("workflow created", workflow["created_at"]), ("workflow updated", workflow["updated_at"]),
               ("consent", workflow["compliance"]["consent_attested_at"])]
    for run in http.get(f"{base_url}/api/workflows/{workflow_id}/runs", headers=owner.auth).json()["runs"]:
        stamps += [("run started", run["started_at"]), ("run ended", run["ended_at"])]
    for approval in http.get(f"{base_url}/api/approvals", params={"workflow_id": workflow_id},
                             headers=owner.auth).json()["approvals"]:
        stamps += [("approval created", approval["created_at"]), ("approval decided", approval["decided_at"])]
    call_ids = set()
    for phone in PHONES:
        events = http.get(f"{base_url}/api/timeline", params={"phone": phone}, headers=owner.auth).json()["events"]
        stamps += [(f"timeline {event['kind']}", event["at"]) for event in events]
        call_ids |= {event["payload"].get("call_id") for event in events}
    calls = [call for call in http.get(f"{base_url}/_sandbox/carrier/calls").json() if call["call_id"] in call_ids]
    assert len(calls) == len(PHONES), "the carrier's calls of this run"
    stamps += [("carrier placed_at", call["placed_at"]) for call in calls]
    stamps += [("email sent_at", mail["sent_at"]) for mail in http.get(f"{base_url}/_sandbox/outbox").json()
               if owner.email in mail["to"]]
    return [(name, _aware(datetime.fromisoformat(value))) for name, value in stamps if value is not None]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages).split())
