"""`/_sandbox/slack`: the Slack channel of the laptop stack.

Without `SLACK_WEBHOOK_URL` the approvals notifier keeps each "a human should decide" message in the table
(shared/approvals/notifier.py, `SandboxNotifier`). This page lists them with their Approve / Deny buttons;
a click is turned into the request Slack itself would send — a `block_actions` payload, form-encoded and
signed with the stack's `SLACK_SIGNING_SECRET` — and POSTed to the stack's own `/slack/interactivity`
route over HTTP, so the click takes the production path (verify, enqueue, decide). Local only: never
deployed.
"""

from __future__ import annotations

import html
import json
import urllib.parse
from dataclasses import dataclass
from typing import Any

from infra_local.http_adapter import HttpResponse, error_response
from infra_local.slack_mrkdwn import mrkdwn_to_html
from shared.platform import clock

SLACK_PATH = "/_sandbox/slack"
CLICK_PATH = f"{SLACK_PATH}/click"
INTERACTIVITY_PATH = "/slack/interactivity"
SANDBOX_USER = {"id": "U0SANDBOX", "username": "sandbox", "name": "sandbox", "team_id": "T0SANDBOX"}
MESSAGES_PER_TENANT = 50
# What the decision worker answers a click on an approval that is no longer pending (shared/approvals/service.py).
REFUSALS = {"approved": "409 APPROVAL_ALREADY_DECIDED", "denied": "409 APPROVAL_ALREADY_DECIDED",
            "expired": "409 APPROVAL_EXPIRED", "gone": "404 APPROVAL_NOT_FOUND"}
FORWARD_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class KeptMessage:
    """One message the sandbox notifier kept, with the approval's current status."""

    id: str
    tenant_id: int
    approval_id: str
    sent_at: str
    payload: dict[str, Any]
    status: str


# --- Reading what the notifier kept ---


def _tenants_with_messages() -> list[int]:
    """The tenants whose sandbox outbox holds a message. shared/approvals/repository.py lists one tenant's
    outbox only; locally a Scan over the small in-memory table finds the tenants (never on a request path
    of the product)."""
    from shared.platform.aws import client
    from shared.platform.settings import get_settings

    tenants: set[int] = set()
    request: dict[str, Any] = {"TableName": get_settings().table_name, "ProjectionExpression": "tenant_id",
                               "FilterExpression": "#type = :type", "ExpressionAttributeNames": {"#type": "type"},
                               "ExpressionAttributeValues": {":type": {"S": "SlackOutboxMessage"}}}
    while True:
        page = client("dynamodb").scan(**request)
        tenants.update(int(item["tenant_id"]["N"]) for item in page.get("Items", []) if "tenant_id" in item)
        if "LastEvaluatedKey" not in page:
            return sorted(tenants)
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def kept_messages() -> list[KeptMessage]:
    from shared.approvals import repository

    messages = []
    for tenant_id in _tenants_with_messages():
        for message in repository.outbox_messages(tenant_id, limit=MESSAGES_PER_TENANT):
            approval = repository.find(tenant_id, message.approval_id)
            messages.append(KeptMessage(id=message.id, tenant_id=tenant_id, approval_id=message.approval_id,
                                        sent_at=message.sent_at.isoformat(timespec="seconds"),
                                        payload=message.payload, status=approval.status if approval else "gone"))
    return sorted(messages, key=lambda message: message.sent_at, reverse=True)


def _find_message(tenant_id: int, message_id: str) -> KeptMessage | None:
    return next((message for message in kept_messages()
                 if message.tenant_id == tenant_id and message.id == message_id), None)


# --- The click: the request Slack would send ---


def block_actions_payload(message: dict[str, Any], action_id: str) -> dict[str, Any] | None:
    """Slack's interactivity payload for a click on the button `action_id` of this Block Kit message."""
    for block in message.get("blocks", []):
        if block.get("type") != "actions":
            continue
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return {
                    "type": "block_actions", "user": SANDBOX_USER, "team": {"id": SANDBOX_USER["team_id"]},
                    "trigger_id": f"sandbox.{clock.now().timestamp():.6f}", "message": message,
                    "actions": [{"type": "button", "action_id": action_id, "block_id": block.get("block_id"),
                                 "value": element.get("value"), "text": element.get("text"),
                                 "action_ts": f"{clock.now().timestamp():.6f}"}],
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


def click(form: dict[str, str], base_url: str) -> ClickResult:
    """Send the click to `/slack/interactivity`; returns what to tell the user, and whether it was refused."""
    from shared.platform.settings import get_settings

    secret = get_settings().slack_signing_secret
    if secret is None or not secret.get_secret_value():
        return ClickResult("SLACK_SIGNING_SECRET is not set: the click cannot be signed", refused=True)
    if not form.get("tenant_id", "").isdigit():
        return ClickResult("No such message", refused=True)
    message = _find_message(int(form["tenant_id"]), form.get("message_id", ""))
    payload = block_actions_payload(message.payload, form.get("action_id", "")) if message else None
    if message is None or payload is None:
        return ClickResult("No such message or button", refused=True)
    # The stack's clock (it may be moved by /_sandbox/clock): the interactivity route checks the timestamp with it.
    body, headers = signed_interactivity_request(payload, secret.get_secret_value(), clock.epoch_seconds())
    status = _forward(base_url, body, headers)
    decision = form["action_id"].removeprefix("approval_")
    if status != 200:
        return ClickResult(f"Refused: {INTERACTIVITY_PATH} answered {status} to {decision} on {message.approval_id}",
                           refused=True)
    if message.status != "pending":
        # Slack acknowledges every signed click at once; the decision worker then refuses this one.
        return ClickResult(f"Refused: {message.approval_id} was already {message.status} "
                           f"({REFUSALS.get(message.status, '409')}); your {decision} changed nothing", refused=True)
    return ClickResult(f"Clicked {decision} on {message.approval_id}: {INTERACTIVITY_PATH} answered {status}; "
                       "the decision is applied in the background", refused=False)


# --- The page ---


def slack_response(method: str, path: str, body: bytes, *, base_url: str, query: str = "") -> HttpResponse:
    if method == "GET" and path.rstrip("/") == SLACK_PATH:
        asked = urllib.parse.parse_qs(query)
        notice = ClickResult(asked.get("notice", [""])[0], refused=asked.get("outcome", [""])[0] == "refused")
        return HttpResponse(200, [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")],
                            render_page(kept_messages(), notice).encode("utf-8"))
    if method == "POST" and path == CLICK_PATH:
        form = dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace")))
        result = click(form, base_url)
        outcome = "refused" if result.refused else "accepted"
        # Post/redirect/get: a reload of the page does not click again.
        location = f"{SLACK_PATH}?{urllib.parse.urlencode({'notice': result.notice, 'outcome': outcome})}"
        return HttpResponse(303, [("Location", location)], b"")
    return error_response(404, "Not found", "NOT_FOUND")


def _mrkdwn_lines(payload: dict[str, Any]) -> list[str]:
    lines = []
    for block in payload.get("blocks", []):
        if block.get("type") == "section":
            lines.append(block.get("text", {}).get("text", ""))
        elif block.get("type") == "context":
            lines.extend(element.get("text", "") for element in block.get("elements", []))
    return lines or [payload.get("text", "")]


def _buttons(message: KeptMessage) -> str:
    """Approve / Deny while the approval is pending; once decided (or expired) there is nothing to click."""
    if message.status != "pending":
        return ""
    forms = []
    for block in message.payload.get("blocks", []):
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            hidden = {"tenant_id": message.tenant_id, "message_id": message.id, "action_id": element.get("action_id")}
            fields = "".join(f'<input type="hidden" name="{name}" value="{html.escape(str(value))}">'
                             for name, value in hidden.items())
            label = html.escape(element.get("text", {}).get("text", element.get("action_id", "?")))
            style = html.escape(element.get("style", "default"))
            forms.append(f'<form method="post" action="{CLICK_PATH}">{fields}'
                         f'<button class="{style}" type="submit">{label}</button></form>')
    return "".join(forms)


def render_page(messages: list[KeptMessage], notice: ClickResult | None = None) -> str:
    rows = "".join(
        "<tr>"
        f"<td>{html.escape(message.sent_at)}</td><td>{message.tenant_id}</td>"
        f"<td><code>{html.escape(message.approval_id)}</code></td>"
        f"<td>{'<br>'.join(mrkdwn_to_html(line) for line in _mrkdwn_lines(message.payload))}</td>"
        f"<td class=\"status {html.escape(message.status)}\">{html.escape(message.status)}</td>"
        f"<td>{_buttons(message)}</td>"
        "</tr>" for message in messages)
    table = ("<table><thead><tr><th>Sent</th><th>Tenant</th><th>Approval</th><th>Message</th><th>Status</th>"
             f"<th>Decide</th></tr></thead><tbody>{rows}</tbody></table>") if messages else \
        "<p>No approval messages yet. When the AI proposes something a human must decide, it shows up here.</p>"
    banner = (f'<p class="notice {"refused" if notice.refused else "accepted"}" role="status">'
              f'{html.escape(notice.notice)}</p>') if notice and notice.notice else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sandbox Slack · CallFunnel</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #1d1c1d; }}
table {{ border-collapse: collapse; width: 100%; }} th, td {{ border-bottom: 1px solid #ddd; padding: .5rem;
text-align: left; vertical-align: top; }} form {{ display: inline; margin-right: .4rem; }}
button {{ padding: .3rem .8rem; border-radius: 4px; border: 1px solid #bbb; cursor: pointer; }}
button.primary {{ background: #007a5a; color: white; }} button.danger {{ background: #e01e5a; color: white; }}
.notice {{ background: #f4ede4; padding: .6rem; border-radius: 4px; }} .status.pending {{ font-weight: bold; }}
.notice.refused {{ background: #fde8ec; color: #a3123f; border-left: 4px solid #e01e5a; }}
code {{ background: #f6f6f6; border: 1px solid #e0e0e0; border-radius: 3px; padding: 0 .2rem; }}
</style></head><body>
<h1>Sandbox Slack</h1>
<p>Approval requests the stack would have posted to Slack. A click is sent, signed, to
<code>{INTERACTIVITY_PATH}</code> exactly as Slack would send it; the decision is applied in the background,
so reload to see the new status.</p>
{banner}{table}
</body></html>"""
