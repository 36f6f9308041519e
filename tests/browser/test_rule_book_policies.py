"""The rule book's transfer and callback policies in the console, against the real API: read in sentences, edited in
their own fieldsets, and the API's 422 for a wrong value shown in plain words next to the field it names
(`transfer_policy.number`, `transfer_policy.ring_seconds`, `callback_policy.max_days_ahead`)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import Console, sign_up

PASSWORD = "a long password for the rule book"
PROMPT = "Renewal reminders for our US customers, 9am-8pm Eastern time every day, offer up to 20% off, auto-approve 10%"


def read(console: Console, path: str) -> dict:
    """What the API answers the page's own session (its cookie) for `path`."""
    return console.page.evaluate("async path => (await fetch(path, {headers: {Accept: 'application/json'}})).json()",
                                 path)


def test_the_transfer_and_callback_policies_are_read_and_edited_in_plain_words(console: Console) -> None:
    page = console.page
    sign_up(console, PASSWORD, country="US")
    page.get_by_role("link", name="Campaigns", exact=True).click()
    page.get_by_role("link", name="New campaign").first.click()
    page.get_by_label("Describe the campaign").fill(PROMPT)
    page.get_by_role("button", name="Create campaign").click()
    book = page.locator(".rule-book")
    expect(book).to_contain_text("Transfers to a person: off (a callee who wants a person is offered a callback)")
    expect(book).to_contain_text(re.compile(r"Callbacks: (not offered|offered, up to \d+ days? ahead)"))
    workflow_id = re.search(r"/campaigns/(wf_\w+)", page.url).group(1)

    # Wrong values: the API's 422 names each field, and the console says what to do next to it.
    page.get_by_role("button", name="Edit rule book").click()
    page.get_by_label("Transfer number (+country code)").fill("4155550199")
    page.get_by_label("Ring for (seconds)").fill("90")
    page.get_by_label("Offer to call back when the person asks").check()
    page.get_by_label("Book at most this many days ahead").fill("31")
    page.get_by_role("button", name="Save rule book").click()
    number = page.get_by_label("Transfer number (+country code)")
    expect(number).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Enter the number with + and its country code, like +14155550123.")).to_be_visible()
    expect(page.get_by_label("Ring for (seconds)")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Use a number from 5 to 60.")).to_be_visible()
    expect(page.get_by_label("Book at most this many days ahead")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Use a number from 0 to 30.")).to_be_visible()
    console.check("rule-book-policies-errors")

    # Right values, as people write a number: saved, and read back in sentences.
    number.fill("+1 (415) 555-0199")
    page.get_by_label("Ring for (seconds)").fill("15")
    page.get_by_label("Let me choose Transfer when I decide an approval").uncheck()
    page.get_by_label("Book at most this many days ahead").fill("3")
    page.get_by_label("Ask me to approve each callback").check()
    page.get_by_label("Who calls back (optional)").fill("the front desk")
    page.get_by_role("button", name="Save rule book").click()
    expect(book).to_contain_text("Transfers to a person: to the number ending 0199 (+14155550199), when the callee "
                                 "asks for a person; it rings 15 seconds, then the caller takes a message")
    expect(book).to_contain_text("Callbacks: offered, up to 3 days ahead; each one waits for your approval; "
                                 "the front desk calls back")
    console.check("rule-book-policies")
    saved = read(console, f"/api/workflows/{workflow_id}")["rule_book"]
    assert saved["transfer_policy"] == {"number": "+14155550199", "when_callee_asks": True, "on_approval": False,
                                        "ring_seconds": 15}
    assert saved["callback_policy"] == {"allowed": True, "max_days_ahead": 3, "requires_approval": True,
                                        "handled_by": "the front desk"}

    # Emptied, the number turns transfers off again.
    page.get_by_role("button", name="Edit rule book").click()
    page.get_by_label("Transfer number (+country code)").fill("")
    page.get_by_role("button", name="Save rule book").click()
    expect(book).to_contain_text("Transfers to a person: off")
    assert read(console, f"/api/workflows/{workflow_id}")["rule_book"]["transfer_policy"]["number"] is None
