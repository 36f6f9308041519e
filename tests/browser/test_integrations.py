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
    page.get_by_role("button", name="Add to Slack").click()
    expect(page).to_have_url(re.compile(r"/_sandbox/slack/oauth/v2/authorize\?"))
    page.get_by_label("Workspace").fill(workspace)
    page.get_by_role("button", name="Allow").click()
    expect(page).to_have_url(re.compile(r"/#/setup/slack\?slack=connected$"))
    expect(page.get_by_text("Slack is connected.")).to_be_visible()
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
