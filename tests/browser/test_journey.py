"""A business owner's first campaign, from the browser alone: sign up → verify → mint a key (secret shown once) →
create a campaign from a prompt → upload an audience → attest → run on the sandbox carrier → approve the held
callee → watch the run finish → open a call's transcript and recording → download the weekly PDF → erase a contact.

Only the test's set-up reaches past the browser: the sandbox outbox (where the verification email lands) and the
sandbox clock (moved to the audience's legal calling hours), as a newcomer on `make run` would use them.
"""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import Console

FIXTURES = Path(__file__).parent / "fixtures"
AUDIENCE = FIXTURES / "audience-spreadsheet-export.csv"
PASSWORD = "a long password for the journey"
PROMPT = "Renewal reminders for our customers in India, every day, offer up to 20% off, auto-approve 10%"
DISCOUNT_ASKER = "+919876543214"  # sandbox callee, last digit 4: asks for more than the auto-approve limit, holds
CONVERTER = "+919876543218"  # last digit 8: converts
OPTS_OUT = "+918161973063"  # last digit 3: "please stop calling me"
RUN_SECONDS = 180


@pytest.fixture
def callable_clock(http: requests.Session, base_url: str):
    """The stack's clock at a moment the audience may be called (India 09:00–21:00), back to real time after."""
    assert http.post(f"{base_url}/_sandbox/clock", json={"advance_to_next_window_for": DISCOUNT_ASKER}).ok
    yield
    http.post(f"{base_url}/_sandbox/clock", json={"now": None})


def verification_link(http: requests.Session, base_url: str, email: str) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for mail in http.get(f"{base_url}/_sandbox/outbox").json():
            if email in mail["to"]:
                return next(link for link in mail["links"] if "verify-email" in link)
        time.sleep(0.2)
    pytest.fail(f"no verification email for {email} in the sandbox outbox")


def drop_file(console: Console, selector: str, path: Path) -> None:
    """Drag a file onto the drop zone, as a person drags it from their desktop."""
    content = path.read_bytes().decode("utf-8")
    transfer = console.page.evaluate_handle("""([name, text]) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([text], name, {type: "text/csv"}));
        return transfer;
    }""", [path.name, content])
    console.page.dispatch_event(selector, "drop", {"dataTransfer": transfer})


def test_a_newcomer_runs_a_first_campaign_from_the_browser(console: Console, http, base_url, callable_clock) -> None:
    page = console.page
    email = f"owner-{uuid.uuid4().hex[:10]}@example.com"

    # Sign up (a field error first, in plain words next to the field), which logs in.
    console.open("/signup")
    page.get_by_label("Your name").fill("Asha Rao")
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Password").fill("short")
    page.get_by_label("Country").select_option("IN")
    page.get_by_role("button", name="Create workspace").click()
    expect(page.get_by_text("Use at least 10 characters.")).to_be_visible()
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")
    console.check("signup-error")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create workspace").click()
    expect(page.get_by_role("heading", name="Overview", level=1)).to_be_visible()
    banner = page.get_by_role("complementary", name="Confirm your email")
    expect(banner).to_contain_text(email)
    expect(page.get_by_text("Minutes left")).to_be_visible()
    console.check("overview-unverified")

    # Verify: the emailed link opens the console's page, which confirms; back to the overview, the banner is gone.
    link = verification_link(http, base_url, email)
    assert link.startswith(f"{base_url}/#/verify-email?token=")
    page.goto(link)
    expect(page.get_by_text(f"{email} is confirmed")).to_be_visible()
    console.check("email-confirmed")
    page.get_by_role("link", name="Go to your overview").click()
    expect(page.get_by_role("heading", name="Overview", level=1)).to_be_visible()
    expect(banner).to_have_count(0)

    # Mint a key: the secret is shown once, works, and is gone once hidden.
    page.get_by_role("link", name="API keys").click()
    page.get_by_label("Name").fill("CRM sync")
    page.get_by_role("button", name="Mint key").click()
    secret = page.get_by_label("Secret key").input_value()
    assert re.fullmatch(r"cf_live_\w{30,}", secret)
    expect(page.get_by_text("this is the only time it is shown")).to_be_visible()
    console.check("key-minted")
    assert requests.get(f"{base_url}/billing/balance", headers={"Authorization": f"Bearer {secret}"}).ok
    page.get_by_role("button", name=re.compile("I have saved it")).click()
    expect(page.get_by_label("Secret key")).to_have_count(0)
    page.reload()
    expect(page.get_by_role("cell", name="CRM sync", exact=True)).to_be_visible()
    assert secret not in page.content()

    # Create a campaign from a prompt; read and edit its rule book (a wrong value is named next to its field).
    page.get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name="New campaign").first.click()
    page.get_by_label("Describe the campaign").fill(PROMPT)
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_role("heading", name="Opening words")).to_be_visible()
    expect(page.locator(".rule-book")).to_contain_text("with your approval")
    console.check("campaign")
    page.get_by_role("button", name="Edit rule book").click()
    page.get_by_label("Longest call (seconds)").fill("5")
    page.get_by_role("button", name="Save rule book").click()
    expect(page.get_by_label("Longest call (seconds)")).to_have_attribute("aria-invalid", "true")
    console.check("rule-book-error")
    page.get_by_label("Longest call (seconds)").fill("240")
    page.get_by_role("button", name="Save rule book").click()
    expect(page.locator(".rule-book")).to_contain_text("Longest call: 4 minutes")

    # Upload the audience by drag and drop: the screening summary.
    drop_file(console, "[data-testid=dropzone]", AUDIENCE)
    summary = page.get_by_role("region", name="Screening summary")
    expect(summary.locator("[data-field=accepted]")).to_have_text("4")
    expect(summary.locator("[data-field=duplicates]")).to_have_text("1")
    expect(summary.locator("[data-field=rejected_invalid]")).to_have_text("1")
    expect(summary.locator("[data-field=rejected_ncpr]")).to_have_text("1")
    expect(page.get_by_text("Audience: 4 people")).to_be_visible()
    console.check("audience")

    # Attest consent, then run on the sandbox carrier.
    page.get_by_label("How they consented").fill("Every contact opted in on our renewal form")
    page.get_by_role("button", name="I attest this consent").click()
    expect(page.get_by_text(re.compile("Consent: attested"))).to_be_visible()
    page.get_by_role("button", name="Start calling").click()
    expect(page.get_by_role("region", name=re.compile("Calls"))).to_be_visible()
    run_url = page.url
    assert "/runs/" in run_url
    console.check("live-run")

    # Approve the held callee with a note.
    page.get_by_role("link", name="Approvals").click()
    approval = page.get_by_role("article").filter(has_text=DISCOUNT_ASKER)
    expect(approval).to_be_visible(timeout=60_000)
    expect(approval).to_contain_text("Time left")
    console.check("approvals")
    approval.get_by_label("Note (optional)").fill("Fine for a loyal customer")
    approval.get_by_role("button", name="Approve").click()
    expect(approval).to_have_count(0)

    # Watch the run finish (the view refreshes itself).
    page.goto(run_url)
    expect(page.get_by_text(re.compile(r"^Finished \S"))).to_be_visible(timeout=RUN_SECONDS * 1000)
    calls = page.get_by_test_id("calls")
    expect(calls.get_by_role("link", name=CONVERTER)).to_be_visible()
    held = calls.get_by_role("row").filter(has=page.get_by_role("link", name=DISCOUNT_ASKER))
    expect(held).to_contain_text("converted")  # approved while holding, then converted
    console.check("run-finished")

    # A call's transcript and its recording (every connected call streams through the voice plane, which records it).
    calls.get_by_role("link", name=CONVERTER).click()
    expect(page.get_by_role("heading", name=f"Call to {CONVERTER}")).to_be_visible()
    transcript = page.locator(".transcript li")
    expect(transcript.first).to_be_visible()
    assert transcript.count() >= 2
    console.check("call")
    call_url = page.url

    # The weekly PDF.
    page.get_by_role("link", name="Reports").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the PDF report").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    console.check("reports")

    # Erase a contact (the one who asked not to be called), with a typed confirmation.
    page.get_by_role("link", name="Contacts").click()
    page.get_by_label("Their phone number (+country code) or email").fill(OPTS_OUT)
    page.get_by_role("button", name="Erase their data…").click()
    dialog = page.get_by_role("dialog", name="Erase everything about this person?")
    expect(dialog.get_by_role("button", name="Erase for good")).to_be_disabled()
    dialog.get_by_label(f"Type {OPTS_OUT} to confirm").fill(OPTS_OUT)
    console.check("erase-confirmation")
    dialog.get_by_role("button", name="Erase for good").click()
    expect(page.get_by_text(re.compile("^Erased"))).to_be_visible()
    page.get_by_role("textbox", name="Phone number (+country code) or email", exact=True).fill(OPTS_OUT)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("Nothing has happened with this contact.")).to_be_visible()
    console.check("contacts")

    # The recording plays in the call's page.
    page.goto(call_url)
    player = page.locator("audio")
    expect(player).to_have_count(1)
    duration = player.evaluate("""audio => new Promise((resolve, reject) => {
        if (audio.readyState >= 1) return resolve(audio.duration);
        audio.addEventListener('loadedmetadata', () => resolve(audio.duration));
        audio.addEventListener('error', () => reject(new Error('the recording did not load')));
        audio.load();
    })""")
    assert duration > 0
