"""The Callbacks page and a callback call's page, on the shapes the issue-13 interfaces fix (the callbacks API and the
calls' `reason` / `transfer` fields are built in parallel, on other branches): the browser talks to the real local
stack for everything else, and Playwright answers `/api/callbacks` and one call's detail with those shapes —
including the API's 409 for a callback that is no longer scheduled. The API's side is proven by its contract tests;
this proves the console's."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Route, expect

from tests.browser.conftest import Console, sign_up

PASSWORD = "a long password for callbacks"
NOW = datetime.now(UTC).replace(microsecond=0)


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def callback(identifier: str, phone: str, status: str, due_in: timedelta, **fields) -> dict:
    return {"id": identifier, "workflow_id": "wf_1", "run_id": "run_1", "target_phone": phone, "status": status,
            "due_at": iso(NOW + due_in), "requested_text": "tomorrow at 3pm", "origin_call_id": f"call_{identifier}",
            "approval_id": None, "call_id": None, "skip_reason": None, "created_at": iso(NOW - timedelta(hours=1)),
            "cancelled_at": None, **fields}


class FakeCallbacksApi:
    """`GET /api/callbacks[?status=]` and `DELETE /api/callbacks/{id}` as INTERFACES_13 defines them."""

    def __init__(self, callbacks: list[dict]) -> None:
        self.callbacks = {row["id"]: row for row in callbacks}
        self.requests: list[str] = []

    def handle(self, route: Route) -> None:
        request = route.request
        self.requests.append(f"{request.method} {request.url}")
        path = request.url.split("?", 1)[0]
        if request.method == "GET" and path.endswith("/api/callbacks"):
            wanted = re.search(r"status=(\w+)", request.url)
            rows = [row for row in self.callbacks.values() if not wanted or row["status"] == wanted.group(1)]
            rows.sort(key=lambda row: row["due_at"], reverse=True)
            return self._json(route, 200, {"callbacks": rows})
        identifier = path.rsplit("/", 1)[1]
        row = self.callbacks.get(identifier)
        if request.method == "DELETE" and row:
            assert request.headers.get("x-csrf-token"), "a write without the CSRF token"
            if row["status"] != "scheduled":
                return self._json(route, 409, {"error": "Only a scheduled callback can be cancelled",
                                               "code": "CALLBACK_NOT_CANCELLABLE"})
            row.update(status="cancelled", cancelled_at=iso(datetime.now(UTC)))
            return self._json(route, 200, row)
        return self._json(route, 404, {"error": "No such callback", "code": "NOT_FOUND"})

    @staticmethod
    def _json(route: Route, status: int, body: dict) -> None:
        route.fulfill(status=status, content_type="application/json", body=json.dumps(body))


def test_the_callbacks_page_lists_them_and_cancels_a_scheduled_one(console: Console) -> None:
    page = console.page
    sign_up(console, PASSWORD)
    api = FakeCallbacksApi([
        callback("cbk_1", "+14155550107", "scheduled", timedelta(hours=20)),
        callback("cbk_2", "+14155550117", "placed", timedelta(hours=-2), call_id="call_placed"),
        callback("cbk_3", "+14155550127", "skipped", timedelta(hours=-5), skip_reason="dnc"),
    ])
    page.route(re.compile(r"/api/callbacks(\?|/|$)"), api.handle)

    page.get_by_role("link", name="Callbacks").click()
    table = page.get_by_test_id("callbacks")
    scheduled = table.get_by_role("row").filter(has_text="+14155550107")
    expect(scheduled).to_contain_text("scheduled")
    expect(scheduled).to_contain_text("“tomorrow at 3pm”")
    expect(scheduled).to_contain_text(re.compile(r"in (19 h 59|20 h 0) min"))  # never "19 h 60 min"
    expect(table.get_by_role("row").filter(has_text="+14155550117").get_by_role("link", name="The callback call")) \
        .to_have_attribute("href", "#/calls/call_placed")
    expect(table.get_by_role("row").filter(has_text="+14155550127")).to_contain_text("do-not-call list")
    expect(table.get_by_role("button", name=re.compile("^Cancel the callback"))).to_have_count(1)  # scheduled only
    console.check("callbacks")

    # Cancel, after a confirmation; the row says so and offers no Cancel any more.
    scheduled.get_by_role("button", name="Cancel the callback to +14155550107").click()
    dialog = page.get_by_role("dialog", name="Cancel this callback?")
    console.check("callback-cancel-confirmation")
    dialog.get_by_role("button", name="Cancel the callback").click()
    expect(scheduled).to_contain_text("cancelled")
    expect(scheduled.get_by_role("button")).to_have_count(0)
    assert any(line.startswith("DELETE ") and line.endswith("/api/callbacks/cbk_1") for line in api.requests)

    # Filtered by status (the filter is the API's query parameter), and the empty state.
    page.get_by_label("Show").select_option("scheduled")
    expect(page.get_by_text("No callbacks scheduled.")).to_be_visible()
    assert api.requests[-1].endswith("/api/callbacks?status=scheduled")
    console.check("callbacks-empty")


def test_a_cancel_the_api_refuses_is_shown_in_plain_words(console: Console) -> None:
    page = console.page
    sign_up(console, PASSWORD)
    due = datetime.now(UTC) - NOW + timedelta(minutes=10)
    api = FakeCallbacksApi([callback("cbk_9", "+14155550137", "scheduled", due)])
    page.route(re.compile(r"/api/callbacks(\?|/|$)"), api.handle)
    console.open("/callbacks")
    row = page.get_by_test_id("callbacks").get_by_role("row").filter(has_text="+14155550137")
    expect(row).to_contain_text(re.compile(r"in (9|10) min"))
    api.callbacks["cbk_9"]["status"] = "placed"  # it fell due meanwhile
    row.get_by_role("button", name=re.compile("^Cancel the callback")).click()
    page.get_by_role("dialog").get_by_role("button", name="Cancel the callback").click()
    expect(page.get_by_role("alert")).to_contain_text("Only a scheduled callback can be cancelled")


def test_a_callback_call_shows_why_it_was_placed_and_its_transfer(console: Console) -> None:
    page = console.page
    sign_up(console, PASSWORD)
    detail = {
        "id": "call_cb", "workflow_id": "wf_1", "run_id": "run_1", "to": "+14155550107", "from": None,
        "status": "completed", "outcome": "converted", "started_at": iso(NOW), "answered_at": iso(NOW),
        "ended_at": iso(NOW + timedelta(minutes=2)), "duration_seconds": 120, "cost_minor": 30, "currency": "USD",
        "has_recording": False, "transcript": [], "latency": None, "recording": None, "analysis": None,
        "reason": "callback", "callback_id": "cbk_1",
        "transfer": {"status": "connected", "to_last4": "4242", "duration_seconds": 75, "charged_minor": 12,
                     "whisper": "Priya asked for a person about her renewal", "recording_url": None},
    }
    page.route(re.compile(r"/api/calls/call_cb$"), lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps(detail)))
    console.open("/calls/call_cb")
    expect(page.get_by_role("heading", name="Call to +14155550107")).to_be_visible()
    expect(page.get_by_text("A callback they asked for")).to_be_visible()
    transfer = page.get_by_role("region", name="Transfer to a person")
    expect(transfer).to_contain_text("Talked to a person")
    expect(transfer).to_contain_text("the number ending 4242")
    expect(transfer).to_contain_text("1:15")
    expect(transfer).to_contain_text("“Priya asked for a person about her renewal”")
    console.check("callback-call")

    # A campaign call without those fields (an older stack) shows neither.
    plain = {key: value for key, value in detail.items() if key not in ("reason", "callback_id", "transfer")}
    page.route(re.compile(r"/api/calls/call_plain$"), lambda route: route.fulfill(
        status=200, content_type="application/json", body=json.dumps({**plain, "id": "call_plain"})))
    console.open("/calls/call_plain")
    expect(page.get_by_text("Carrier status")).to_be_visible()
    expect(page.get_by_text("Why we called")).to_have_count(0)
    expect(page.get_by_role("region", name="Transfer to a person")).to_have_count(0)
