"""An endpoint that keeps failing is disabled, and the workspace's admins are told by email.

The endpoint remembers since when every attempt failed (`failing_since`: the first failure after the last
success); a success clears it. Once it has failed for `WEBHOOK_DISABLE_AFTER_SECONDS` (5 days, scaled like the
retries), the next failure disables it — one conditional write, so exactly one attempt sends the email. Its pending
deliveries then give up at their next attempt; `PUT /webhooks/{id} {"enabled": true}` turns it back on.
Test events (`webhook.test`) never count either way.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.accounts.admins import admin_emails
from shared.platform import clock
from shared.platform.observability import count_business_event, get_logger
from shared.platform.settings import get_settings
from shared.providers.email.port import Email
from shared.providers.email.selection import get_email_sender
from shared.webhooks import repository
from shared.webhooks.models import Endpoint


def record_success(endpoint: Endpoint) -> None:
    if endpoint.failing_since is not None:
        repository.mark_healthy(endpoint.tenant_id, endpoint.id)


def record_failure(endpoint: Endpoint, now: datetime, last_error: str) -> bool:
    """Note a failed attempt; True when it disabled the endpoint."""
    if endpoint.failing_since is None:
        repository.mark_failing(endpoint.tenant_id, endpoint.id, now)
        return False
    settings = get_settings()
    patience = timedelta(seconds=settings.webhook_disable_after_seconds * settings.webhook_retry_scale)
    if not endpoint.enabled or now - endpoint.failing_since < patience:
        return False
    reason = f"Every delivery failed since {clock.iso(endpoint.failing_since)} (last: {last_error})"[:500]
    if not repository.disable_failing(endpoint.tenant_id, endpoint.id, failing_before=now - patience,
                                      reason=reason, at=now):
        return False
    count_business_event("WebhookEndpointDisabled")
    get_logger().warning("webhook endpoint disabled after failing for days",
                         extra={"tenant_id": endpoint.tenant_id, "endpoint_id": endpoint.id})
    _tell_admins(endpoint, reason)
    return True


def _tell_admins(endpoint: Endpoint, reason: str) -> None:
    text = (f"We disabled your CallFunnel webhook endpoint {endpoint.url} ({endpoint.id}).\n\n{reason}.\n\n"
            "No more events are sent to it until you turn it back on, once it answers again:\n"
            f"  PUT {get_settings().public_base_url}/api/webhooks/{endpoint.id}  {{\"enabled\": true}}\n\n"
            "Its recent deliveries, with the status and start of each answer, are at\n"
            f"  GET {get_settings().public_base_url}/api/webhooks/{endpoint.id}/deliveries\n")
    sender = get_email_sender()
    for address in admin_emails(endpoint.tenant_id):
        sender.send(Email(to=address, subject="A CallFunnel webhook endpoint was disabled", text=text))
