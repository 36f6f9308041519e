"""What the webhook integration tests share: the two webhook queues on moto (read without waiting out their delays),
a transport that records what it was asked to send and answers from a script, and a DNS table."""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass, field
from typing import Any

import pytest

from shared.platform.aws import client
from shared.platform.settings import reset_settings
from shared.webhooks.destinations import UnresolvableHost
from shared.webhooks.ports import Destination, TransportFailure, WebhookResponse

EVENTS_QUEUE, DELIVERIES_QUEUE = "webhook-events", "webhook-deliveries"
PUBLIC_ADDRESS = "93.184.216.34"
RECEIVER_URL = "https://hooks.example.com/callfunnel"


@dataclass(frozen=True)
class Queued:
    body: str
    delay_seconds: int

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.body)


def take(queue: str) -> list[Queued]:
    """Every message on a moto queue, delayed ones included (with their delay), removed from it."""
    from moto.sqs.models import sqs_backends

    backend = sqs_backends[os.environ.get("MOTO_ACCOUNT_ID", "123456789012")]["us-east-1"]
    moto_queue = backend.queues[queue]
    with moto_queue._messages_lock:
        messages, moto_queue._messages = list(moto_queue._messages), []
    return [Queued(message.body, round((message.delayed_until - message.sent_timestamp) / 1000)
                   if message.delayed_until else 0) for message in messages]


@pytest.fixture
def webhook_queues(api, monkeypatch):
    """Both queues, empty, announced to the settings; a local master key to seal signing secrets."""
    sqs = client("sqs")
    for queue in (EVENTS_QUEUE, DELIVERIES_QUEUE):
        url = sqs.create_queue(QueueName=queue)["QueueUrl"]
        monkeypatch.setenv(f"{queue.upper().replace('-', '_')}_QUEUE_URL", url)
        take(queue)
    monkeypatch.setenv("CALLFUNNEL_LOCAL_MEK", base64.b64encode(b"k" * 32).decode())
    reset_settings()
    yield
    monkeypatch.undo()
    reset_settings()


@dataclass
class ScriptedTransport:
    """Answers each POST with the next scripted status (or raises TransportFailure for "timeout")."""

    script: list[Any] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)

    def post(self, destination: Destination, headers: dict[str, str], body: bytes, *, timeout_seconds: float,
             max_response_bytes: int) -> WebhookResponse:
        self.sent.append({"destination": destination, "headers": headers, "body": body.decode()})
        answer = self.script.pop(0) if self.script else 200
        if answer == "timeout":
            raise TransportFailure(f"timed out after {timeout_seconds:g} s")
        status, retry_after = answer if isinstance(answer, tuple) else (answer, None)
        return WebhookResponse(status=status, body=f"answer {status} " + "x" * 5000, retry_after=retry_after)


def dns(table: dict[str, str]):
    def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise UnresolvableHost(host)
        return [table[host]]

    return resolve


@pytest.fixture
def public_dns(monkeypatch):
    """hooks.example.com resolves to a public address (when the endpoint is saved)."""
    from shared.webhooks import destinations

    monkeypatch.setattr(destinations, "system_resolve", dns({"hooks.example.com": PUBLIC_ADDRESS}))
