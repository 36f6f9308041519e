"""Every page the journey does not pass through, checked the same way: it loads its data, works with the keyboard's
controls, and axe-core finds no serious or critical violation."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import Console, sign_up

PASSWORD = "a long password for the pages"


def test_money_setup_campaigns_and_login_pages(console: Console) -> None:
    page = console.page
    email = sign_up(console, PASSWORD)

    page.get_by_role("link", name="Money").click()
    expect(page.get_by_role("heading", name="Wallet history")).to_be_visible()
    expect(page.get_by_role("cell", name="Trial credit")).to_be_visible()
    page.get_by_label("Top up automatically when the balance runs low").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    console.check("money")

    page.get_by_role("link", name="Setup").click()
    page.get_by_label("Mode").select_option("byok")
    expect(page.get_by_role("heading", name="Anthropic")).to_be_visible()
    page.get_by_label("API key").first.fill("sk-ant-invalid-key")
    page.get_by_role("button", name="Save and check").first.click()
    expect(page.get_by_role("heading", name="Anthropic")).to_contain_text("not valid")
    page.get_by_role("button", name="Find numbers").click()
    page.get_by_role("button", name="Buy").first.click()
    expect(page.get_by_role("button", name="Release").first).to_be_visible()
    console.check("setup")

    page.get_by_role("link", name="Campaigns").click()
    expect(page.get_by_text("No campaigns yet.")).to_be_visible()
    console.check("campaigns-empty")
    page.get_by_role("link", name="New campaign").first.click()
    page.get_by_role("button", name="Create campaign").click()  # an empty description: the API names the field
    expect(page.get_by_label("Describe the campaign")).to_have_attribute("aria-invalid", "true")
    console.check("new-campaign-error")

    page.get_by_role("link", name="Contacts").click()
    page.get_by_label("Number to add (+country code)").fill("+14155550123")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("cell", name="+14155550123", exact=True)).to_be_visible()
    page.get_by_label("Check a number").fill("+14155550123")
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_text("would not be called")).to_be_visible()
    console.check("contacts-dnc")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in to CallFunnel")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("Email or password is incorrect")
    console.check("login-error")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").press("Enter")
    expect(page.get_by_role("heading", name="Overview", level=1)).to_be_visible()
