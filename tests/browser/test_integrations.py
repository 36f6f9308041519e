"""Setup's integrations from the browser: Slack ("Add to Slack" through the sandbox Slack's authorize page and back to
the console's Slack page, the approvals channel, disconnecting) and webhooks (the signing secret shown once, a test
event delivered to the sandbox receiver, a failed delivery retried)."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from tests.browser.conftest import Console, sign_up

PASSWORD = "a long password for integrations"


def test_an_owner_connects_slack_chooses_the_channel_and_disconnects(console: Console) -> None:
    page = console.page
    sign_up(console, PASSWORD)
    page.get_by_role("link", name="Setup").click()
    page.get_by_role("navigation", name="Setup sections").get_by_role("link", name="Slack").click()
    expect(page.get_by_text("Not connected.")).to_be_visible()
    console.check("slack-not-connected")

    # Add to Slack: Slack's authorize page (the sandbox's), Allow, and back on the console's Slack page.
    workspace = f"Acme {uuid.uuid4().hex[:6]}"
    callbacks: list[str] = []
    page.on("request", lambda request: callbacks.append(request.url)
            if "/integrations/slack/oauth/callback?" in request.url else None)
    page.get_by_role("button", name="Add to Slack").click()
    expect(page).to_have_url(re.compile(r"/_sandbox/slack/oauth/v2/authorize\?"))
    page.get_by_label("Workspace").fill(workspace)
    page.get_by_role("button", name="Allow").click()
    expect(page).to_have_url(re.compile(r"/#/setup/slack\?slack=connected$"))
    expect(page.get_by_text("Slack is connected.")).to_be_visible()
    expect(page.get_by_text(workspace, exact=True)).to_be_visible()

    # Slack's redirect followed again (the back button): the console's Slack page says why, not a page of JSON.
    assert len(callbacks) == 1
    page.goto(callbacks[0])
    expect(page).to_have_url(re.compile(r"/#/setup/slack\?slack=failed&code=SLACK_OAUTH_STATE_USED$"))
    expect(page.get_by_text("That Slack authorization was already used")).to_be_visible()
    expect(page.get_by_text(workspace, exact=True)).to_be_visible()

    # A channel Slack does not have is named next to the field; #approvals is saved.
    channel = page.get_by_role("textbox", name="Channel")
    channel.fill("#no-such-channel")
    page.get_by_role("button", name="Save channel").click()
    expect(channel).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text(re.compile("No channel '#no-such-channel'"))).to_be_visible()
    console.check("slack-channel-error")
    channel.fill("#approvals")
    channel.press("Enter")
    expect(page.get_by_text("Saved: approvals go there now.")).to_be_visible()
    expect(page.get_by_text("#approvals", exact=True)).to_be_visible()
    console.check("slack-connected")

    # Disconnect, after a confirmation.
    page.get_by_role("button", name="Disconnect Slack…").click()
    dialog = page.get_by_role("dialog", name="Disconnect Slack?")
    console.check("slack-disconnect-confirmation")
    dialog.get_by_role("button", name="Disconnect").click()
    expect(page.get_by_text(re.compile("Slack is disconnected"))).to_be_visible()
    expect(page.get_by_role("button", name="Add to Slack")).to_be_visible()


def test_an_owner_adds_a_webhook_sees_its_secret_once_tests_it_and_retries_a_failed_delivery(
        console: Console, http, base_url: str) -> None:
    page = console.page
    sign_up(console, PASSWORD)
    page.get_by_role("link", name="Setup").click()
    page.get_by_role("navigation", name="Setup sections").get_by_role("link", name="Webhooks").click()
    expect(page.get_by_text("No endpoints yet.")).to_be_visible()

    # A receiver address the API refuses is named next to the field.
    url = page.get_by_label("Endpoint URL")
    url.fill("http://hooks.example.com/callfunnel")
    page.get_by_role("button", name="Add endpoint").click()
    expect(url).to_have_attribute("aria-invalid", "true")
    console.check("webhooks-url-error")

    # Add the sandbox receiver: the signing secret is shown once.
    receiver = f"console-{uuid.uuid4().hex[:8]}"
    receiver_url = f"{base_url}/_sandbox/webhook-receiver/{receiver}"
    url.fill(receiver_url)
    page.get_by_label("Description (optional)").fill("Our CRM")
    page.get_by_label(re.compile(r"\(run\.completed\)")).check()
    page.get_by_role("button", name="Add endpoint").click()
    secret = page.get_by_label("Signing secret").input_value()
    assert secret.startswith("whsec_")
    expect(page.get_by_text("this is the only time it is shown")).to_be_visible()
    console.check("webhook-secret")
    # (The receiver's owner gives it the secret, so it verifies our signatures.)
    assert http.put(receiver_url, json={"secret": secret}).ok
    page.get_by_role("button", name=re.compile("I have saved it")).click()
    expect(page.get_by_label("Signing secret")).to_have_count(0)
    page.reload()
    expect(page.get_by_role("link", name=receiver_url)).to_be_visible()
    assert secret not in page.content()
    console.check("webhooks")

    # A test event, delivered.
    page.get_by_role("link", name=receiver_url).click()
    expect(page.get_by_text("Nothing sent yet.")).to_be_visible()
    page.get_by_role("button", name="Send a test event").click()
    deliveries = page.get_by_test_id("deliveries")
    newest = deliveries.get_by_role("row").nth(1)
    expect(newest).to_contain_text("webhook.test")
    expect(newest).to_contain_text("delivered")
    expect(newest).to_contain_text("HTTP 200")
    console.check("webhook-delivered")
    received = http.get(receiver_url).json()["received"]
    assert [(hit["type"], hit["verified"], hit["answered"]) for hit in received] == [("webhook.test", True, 200)]

    # A receiver that refuses (410: not retried by itself) fails the delivery; Retry sends it again, delivered.
    assert http.put(receiver_url, json={"fail_next": 1, "fail_status": 410}).ok
    page.get_by_role("button", name="Send a test event").click()
    expect(deliveries.get_by_role("row")).to_have_count(3)
    expect(newest).to_contain_text("failed")
    expect(newest).to_contain_text("HTTP 410")
    console.check("webhook-failed")
    newest.get_by_role("button", name=re.compile("^Retry")).click()
    expect(newest).to_contain_text("delivered")
    expect(newest).to_contain_text("HTTP 200")
    expect(newest).to_contain_text("2")  # attempts
    received = http.get(receiver_url).json()["received"]
    assert [hit["answered"] for hit in received] == [200, 410, 200]
    assert received[1]["webhook_id"] == received[2]["webhook_id"]  # the same event, sent again

    # Disable it, then delete it (after a confirmation).
    page.get_by_label("Enabled: send events to this endpoint").uncheck()
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    expect(page.locator(".page-actions")).to_contain_text("disabled")
    page.get_by_role("button", name="Delete endpoint…").click()
    dialog = page.get_by_role("dialog", name="Delete this endpoint?")
    console.check("webhook-delete-confirmation")
    dialog.get_by_role("button", name="Delete endpoint").click()
    expect(page.get_by_role("heading", name="Webhooks", level=1)).to_be_visible()
    expect(page.get_by_text("No endpoints yet.")).to_be_visible()
