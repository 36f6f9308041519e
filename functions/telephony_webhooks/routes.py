"""Carrier webhooks for a call. Public: the carrier's signature (Twilio's X-Twilio-Signature, Exotel's URL
token) is the authentication, checked over the exact URL and form before anything else.

voice answers synchronously (the callee is on the line) with the media stream to the voice plane; amd records the
carrier's answering-machine verdict (204); status is only enqueued and acknowledged (204), then handled from the
call-events queue. A warm transfer's steps answer TwiML too (shared.transfers): stream-end (the stream's
`<Connect action>`: dial the transfer or hang up), whisper (the person's first words), dial-result (how the dial
ended: hang up, or stream back to the agent) and transfer-recording (204). Exotel reaches a call's voice webhook
through its Voicebot applet's URL, the same for every call (`GET /telephony/exotel/voicebot`), which names the
call's signed voice webhook in `CustomField`.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal
from urllib.parse import parse_qsl

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from shared.calls import conversation
from shared.dialer import call_events
from shared.onboarding.call_selection import get_call_carrier_named
from shared.platform.errors import Forbidden, Unavailable
from shared.platform.http.raw_body import raw_body
from shared.platform.settings import get_settings
from shared.transfers import service as transfers

router = APIGatewayHttpRouter()
TAGS = ["Telephony webhooks"]
Provider = Annotated[Literal["twilio", "exotel", "sandbox"], Path()]
#: The carriers that dial a transfer after the stream (Exotel's Voicebot applet cannot: shared.transfers).
DialingProvider = Annotated[Literal["twilio", "sandbox"], Path()]
TenantId = Annotated[int, Path(ge=1)]
CallId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^call_[0-9a-f]+$")]
#: What ExotelCalls puts in CustomField: the call's voice webhook path with its URL token.
EXOTEL_VOICE_WEBHOOK = (r"^/telephony/exotel/voice/(?P<tenant_id>[1-9][0-9]{0,11})/(?P<call_id>call_[0-9a-f]{1,59})"
                        r"\?token=[0-9a-f]{32}$")
ExotelCustomField = Annotated[str, Query(alias="CustomField", max_length=128, pattern=EXOTEL_VOICE_WEBHOOK,
                                         description="The call's signed voice webhook, as we placed the call with")]


def _verified_params(provider: str, tenant_id: int) -> dict[str, str]:
    """The form the carrier posted, once its signature checks out over our public URL of this request."""
    event = router.current_event
    params = dict(parse_qsl(raw_body(event.raw_event).decode("utf-8", errors="replace"), keep_blank_values=True))
    query = event.raw_event.get("rawQueryString") or ""
    url = get_settings().public_base_url.rstrip("/") + event.raw_event.get("rawPath", "") + (f"?{query}" if query
                                                                                             else "")
    _verify(provider, tenant_id, url, params, (event.headers or {}).get("x-twilio-signature"))
    return params


def _verify(provider: str, tenant_id: int, url: str, params: dict[str, str], signature: str | None) -> None:
    try:
        carrier = get_call_carrier_named(tenant_id, provider)
    except Unavailable as unverifiable:  # no credentials to check it with: it cannot be ours
        raise Forbidden("The webhook signature cannot be verified", code="INVALID_SIGNATURE") from unverifiable
    if not carrier.webhook_is_authentic(url, params, signature):
        raise Forbidden("The webhook signature does not match", code="INVALID_SIGNATURE")


def _answered(answer: conversation.VoiceAnswer) -> Response:
    return Response(status_code=200, content_type=answer.content_type, body=answer.body)


@router.post("/telephony/<provider>/voice/<tenant_id>/<call_id>", tags=TAGS,
             summary="The call was answered: stream it to the voice plane (TwiML; Exotel: the stream's URL)")
def voice(provider: Provider, tenant_id: TenantId, call_id: CallId) -> Response[str]:
    _verified_params(provider, tenant_id)
    return _answered(conversation.answer(provider, tenant_id, call_id))


@router.get("/telephony/exotel/voicebot", tags=TAGS,
            summary="Exotel's Voicebot applet asks where to stream an answered call: {\"url\": \"wss://…\"}")
def exotel_voicebot(custom_field: ExotelCustomField) -> Response[str]:
    named = re.fullmatch(EXOTEL_VOICE_WEBHOOK, custom_field)
    if named is None:  # the Query pattern let it through: never, but never a 500 either
        raise Forbidden("The webhook signature does not match", code="INVALID_SIGNATURE")
    tenant_id, call_id = int(named["tenant_id"]), named["call_id"]
    _verify("exotel", tenant_id, get_settings().public_base_url.rstrip("/") + custom_field, {}, None)
    return _answered(conversation.answer("exotel", tenant_id, call_id))


@router.post("/telephony/<provider>/amd/<tenant_id>/<call_id>", tags=TAGS,
             summary="The carrier's answering-machine verdict (AnsweredBy): recorded on the call, 204")
def amd(provider: Provider, tenant_id: TenantId, call_id: CallId) -> Response[str]:
    params = _verified_params(provider, tenant_id)
    conversation.record_machine_detection(tenant_id, call_id, params.get("AnsweredBy", ""))
    return Response(status_code=204, content_type="application/json", body="")


@router.post("/telephony/<provider>/status/<tenant_id>/<call_id>", tags=TAGS,
             summary="Call progress and final status: queued for the call-events consumer, 204 at once")
def status(provider: Provider, tenant_id: TenantId, call_id: CallId) -> Response[str]:
    call_events.enqueue(provider, tenant_id, call_id, _verified_params(provider, tenant_id))
    return Response(status_code=204, content_type="application/json", body="")


@router.post("/telephony/<provider>/stream-end/<tenant_id>/<call_id>", tags=TAGS,
             summary="The media stream ended (<Connect action>): <Dial> the requested transfer, else <Hangup/>")
def stream_end(provider: DialingProvider, tenant_id: TenantId, call_id: CallId) -> Response[str]:
    _verified_params(provider, tenant_id)
    return _answered(transfers.answer_stream_end(provider, tenant_id, call_id))


@router.post("/telephony/<provider>/whisper/<tenant_id>/<call_id>", tags=TAGS,
             summary="The transfer was answered: <Say> the whisper to the person before the callee is connected")
def whisper(provider: DialingProvider, tenant_id: TenantId, call_id: CallId) -> Response[str]:
    _verified_params(provider, tenant_id)
    return _answered(transfers.answer_whisper(tenant_id, call_id))


@router.post("/telephony/<provider>/dial-result/<tenant_id>/<call_id>", tags=TAGS,
             summary="How the transfer's <Dial> ended (DialCallStatus): billed and <Hangup/>, or back to the agent")
def dial_result(provider: DialingProvider, tenant_id: TenantId, call_id: CallId) -> Response[str]:
    params = _verified_params(provider, tenant_id)
    return _answered(transfers.record_dial_result(provider, tenant_id, call_id, params))


@router.post("/telephony/<provider>/transfer-recording/<tenant_id>/<call_id>", tags=TAGS,
             summary="The transfer leg's recording is ready: kept under the call's recordings, 204")
def transfer_recording(provider: DialingProvider, tenant_id: TenantId, call_id: CallId) -> Response[str]:
    transfers.keep_recording(provider, tenant_id, call_id, _verified_params(provider, tenant_id))
    return Response(status_code=204, content_type="application/json", body="")
