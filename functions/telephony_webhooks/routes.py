"""Carrier webhooks for a call. Public: the carrier's signature (Twilio's X-Twilio-Signature, Exotel's URL
token) is the authentication, checked over the exact URL and form before anything else.

voice / gather / hold answer TwiML synchronously (the callee is on the line); status is only enqueued and
acknowledged (204), then handled from the call-events queue.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import parse_qsl

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from shared.platform.http.raw_body import raw_body

router = APIGatewayHttpRouter()
TAGS = ["Telephony webhooks"]
Provider = Annotated[Literal["twilio", "exotel", "sandbox"], Path()]
TenantId = Annotated[int, Path(ge=1)]
CallId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^call_[0-9a-f]+$")]
TWIML = "text/xml"


def _verified_params(provider: str, tenant_id: int) -> dict[str, str]:
    """The form the carrier posted, once its signature checks out over our public URL of this request."""
    from shared.onboarding.call_selection import get_call_carrier_named
    from shared.platform.errors import Forbidden, Unavailable
    from shared.platform.settings import get_settings

    event = router.current_event
    params = dict(parse_qsl(raw_body(event.raw_event).decode("utf-8", errors="replace"), keep_blank_values=True))
    query = event.raw_event.get("rawQueryString") or ""
    url = get_settings().public_base_url.rstrip("/") + event.raw_event.get("rawPath", "") + (f"?{query}" if query
                                                                                             else "")
    signature = (event.headers or {}).get("x-twilio-signature")
    try:
        carrier = get_call_carrier_named(tenant_id, provider)
    except Unavailable as unverifiable:  # no credentials to check it with: it cannot be ours
        raise Forbidden("The webhook signature cannot be verified", code="INVALID_SIGNATURE") from unverifiable
    if not carrier.webhook_is_authentic(url, params, signature):
        raise Forbidden("The webhook signature does not match", code="INVALID_SIGNATURE")
    return params


def _twiml(xml: str) -> Response:
    return Response(status_code=200, content_type=TWIML, body=xml)


@router.post("/telephony/<provider>/voice/<tenant_id>/<call_id>", tags=TAGS,
             summary="The call was answered: TwiML with the opener (or the voicemail on a machine)")
def voice(provider: Provider, tenant_id: TenantId, call_id: CallId) -> Response[str]:
    from shared.calls import conversation

    return _twiml(conversation.answer(provider, tenant_id, call_id, _verified_params(provider, tenant_id)))


@router.post("/telephony/<provider>/gather/<tenant_id>/<call_id>", tags=TAGS,
             summary="The callee spoke (or stayed silent): TwiML with the next turn")
def gather(provider: Provider, tenant_id: TenantId, call_id: CallId) -> Response[str]:
    from shared.calls import conversation

    return _twiml(conversation.turn(provider, tenant_id, call_id, _verified_params(provider, tenant_id)))


@router.post("/telephony/<provider>/hold/<tenant_id>/<call_id>", tags=TAGS,
             summary="The callee holds for a human decision: TwiML to keep holding, or the decision")
def hold(provider: Provider, tenant_id: TenantId, call_id: CallId) -> Response[str]:
    from shared.calls import conversation

    return _twiml(conversation.hold(provider, tenant_id, call_id, _verified_params(provider, tenant_id)))


@router.post("/telephony/<provider>/status/<tenant_id>/<call_id>", tags=TAGS,
             summary="Call progress and final status: queued for the call-events consumer, 204 at once")
def status(provider: Provider, tenant_id: TenantId, call_id: CallId) -> Response[str]:
    from shared.dialer import call_events

    call_events.enqueue(provider, tenant_id, call_id, _verified_params(provider, tenant_id))
    return Response(status_code=204, content_type="application/json", body="")
