"""The sandbox carrier's warm transfer, as Twilio plays it: when the stream ends it posts the <Connect>'s action, dials
the <Dial>'s number — a sandbox human (…0 rings out, …1 is busy, any other digit answers, hears the whisper, talks,
hangs up) — then posts the dial's action (DialCallStatus, DialCallDuration) and, for an answered dial, the recording
callback with a recording it serves; an unanswered transfer's stream goes on with the callee's next line."""

from __future__ import annotations

import io
import wave

from infra_local.sandbox_call import CallRecord, CallRequest, SimulatedCall
from infra_local.sandbox_callee_lines import CalleeLineRegistry
from infra_local.sandbox_carrier import SandboxCarrier
from infra_local.sandbox_transfers import SandboxTransfers, human_answers
from tests.fakes.sandbox_voice_plane import FakeVoicePlane
from tests.unit.test_sandbox_carrier import (
    BASE,
    STATUS_URL,
    STREAM_URL,
    TIMINGS,
    VOICE_URL,
    FakeClock,
    FakeWebhooks,
    speak,
)

CARRIER = "http://127.0.0.1:8000/_sandbox/carrier"
STREAM_END, WHISPER, DIAL_RESULT, RECORDING = (f"{BASE}/{kind}/7/call_1" for kind in
                                               ("stream-end", "whisper", "dial-result", "transfer-recording"))
WHISPER_TEXT = "Transfer from the AI caller: the contact on …0005 asked to speak to a person."
CONNECT = (f'<Response><Connect action="{STREAM_END}" method="POST"><Stream url="{STREAM_URL}">'
           '<Parameter name="token" value="tok-1"/><Parameter name="call_id" value="call_1"/></Stream></Connect>'
           '</Response>')
AGAIN = (f'<Response><Connect action="{STREAM_END}"><Stream url="{STREAM_URL}"><Parameter name="transfer" '
         'value="no_answer"/></Stream></Connect></Response>')
HANGUP = "<Response><Hangup/></Response>"
LINES = ["Can I speak to a real person, please?", "Please tell them to call me back."]


def _dial(number: str) -> str:
    return (f'<Response><Dial action="{DIAL_RESULT}" timeout="20" record="record-from-answer-dual" '
            f'recordingStatusCallback="{RECORDING}"><Number url="{WHISPER}">{number}</Number></Dial></Response>')


def _transfer_call(number: str, *, after_dial: str = HANGUP):
    clock, transfers, planes = FakeClock(), SandboxTransfers(), []
    webhooks = FakeWebhooks(voice=CONNECT, answers={
        STREAM_END: (200, _dial(number)), WHISPER: (200, f"<Response><Say>{WHISPER_TEXT}</Say></Response>"),
        DIAL_RESULT: (200, after_dial), RECORDING: (204, "")})
    if after_dial != HANGUP:  # the stream that comes back ends without another transfer
        answers = iter([(200, _dial(number)), (200, HANGUP)])
        original = webhooks.post

        def post(url, params):
            if url == STREAM_END:
                webhooks.requests.append((url, params))
                return next(answers)
            return original(url, params)

        webhooks.post = post

    def connect(url: str) -> FakeVoicePlane:
        planes.append(FakeVoicePlane(clock=clock))
        return planes[-1].connect(url)

    request = CallRequest(call_id="call_1", to="+14155550105", from_="", voice_url=VOICE_URL, status_url=STATUS_URL,
                          time_limit_seconds=600, machine_detection=False,
                          script={"digit": "5", "answers": True, "lines": LINES})
    record = CallRecord(sid="SB0001", call_id="call_1", to="+14155550105", from_="")
    SimulatedCall(request, record, post=webhooks.post, sleep=clock.sleep, clock=clock, timings=TIMINGS,
                  connect=connect, callee_lines=CalleeLineRegistry(), render=speak, transfers=transfers,
                  carrier_url=CARRIER).run()
    return record, webhooks, transfers, planes


def test_the_transfer_numbers_last_digit_says_how_the_sandbox_human_answers():
    assert [human_answers(f"+1415555012{digit}") for digit in "0123"] == ["no-answer", "busy", "completed",
                                                                           "completed"]


def test_an_answered_transfer_hears_the_whisper_then_the_dial_result_and_recording_are_posted_like_twilios():
    record, webhooks, transfers, _ = _transfer_call("+14155550123")

    order = [url for url, _ in webhooks.requests if url not in (STATUS_URL,)]
    assert order == [VOICE_URL, STREAM_END, WHISPER, DIAL_RESULT, RECORDING]
    (whisper,) = webhooks.to(WHISPER)
    assert (whisper["CallSid"], whisper["To"], whisper["ParentCallSid"]) == ("SB0001T", "+14155550123", "SB0001")
    (result,) = webhooks.to(DIAL_RESULT)
    assert (result["CallSid"], result["DialCallStatus"], result["DialCallSid"]) == ("SB0001", "completed", "SB0001T")
    assert int(result["DialCallDuration"]) == round(TIMINGS.transfer_talk_seconds)
    (recording,) = webhooks.to(RECORDING)
    assert recording["RecordingUrl"] == f"{CARRIER}/recordings/RE0001.wav"
    assert (recording["RecordingStatus"], recording["RecordingChannels"]) == ("completed", "2")
    assert transfers.listing()[0] | {"at": None} == {"call_id": "call_1", "to": "+14155550123",
                                                     "whisper": WHISPER_TEXT, "answered": True, "at": None}
    assert record.transfer == {"to": "+14155550123", "status": "completed", "whisper": WHISPER_TEXT,
                               "duration_seconds": round(TIMINGS.transfer_talk_seconds)}
    assert record.status == "completed" and webhooks.statuses()[-1] == "completed"


def test_the_recording_it_names_is_served_by_the_carrier_as_a_two_channel_wav():
    carrier = SandboxCarrier(post=FakeWebhooks().post, sleep=lambda _: None, timings=TIMINGS, base_url=CARRIER)
    path = carrier.transfers.keep_recording("RE9", 3)

    served = carrier.respond("GET", f"/_sandbox/carrier/{path}", b"")

    with wave.open(io.BytesIO(served.body)) as audio:
        assert (served.status, audio.getnchannels(), audio.getframerate()) == (200, 2, 8000)
        assert audio.getnframes() == 3 * 8000
    assert carrier.respond("GET", "/_sandbox/carrier/recordings/RE404.wav", b"").status == 404
    assert carrier.transfers.respond("GET").status == 200


def test_a_busy_transfer_number_hears_no_whisper_and_posts_no_recording():
    _, webhooks, transfers, _ = _transfer_call("+14155550121")

    assert not webhooks.to(WHISPER) and not webhooks.to(RECORDING)
    assert webhooks.to(DIAL_RESULT)[0]["DialCallStatus"] == "busy"
    assert transfers.listing()[0]["answered"] is False and transfers.listing()[0]["whisper"] == ""


def test_an_unanswered_transfer_streams_back_and_the_callee_goes_on_with_its_next_line():
    record, webhooks, _, planes = _transfer_call("+14155550120", after_dial=AGAIN)

    assert webhooks.to(DIAL_RESULT)[0]["DialCallStatus"] == "no-answer"
    assert len(planes) == 2  # the first stream, then the one the dial's result answered
    start = next(event for event in planes[1].received if event["event"] == "start")
    assert start["start"]["customParameters"] == {"transfer": "no_answer"}
    said = [line["text"] for line in record.transcript if line["speaker"] == "callee"]
    assert said == LINES  # the second stream went on from the second line
    assert len(webhooks.to(STREAM_END)) == 2 and record.status == "completed"
