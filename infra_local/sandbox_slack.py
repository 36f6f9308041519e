"""`/_sandbox/slack`: the Slack of the laptop stack — every sandbox workspace a tenant connected, its channels,
and the approval messages CallFunnel posted there (updated in place once decided).

A tenant connects one with "Add to Slack" (`POST /integrations/slack/install`, then the sandbox authorize page)
and picks a channel (`PUT /integrations/slack`). A click on Approve / Deny here is turned into the request Slack
itself would send — a `block_actions` payload from *that* workspace (`team.id`), form-encoded and signed with the
stack's `SLACK_SIGNING_SECRET` — and POSTed to the stack's own `/slack/interactivity` over HTTP, so the click takes
the production path (verify, enqueue, map the workspace to its tenant, decide). The reply CallFunnel posts to the
click's response_url shows under the message. `GET /_sandbox/slack/workspaces` is the same as JSON. Local only.
"""

from __future__ import annotations

import html
import json
import urllib.parse
from dataclasses import dataclass
from typing import Any

from infra_local.http_adapter import HttpResponse, error_response, json_response
from infra_local.sandbox_slack_api import (
    API_PREFIX,
    AUTHORIZE_PATH,
    RESPOND_PREFIX,
    api_response,
    authorize_response,
    respond_response,
    respond_url,
)
from infra_local.sandbox_slack_workspaces import SANDBOX_SLACK_PATH, Message, SandboxSlack, Workspace
from infra_local.slack_mrkdwn import mrkdwn_to_html
from shared.platform import clock

SLACK_PATH = SANDBOX_SLACK_PATH
CLICK_PATH = f"{SLACK_PATH}/click"
WORKSPACES_PATH = f"{SLACK_PATH}/workspaces"
INTERACTIVITY_PATH = "/slack/interactivity"
FORWARD_TIMEOUT_SECONDS = 10.0


# --- The click: the request Slack would send ---


def block_actions_payload(workspace: Workspace, channel_id: str, message: Message, action_id: str, *,
                          response_url: str) -> dict[str, Any] | None:
    """Slack's interactivity payload for a click on the button `action_id` of this message, by the person who
    installed the app in that workspace."""
    for block in message.blocks:
        if block.get("type") != "actions":
            continue
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                user = {"id": workspace.installer_id, "username": "sandbox", "name": "sandbox",
                        "team_id": workspace.id}
                stamp = f"{clock.now().timestamp():.6f}"
                return {
                    "type": "block_actions", "user": user, "api_app_id": "A0SANDBOXAPP",
                    "team": {"id": workspace.id, "domain": workspace.name.lower().replace(" ", "-")},
                    "channel": {"id": channel_id}, "container": {"type": "message", "message_ts": message.ts,
                                                                 "channel_id": channel_id},
                    "trigger_id": f"sandbox.{stamp}", "response_url": response_url,
                    "message": {"ts": message.ts, "text": message.text, "blocks": message.blocks},
                    "actions": [{"type": "button", "action_id": action_id, "block_id": block.get("block_id"),
                                 "value": element.get("value"), "text": element.get("text"), "action_ts": stamp}],
                }
    return None


def signed_interactivity_request(payload: dict[str, Any], secret: str, now: int) -> tuple[bytes, dict[str, str]]:
    """The form body (`payload=<json>`) and the headers Slack signs it with."""
    from shared.approvals.slack_signature import signature_headers

    body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode("utf-8")
    headers = {"Content-Type": "application/x-www-form-urlencoded", **signature_headers(secret, now, body)}
    return body, headers


def _forward(base_url: str, body: bytes, headers: dict[str, str]) -> int:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(base_url.rstrip("/") + INTERACTIVITY_PATH, data=body, method="POST",
                                     headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=FORWARD_TIMEOUT_SECONDS) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


@dataclass(frozen=True)
class ClickResult:
    notice: str
    refused: bool


def click(slack: SandboxSlack, form: dict[str, str], base_url: str) -> ClickResult:
    """Send the click to `/slack/interactivity`; returns what to tell the user, and whether it was refused."""
    from shared.platform.settings import get_settings

    secret = get_settings().slack_signing_secret
    if secret is None or not secret.get_secret_value():
        return ClickResult("SLACK_SIGNING_SECRET is not set: the click cannot be signed", refused=True)
    team_id, channel_id, ts = form.get("team_id", ""), form.get("channel_id", ""), form.get("ts", "")
    workspace = next((w for w in slack.workspaces() if w.id == team_id), None)
    message = slack.find_message(team_id, channel_id, ts)
    payload = block_actions_payload(workspace, channel_id, message, form.get("action_id", ""),
                                    response_url=respond_url(base_url, team_id, channel_id, ts)) \
        if workspace and message else None
    if payload is None:
        return ClickResult("No such message or button (already decided? the buttons go once it is)", refused=True)
    # The stack's clock (it may be moved by /_sandbox/clock): the interactivity route checks the timestamp with it.
    body, headers = signed_interactivity_request(payload, secret.get_secret_value(), clock.epoch_seconds())
    status = _forward(base_url, body, headers)
    decision = form.get("action_id", "").removeprefix("approval_")
    if status != 200:
        return ClickResult(f"Refused: {INTERACTIVITY_PATH} answered {status} to {decision}", refused=True)
    return ClickResult(f"Clicked {decision} in {workspace.name}: {INTERACTIVITY_PATH} answered {status}; the "
                       "decision is applied in the background (reload: the message changes, CallFunnel's reply "
                       "shows under it)", refused=False)


# --- Routing ---


def slack_response(method: str, path: str, body: bytes, *, slack: SandboxSlack, base_url: str, query: str = "",
                   headers: dict[str, str] | None = None) -> HttpResponse:
    lowered = {name.lower(): value for name, value in (headers or {}).items()}
    if path.startswith(API_PREFIX):
        return api_response(slack, path.removeprefix(API_PREFIX), lowered, query, body)
    if path == AUTHORIZE_PATH and method in ("GET", "POST"):
        return authorize_response(slack, method, query, body)
    if path.startswith(RESPOND_PREFIX) and method == "POST":
        return respond_response(slack, path, body)
    if method == "GET" and path == WORKSPACES_PATH:
        return json_response(200, [_workspace_json(workspace) for workspace in slack.workspaces()])
    if method == "GET" and path.rstrip("/") == SLACK_PATH:
        asked = urllib.parse.parse_qs(query)
        notice = ClickResult(asked.get("notice", [""])[0], refused=asked.get("outcome", [""])[0] == "refused")
        return HttpResponse(200, [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")],
                            render_page(slack.workspaces(), notice).encode("utf-8"))
    if method == "POST" and path == CLICK_PATH:
        form = dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace")))
        result = click(slack, form, base_url)
        outcome = "refused" if result.refused else "accepted"
        # Post/redirect/get: a reload of the page does not click again.
        location = f"{SLACK_PATH}?{urllib.parse.urlencode({'notice': result.notice, 'outcome': outcome})}"
        return HttpResponse(303, [("Location", location)], b"")
    return error_response(404, "Not found", "NOT_FOUND")


def _workspace_json(workspace: Workspace) -> dict[str, Any]:
    return {"id": workspace.id, "name": workspace.name, "channels": [
        {"id": channel.id, "name": channel.name, "messages": [
            {"ts": message.ts, "text": message.text, "blocks": message.blocks, "edited": message.edited_at is not None,
             "replies": message.replies} for message in channel.messages]}
        for channel in workspace.channels.values()]}


# --- The page ---


def _mrkdwn_lines(message: Message) -> list[str]:
    lines = []
    for block in message.blocks:
        if block.get("type") == "section":
            lines.append(block.get("text", {}).get("text", ""))
        elif block.get("type") == "context":
            lines.extend(element.get("text", "") for element in block.get("elements", []))
    return lines or [message.text]


def _buttons(workspace: Workspace, channel_id: str, message: Message) -> str:
    """The message's own buttons (a decided approval's message has none left)."""
    forms = []
    for block in message.blocks:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            hidden = {"team_id": workspace.id, "channel_id": channel_id, "ts": message.ts,
                      "action_id": element.get("action_id")}
            fields = "".join(f'<input type="hidden" name="{name}" value="{html.escape(str(value))}">'
                             for name, value in hidden.items())
            label = html.escape(element.get("text", {}).get("text", element.get("action_id", "?")))
            style = html.escape(element.get("style", "default"))
            forms.append(f'<form method="post" action="{CLICK_PATH}">{fields}'
                         f'<button class="{style}" type="submit">{label}</button></form>')
    return "".join(forms)


def _message_html(workspace: Workspace, channel_id: str, message: Message) -> str:
    lines = "<br>".join(mrkdwn_to_html(line) for line in _mrkdwn_lines(message))
    edited = ' <span class="edited">(edited)</span>' if message.edited_at else ""
    replies = "".join(f'<p class="reply">Only visible to you: {mrkdwn_to_html(str(reply.get("text", "")))}</p>'
                      for reply in message.replies)
    return (f'<div class="message" data-ts="{html.escape(message.ts)}"><div>{lines}{edited}</div>'
            f'<div class="buttons">{_buttons(workspace, channel_id, message)}</div>{replies}</div>')


def render_page(workspaces: list[Workspace], notice: ClickResult | None = None) -> str:
    sections = []
    for workspace in workspaces:
        channels = "".join(
            f'<h3>#{html.escape(channel.name)} <code>{html.escape(channel.id)}</code></h3>'
            + ("".join(_message_html(workspace, channel.id, message) for message in reversed(channel.messages))
               or '<p class="empty">No messages.</p>')
            for channel in workspace.channels.values())
        sections.append(f'<section><h2>{html.escape(workspace.name)} <code>{html.escape(workspace.id)}</code></h2>'
                        f'{channels}</section>')
    body = "".join(sections) or (
        "<p>No sandbox workspace yet. Connect one from CallFunnel: <code>POST /integrations/slack/install</code> "
        "gives the authorize URL (this stack's stand-in for Slack's); allow it, then choose a channel with "
        "<code>PUT /integrations/slack</code>. Approvals then show up here.</p>")
    banner = (f'<p class="notice {"refused" if notice.refused else "accepted"}" role="status">'
              f'{html.escape(notice.notice)}</p>') if notice and notice.notice else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sandbox Slack · CallFunnel</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #1d1c1d; }}
section {{ border-top: 2px solid #4a154b; margin-top: 1.5rem; }} h3 {{ margin-bottom: .3rem; }}
.message {{ border-bottom: 1px solid #ddd; padding: .5rem 0; }} form {{ display: inline; margin-right: .4rem; }}
.buttons {{ margin-top: .3rem; }} .edited, .empty {{ color: #616061; }}
.reply {{ background: #f8f8f8; border-left: 3px solid #1264a3; padding: .3rem .5rem; margin: .3rem 0; }}
button {{ padding: .3rem .8rem; border-radius: 4px; border: 1px solid #bbb; cursor: pointer; }}
button.primary {{ background: #007a5a; color: white; }} button.danger {{ background: #e01e5a; color: white; }}
.notice {{ background: #f4ede4; padding: .6rem; border-radius: 4px; }}
.notice.refused {{ background: #fde8ec; color: #a3123f; border-left: 4px solid #e01e5a; }}
code {{ background: #f6f6f6; border: 1px solid #e0e0e0; border-radius: 3px; padding: 0 .2rem; }}
</style></head><body>
<h1>Sandbox Slack</h1>
<p>The Slack workspaces tenants connected on this stack, and what CallFunnel posted in them. A click is sent,
signed for its workspace, to <code>{INTERACTIVITY_PATH}</code> exactly as Slack would send it; the decision is
applied in the background, so reload to see the message change.</p>
{banner}{body}
</body></html>"""
