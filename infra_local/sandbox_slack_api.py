"""The sandbox Slack's HTTP face, standing in for slack.com on the laptop: its OAuth v2 authorize page, its Web
API (`/_sandbox/slack/api/<method>`, the methods CallFunnel calls through `slack_sdk`) and the `response_url`
that interactivity replies are posted to. The stack's settings point there (infra_local/environment.py), so
"Add to Slack", posting approvals and updating them take the production code path. Local only: never deployed.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import html
import json
import urllib.parse
from typing import Any

from infra_local.http_adapter import HttpResponse, json_response
from infra_local.sandbox_slack_workspaces import SANDBOX_SLACK_PATH, SandboxSlack, SlackError

API_PREFIX = f"{SANDBOX_SLACK_PATH}/api/"
AUTHORIZE_PATH = f"{SANDBOX_SLACK_PATH}/oauth/v2/authorize"
RESPOND_PREFIX = f"{SANDBOX_SLACK_PATH}/respond/"


# --- Web API ---


def api_response(slack: SandboxSlack, method_name: str, headers: dict[str, str], query: str,
                 body: bytes) -> HttpResponse:
    """One Web API call: `{"ok": true, ...}`, or `{"ok": false, "error": code}` (HTTP 200, as Slack answers)."""
    params = _params(headers, query, body)
    handler = _METHODS.get(method_name)
    if handler is None:
        return json_response(404, {"ok": False, "error": "unknown_method"})
    try:
        return json_response(200, {"ok": True, **handler(slack, params, headers)})
    except SlackError as refused:
        return json_response(200, {"ok": False, "error": refused.code})


def _params(headers: dict[str, str], query: str, body: bytes) -> dict[str, Any]:
    """Arguments as Slack reads them: query string, form body or JSON body (slack_sdk uses all three)."""
    params: dict[str, Any] = dict(urllib.parse.parse_qsl(query))
    content_type = headers.get("content-type", "")
    if body and content_type.startswith("application/json"):
        decoded = json.loads(body)
        if isinstance(decoded, dict):
            params.update(decoded)
    elif body:
        params.update(urllib.parse.parse_qsl(body.decode("utf-8", "replace")))
    return params


def _token(params: dict[str, Any], headers: dict[str, str]) -> str:
    scheme, _, value = headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else str(params.get("token") or "")


def _oauth_v2_access(slack: SandboxSlack, params: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    from shared.platform.settings import get_settings

    client_id, client_secret = _client_credentials(params, headers)
    settings = get_settings()
    expected = settings.slack_client_secret.get_secret_value() if settings.slack_client_secret else ""
    if client_id != settings.slack_client_id:
        raise SlackError("invalid_client_id")
    if not expected or not hmac.compare_digest(client_secret.encode(), expected.encode()):
        raise SlackError("bad_client_secret")
    answer = slack.exchange(client_id=client_id, code=str(params.get("code") or ""),
                            redirect_uri=params.get("redirect_uri"))
    answer.pop("ok", None)
    return answer


def _client_credentials(params: dict[str, Any], headers: dict[str, str]) -> tuple[str, str]:
    """HTTP Basic (what slack_sdk sends), else the client_id / client_secret form fields."""
    scheme, _, value = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            client_id, _, secret = base64.b64decode(value.strip(), validate=True).decode().partition(":")
            return client_id, secret
        except (binascii.Error, UnicodeDecodeError):
            return "", ""
    return str(params.get("client_id") or ""), str(params.get("client_secret") or "")


def _blocks(params: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = params.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def _post(slack: SandboxSlack, params: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    channel, message = slack.post(_token(params, headers), str(params.get("channel") or ""),
                                  str(params.get("text") or ""), _blocks(params))
    return {"channel": channel, "ts": message.ts,
            "message": {"type": "message", "text": message.text, "blocks": message.blocks, "ts": message.ts,
                        "user": message.user}}


def _update(slack: SandboxSlack, params: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    channel, ts = str(params.get("channel") or ""), str(params.get("ts") or "")
    message = slack.update(_token(params, headers), channel, ts, str(params.get("text") or ""), _blocks(params))
    return {"channel": channel, "ts": ts, "text": message.text}


def _delete(slack: SandboxSlack, params: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    channel, ts = str(params.get("channel") or ""), str(params.get("ts") or "")
    slack.delete(_token(params, headers), channel, ts)
    return {"channel": channel, "ts": ts}


def _revoke(slack: SandboxSlack, params: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    slack.revoke(_token(params, headers))
    return {"revoked": True}


def _channel_info(slack: SandboxSlack, params: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    return {"channel": slack.channel_info(_token(params, headers), str(params.get("channel") or ""))}


def _channel_list(slack: SandboxSlack, params: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    include_archived = str(params.get("exclude_archived", "false")).lower() not in ("true", "1")
    return {"channels": slack.channels(_token(params, headers), include_archived=include_archived),
            "response_metadata": {"next_cursor": ""}}


_METHODS = {
    "oauth.v2.access": _oauth_v2_access,
    "auth.revoke": _revoke,
    "conversations.info": _channel_info,
    "conversations.list": _channel_list,
    "chat.postMessage": _post,
    "chat.update": _update,
    "chat.delete": _delete,
}


# --- The authorize page ("Add to Slack") ---


def authorize_response(slack: SandboxSlack, method: str, query: str, body: bytes) -> HttpResponse:
    """GET: the consent page. POST (its Allow / Cancel): back to the app's redirect_uri with a code or an error."""
    fields = dict(urllib.parse.parse_qsl(query if method == "GET" else body.decode("utf-8", "replace")))
    problem = _authorize_problem(fields)
    if problem:
        return _page(400, f"<h1>Sandbox Slack</h1><p class=\"refused\">{html.escape(problem)}</p>")
    if method == "GET":
        return _page(200, _consent_form(fields, [workspace.name for workspace in slack.workspaces()]))
    redirect, state = fields["redirect_uri"], fields.get("state", "")
    if fields.get("decision") != "allow":
        return _redirect(redirect, {"error": "access_denied", "state": state})
    code = slack.authorize(client_id=fields["client_id"], redirect_uri=redirect,
                           workspace_name=fields.get("workspace", ""))
    return _redirect(redirect, {"code": code, "state": state})


def _authorize_problem(fields: dict[str, str]) -> str | None:
    from shared.platform.settings import get_settings

    settings = get_settings()
    if not fields.get("client_id") or fields["client_id"] != settings.slack_client_id:
        return "invalid_client_id: this app is not known to the sandbox Slack"
    # Slack sends the browser back only to the redirect URLs configured for the app: here, this stack itself.
    if not fields.get("redirect_uri", "").startswith(settings.public_base_url.rstrip("/") + "/"):
        return "bad_redirect_uri: the redirect URL is not one of this app's"
    return None


def _consent_form(fields: dict[str, str], known: list[str]) -> str:
    hidden = "".join(f'<input type="hidden" name="{name}" value="{html.escape(fields.get(name, ""))}">'
                     for name in ("client_id", "redirect_uri", "state", "scope"))
    options = "".join(f'<option value="{html.escape(name)}">' for name in known)
    scopes = ", ".join(html.escape(scope) for scope in fields.get("scope", "").split(",") if scope)
    return f"""<h1>CallFunnel (sandbox) is requesting permission to access a sandbox Slack workspace</h1>
<p>It will be able to: <code>{scopes or "nothing"}</code>.</p>
<form method="post" action="{AUTHORIZE_PATH}">{hidden}
<label>Workspace <input name="workspace" list="known" value="Sandbox workspace {len(known) + 1}" required></label>
<datalist id="known">{options}</datalist>
<p>A new name makes a new workspace (with #general, #approvals and #random); an existing name installs there.</p>
<button class="primary" type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Cancel</button>
</form>"""


def _redirect(redirect_uri: str, query: dict[str, str]) -> HttpResponse:
    joiner = "&" if "?" in redirect_uri else "?"
    return HttpResponse(302, [("Location", redirect_uri + joiner + urllib.parse.urlencode(query)),
                              ("Cache-Control", "no-store")], b"")


def _page(status: int, content: str) -> HttpResponse:
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sandbox Slack · authorize</title>
<style>body {{ font-family: system-ui, sans-serif; margin: 2rem; max-width: 40rem; color: #1d1c1d; }}
button {{ padding: .4rem 1rem; margin-right: .5rem; border-radius: 4px; border: 1px solid #bbb; cursor: pointer; }}
button.primary {{ background: #007a5a; color: white; }} .refused {{ color: #a3123f; }}
input {{ padding: .3rem; width: 18rem; }}</style></head><body>{content}</body></html>"""
    return HttpResponse(status, [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")],
                        page.encode("utf-8"))


# --- response_url: a click's follow-up reply ---


def respond_url(base_url: str, team_id: str, channel_id: str, ts: str) -> str:
    return f"{base_url.rstrip('/')}{RESPOND_PREFIX}{team_id}/{channel_id}/{ts}"


def respond_response(slack: SandboxSlack, path: str, body: bytes) -> HttpResponse:
    """POST to a click's response_url: kept with the clicked message, as the clicker would see it in Slack."""
    parts = path.removeprefix(RESPOND_PREFIX).split("/")
    try:
        reply = json.loads(body or b"null")
    except (ValueError, RecursionError):
        reply = None
    if len(parts) != 3 or not isinstance(reply, dict):
        return HttpResponse(400, [("Content-Type", "text/plain")], b"invalid_payload")
    if not slack.reply_to_click(parts[0], parts[1], parts[2], reply):
        return HttpResponse(404, [("Content-Type", "text/plain")], b"expired_url")
    return HttpResponse(200, [("Content-Type", "text/plain")], b"ok")
