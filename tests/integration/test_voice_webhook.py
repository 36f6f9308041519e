"""The carrier's voice and answering-machine webhooks in-process: an answered call is streamed to the voice plane
with a single-use media token for that call; Twilio's async AMD verdict is recorded in the call's words (a
machine ends as a voicemail, retried by the rule book); Exotel's Voicebot applet is told where to stream; the
Gather conversation routes are gone."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from shared.calls import media_tokens
from shared.calls import repository as calls
from shared.calls.media_tokens import MediaTokenRejected
from shared.calls.models import Call
from shared.platform.settings import get_settings, reset_settings
from tests.integration.conftest import sign_up_and_log_in
from tests.integration.dialer_fixtures import sandbox_numbers
from tests.integration.test_dialer_calls import _dial_all, _manifest, _run_view, _start, _status, carrier  # noqa: F401

pytestmark = pytest.mark.integration

VOICE_PLANE = "wss://voice.callfunnel.test"


@pytest.fixture
def voice_plane(monkeypatch):
    monkeypatch.setenv("VOICE_PLANE_URL", VOICE_PLANE)
    reset_settings()
    yield VOICE_PLANE
    reset_settings()


def _placed(api, carrier, first_digit: int = 8):  # noqa: F811
    owner = sign_up_and_log_in(api)
    workflow, _run, step = _start(api, owner, sandbox_numbers(1, first=first_digit))
    _dial_all(step, _manifest(step)[1])
    return owner, workflow, carrier.placed[0]


def _stream_of(twiml: str) -> tuple[str, dict[str, str]]:
    """The stream's URL and parameters, from TwiML that must be exactly one <Connect><Stream>."""
    root = ET.fromstring(twiml)
    (connect,) = list(root)
    (stream,) = list(connect)
    assert (root.tag, connect.tag, stream.tag) == ("Response", "Connect", "Stream")
    return stream.get("url"), {parameter.get("name"): parameter.get("value") for parameter in stream}


# --- The voice webhook (Twilio and the sandbox carrier) ---------------------------------------------------------

def test_an_answered_call_is_streamed_to_the_voice_plane_with_a_token_for_that_call_only_once(
        api, carrier, voice_plane):  # noqa: F811
    owner, _workflow, call = _placed(api, carrier)

    reply = carrier.post(api, call.voice_url, {"CallSid": "SBx", "CallStatus": "in-progress"})

    assert reply.status == 200 and reply.headers["content-type"].startswith("text/xml")
    url, parameters = _stream_of(reply.raw.decode())
    assert url == f"{voice_plane}/media/twilio" and set(parameters) == {"token", "call_id"}
    assert parameters["call_id"] == call.call_id
    grant = media_tokens.verify(parameters["token"], call_id=call.call_id)
    assert (grant.tenant_id, grant.call_id) == (owner.tenant_id, call.call_id)
    with pytest.raises(MediaTokenRejected) as reused:
        media_tokens.verify(parameters["token"], call_id=call.call_id)
    assert reused.value.code == "MEDIA_TOKEN_REUSED"
    assert calls.get(owner.tenant_id, call.call_id).answered_at is not None


def test_a_token_is_refused_for_another_call(api, carrier, voice_plane):  # noqa: F811
    _owner, _workflow, call = _placed(api, carrier)
    _, parameters = _stream_of(carrier.post(api, call.voice_url, {"CallSid": "SBx"}).raw.decode())

    with pytest.raises(MediaTokenRejected) as misdirected:
        media_tokens.verify(parameters["token"], call_id="call_0123456789abcdef01234567")

    assert misdirected.value.code == "MEDIA_TOKEN_WRONG_CALL"


def test_a_call_already_over_is_hung_up(api, carrier, voice_plane):  # noqa: F811
    _owner, _workflow, call = _placed(api, carrier)
    _status(api, carrier, call, "canceled")

    reply = carrier.post(api, call.voice_url, {"CallSid": "SBx"})

    assert [verb.tag for verb in ET.fromstring(reply.raw.decode())] == ["Hangup"]


def test_without_a_voice_plane_the_callee_hears_an_apology_and_the_call_fails_without_a_retry(
        api, carrier, monkeypatch):  # noqa: F811
    monkeypatch.delenv("VOICE_PLANE_URL")
    reset_settings()
    owner, workflow, call = _placed(api, carrier)

    reply = carrier.post(api, call.voice_url, {"CallSid": "SBx"})
    _status(api, carrier, call, "completed", CallDuration="4")

    verbs = list(ET.fromstring(reply.raw.decode()))
    assert reply.status == 200 and [verb.tag for verb in verbs] == ["Say", "Hangup"] and verbs[0].text
    assert calls.get(owner.tenant_id, call.call_id).outcome == "failed"
    assert carrier.released[f"tok-{call.to_e164}"]["next"] == "done"
    assert _run_view(api, owner, workflow)["failed_calls"] == 1


def test_a_forged_voice_webhook_mints_nothing(api, carrier, voice_plane):  # noqa: F811
    owner, _workflow, call = _placed(api, carrier)

    forged = carrier.post(api, call.voice_url, {"CallSid": "SBx"}, signature="forged")

    assert (forged.status, forged.body["code"]) == (403, "INVALID_SIGNATURE")
    assert calls.get(owner.tenant_id, call.call_id).answered_at is None


# --- Answering machines: the async AMD webhook -----------------------------------------------------------------

def test_the_dialer_asks_for_the_amd_webhook_of_the_call(api, carrier):  # noqa: F811
    owner, _workflow, call = _placed(api, carrier)

    assert call.machine_detection is True
    assert call.amd_url == f"{get_settings().public_base_url}/telephony/sandbox/amd/{owner.tenant_id}/{call.call_id}"


def test_an_amd_verdict_with_a_bad_signature_is_a_403_and_changes_nothing(api, carrier):  # noqa: F811
    owner, _workflow, call = _placed(api, carrier)

    forged = carrier.post(api, call.amd_url, {"CallSid": "SBx", "AnsweredBy": "machine_end_beep"}, signature="forged")

    assert (forged.status, forged.body["code"]) == (403, "INVALID_SIGNATURE")
    assert calls.get(owner.tenant_id, call.call_id).answered_by is None


@pytest.mark.parametrize(("answered_by", "recorded"), [
    ("human", "human"), ("machine_start", "machine"), ("machine_end_beep", "machine"),
    ("machine_end_silence", "machine"), ("machine_end_other", "machine"), ("fax", "machine"), ("unknown", None),
])
def test_the_amd_verdict_is_recorded_in_the_calls_words(api, carrier, answered_by, recorded):  # noqa: F811
    owner, _workflow, call = _placed(api, carrier)

    reply = carrier.post(api, call.amd_url, {"CallSid": "SBx", "AnsweredBy": answered_by})

    assert reply.status == 204, reply.body
    assert calls.get(owner.tenant_id, call.call_id).answered_by == recorded


def test_a_machine_ends_as_a_voicemail_and_is_retried_by_the_rule_books_policy(api, carrier, voice_plane):  # noqa: F811
    owner, workflow, call = _placed(api, carrier)
    carrier.post(api, call.voice_url, {"CallSid": "SBx"})

    carrier.post(api, call.amd_url, {"CallSid": "SBx", "AnsweredBy": "machine_end_beep"})
    _status(api, carrier, call, "completed", CallDuration="31")

    assert calls.get(owner.tenant_id, call.call_id).outcome == "voicemail"
    released = carrier.released[f"tok-{call.to_e164}"]
    assert released["next"] == "wait" and released["attempt"] == 2
    view = _run_view(api, owner, workflow)
    assert view["voicemails"] == 1 and view["targets_connected"] == 0


def test_a_verdict_after_the_call_ended_changes_nothing(api, carrier):  # noqa: F811
    owner, _workflow, call = _placed(api, carrier)
    _status(api, carrier, call, "no-answer")

    reply = carrier.post(api, call.amd_url, {"CallSid": "SBx", "AnsweredBy": "machine_end_beep"})

    closed = calls.get(owner.tenant_id, call.call_id)
    assert reply.status == 204 and (closed.answered_by, closed.outcome) == (None, "no_answer")


# --- Exotel: the Voicebot applet asks where to stream ------------------------------------------------------------

EXOTEL = {"EXOTEL_API_KEY": "exo-key", "EXOTEL_API_TOKEN": "exo-token", "EXOTEL_ACCOUNT_SID": "callfunnel1",
          "EXOTEL_VOICEBOT_APP_ID": "424242"}


@pytest.fixture
def exotel_call(api, monkeypatch, voice_plane):
    """A tenant on the platform's (bundled) Exotel account, and a call placed through it."""
    from shared.onboarding.call_selection import get_call_carrier_named

    for name, value in EXOTEL.items():
        monkeypatch.setenv(name, value)
    reset_settings()
    owner = sign_up_and_log_in(api)
    call = Call(id="call_00112233445566778899aabb", tenant_id=owner.tenant_id, workflow_id="wf_1", run_id="run_1",
                segment=1, target_phone="+919812345678", attempt=1, is_test=False, provider="exotel",
                status="queued", created_at=datetime(2026, 1, 5, 6, 0, tzinfo=UTC))
    calls.claim(call)
    voice_url = f"{get_settings().public_base_url}/telephony/exotel/voice/{owner.tenant_id}/{call.id}"
    custom_field = get_call_carrier_named(owner.tenant_id, "exotel").voice_webhook_field(voice_url)
    yield owner, call, custom_field
    reset_settings()


def _ask_exotel(api, custom_field: str | None):
    # Exotel's request: the call's details as query parameters, CustomField as we placed the call with.
    query = {"CallSid": "exo-sid-1", "CallFrom": "+919812345678", "CallTo": "08041234501", "Direction": "outbound-dial",
             **({"CustomField": custom_field} if custom_field is not None else {})}
    return api.get("/telephony/exotel/voicebot", query=urlencode(query))


def test_exotels_voicebot_is_told_the_wss_url_with_a_token_and_the_call_id_in_its_query(api, exotel_call):
    owner, call, custom_field = exotel_call

    reply = _ask_exotel(api, custom_field)

    assert reply.status == 200, reply.body
    assert reply.headers["content-type"].startswith("application/json") and set(reply.body) == {"url"}
    url = urlsplit(reply.body["url"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{VOICE_PLANE}/media/exotel"
    query = dict(parse_qsl(url.query))
    assert set(query) == {"token", "call_id"} and query["call_id"] == call.id
    assert len(url.query) <= 256  # what Exotel carries of a stream URL's parameters
    grant = media_tokens.verify(query["token"], call_id=call.id)
    assert (grant.tenant_id, grant.call_id) == (owner.tenant_id, call.id)
    assert calls.get(owner.tenant_id, call.id).answered_at is not None


def test_exotels_per_call_voice_webhook_answers_the_same_json(api, exotel_call):
    _owner, _call, custom_field = exotel_call

    path, query = custom_field.split("?")
    reply = api.post(path, query=query, raw_body=b"CallSid=exo-sid-1",
                     headers={"content-type": "application/x-www-form-urlencoded"})

    assert reply.status == 200, reply.body
    assert reply.body["url"].startswith(f"{VOICE_PLANE}/media/exotel?token=")


@pytest.mark.parametrize("tamper", [
    lambda field: field[:-32] + "0" * 32,  # a forged token
    lambda field: field.replace("/call_00112233", "/call_99112233"),  # another call under this call's token
])
def test_a_voicebot_request_not_naming_a_call_we_placed_is_a_403(api, exotel_call, tamper):
    _owner, _call, custom_field = exotel_call

    reply = _ask_exotel(api, tamper(custom_field))

    assert (reply.status, reply.body["code"]) == (403, "INVALID_SIGNATURE")


@pytest.mark.parametrize("custom_field", [None, "", "call_00112233445566778899aabb",
                                          "/telephony/twilio/voice/1/call_1"])
def test_a_voicebot_request_without_a_signed_voice_webhook_is_refused(api, exotel_call, custom_field):
    reply = _ask_exotel(api, custom_field)

    assert reply.status == 400 and reply.body["field"] == "CustomField"


def test_exotel_is_refused_for_a_call_already_over(api, exotel_call):
    owner, call, custom_field = exotel_call
    calls.update(owner.tenant_id, call.id, status="completed")

    reply = _ask_exotel(api, custom_field)

    assert (reply.status, reply.body["code"]) == (409, "CALL_ENDED")


# --- The Gather conversation is gone ----------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["gather", "hold"])
def test_the_gather_conversation_routes_are_gone(api, carrier, kind):  # noqa: F811
    _owner, _workflow, call = _placed(api, carrier)

    reply = carrier.post(api, call.voice_url.replace("/voice/", f"/{kind}/"), {"CallSid": "SBx", "SpeechResult": "Yes"})

    assert reply.status == 404
