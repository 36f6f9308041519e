"""`/_sandbox/webhook-receiver/{name}`: a tenant's webhook endpoint on the laptop (local only, never deployed).

Point a webhook at `http://127.0.0.1:8000/_sandbox/webhook-receiver/demo` (the local stack may post to its own
loopback; the cloud never does), then tell the receiver the `whsec_…` secret the creation answered:

    PUT  {"secret": "whsec_…", "fail_next": 2, "fail_status": 503, "retry_after": 1}   configure (all optional)
    POST (what CallFunnel sends)   verified with the `standardwebhooks` library, as a tenant's receiver would;
                                   answered `fail_status` while `fail_next` lasts (to watch a retry), else 200;
                                   a signature that does not verify is answered 401
    GET  every request received, oldest first: webhook-id, timestamp, type, verified, what was answered
    DELETE  forget it

Everything lives in memory, per stack process.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from infra_local.http_adapter import HttpResponse, error_response, json_response
from shared.platform import clock

RECEIVER_PATH = "/_sandbox/webhook-receiver"
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_KEPT_REQUESTS = 200


@dataclass
class Receiver:
    secret: str | None = None
    fail_next: int = 0
    fail_status: int = 500
    retry_after: int | None = None
    received: list[dict[str, Any]] = field(default_factory=list)

    def view(self, name: str) -> dict[str, Any]:
        return {"name": name, "secret_set": self.secret is not None, "fail_next": self.fail_next,
                "fail_status": self.fail_status, "retry_after": self.retry_after, "received": self.received}


class WebhookReceivers:
    def __init__(self) -> None:
        self._receivers: dict[str, Receiver] = {}
        self._lock = threading.Lock()

    def respond(self, method: str, path: str, headers: dict[str, str], body: bytes) -> HttpResponse:
        name = path[len(RECEIVER_PATH):].strip("/")
        if not name and method == "GET":
            with self._lock:
                return json_response(200, {"receivers": sorted(self._receivers)})
        if not _NAME.match(name):
            return error_response(404, "Not found: /_sandbox/webhook-receiver/{name}, name [A-Za-z0-9_-]{1,64}",
                                  "NOT_FOUND")
        with self._lock:
            if method == "PUT":
                return self._configure(name, body)
            if method == "POST":
                return self._receive(self._receivers.setdefault(name, Receiver()), headers, body)
            if method == "GET":
                return json_response(200, self._receivers.get(name, Receiver()).view(name))
            if method == "DELETE":
                self._receivers.pop(name, None)
                return json_response(200, {"deleted": True, "name": name})
        return error_response(404, "Not found", "NOT_FOUND")

    def _configure(self, name: str, body: bytes) -> HttpResponse:
        try:
            wanted = json.loads(body or b"{}")
            if not isinstance(wanted, dict):
                raise TypeError("not an object")
        except (ValueError, TypeError):
            return _invalid("A JSON object: {secret?, fail_next?, fail_status?, retry_after?}", "body")
        receiver = self._receivers.setdefault(name, Receiver())
        if "secret" in wanted:
            if wanted["secret"] is not None and not (isinstance(wanted["secret"], str)
                                                     and wanted["secret"].startswith("whsec_")):
                return _invalid("secret: the whsec_… secret POST /api/webhooks answered", "secret")
            receiver.secret = wanted["secret"]
        unset = {"fail_next": 0, "fail_status": 500, "retry_after": None}  # what null puts back
        for number, low, high in (("fail_next", 0, 1000), ("fail_status", 400, 599), ("retry_after", 0, 3600)):
            if number in wanted:
                value = wanted[number]
                if value is not None and not (isinstance(value, int) and not isinstance(value, bool)
                                              and low <= value <= high):
                    return _invalid(f"{number}: a whole number from {low} to {high}", number)
                setattr(receiver, number, unset[number] if value is None else value)
        return json_response(200, receiver.view(name))

    def _receive(self, receiver: Receiver, headers: dict[str, str], body: bytes) -> HttpResponse:
        verified, problem, payload = _verify(receiver.secret, headers, body)
        if verified is False:
            status = 401
        elif receiver.fail_next > 0:
            receiver.fail_next -= 1
            status = receiver.fail_status
        else:
            status = 200
        receiver.received.append({
            "received_at": clock.iso(clock.now()), "webhook_id": headers.get("webhook-id"),
            "webhook_timestamp": headers.get("webhook-timestamp"), "type": (payload or {}).get("type"),
            "verified": verified, "verification_error": problem, "answered": status, "body": payload})
        del receiver.received[:-MAX_KEPT_REQUESTS]
        if status == 200:
            return json_response(200, {"received": True})
        answer = json_response(status, {"error": problem or "failing on purpose (fail_next)",
                                        "code": "SANDBOX_RECEIVER_REFUSED"})
        if status != 401 and receiver.retry_after is not None:
            answer.headers.append(("Retry-After", str(receiver.retry_after)))
        return answer


def _verify(secret: str | None, headers: dict[str, str], body: bytes) -> tuple[bool | None, str | None, Any]:
    """(verified — None without a secret to check with —, why not, the parsed body)."""
    from standardwebhooks import Webhook, WebhookVerificationError

    try:
        payload = json.loads(body or b"null")
    except ValueError:
        payload = None
    if secret is None:
        return None, "no secret configured: PUT {\"secret\": \"whsec_…\"} to verify signatures", payload
    try:
        Webhook(secret).verify(body, headers)
    except (WebhookVerificationError, ValueError) as error:
        return False, f"signature not verified: {error}", payload
    return True, None, payload


def _invalid(message: str, field_name: str) -> HttpResponse:
    return json_response(400, {"error": message, "code": "VALIDATION_ERROR", "field": field_name})
