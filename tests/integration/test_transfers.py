"""Warm transfers over the carrier's webhooks, in-process: the stream's <Connect action> dials the rule book's transfer
number with the whisper and a recording, the dial's result settles the leg (billed once on the wallet's ledger,
on the timeline, `call.transferred`) or sends the callee back to the agent, and the leg's recording is kept under the
call's recordings prefix."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urlencode, urlsplit

import pytest

from shared.calls import repository as calls
from shared.platform.settings import get_settings
from shared.providers.telephony.sandbox_calls import SandboxCalls
from shared.transfers import service as transfers
from tests.integration.conftest import sign_up_and_log_in
from tests.integration.dialer_fixtures import ready_workflow, sandbox_numbers
from tests.integration.test_dialer_calls import _dial_all, _manifest, carrier  # noqa: F401
from tests.integration.test_voice_webhook import voice_plane  # noqa: F401
from tests.integration.webhook_fixtures import EVENTS_QUEUE, take, webhook_queues  # noqa: F401

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("webhook_queues")]

NUMBER = "+14155550123"
WHISPER = "Transfer from the AI caller: the contact on …0005 asked to speak to a person."
RECORDING = b"RIFF....WAVEfmt transfer-leg-audio"


def _transfer_ready(api, carrier, *, number: str | None = NUMBER, is_test: bool = False):  # noqa: F811
    """A placed call of a workflow whose rule book transfers to `number`."""
    owner = sign_up_and_log_in(api)
    workflow = ready_workflow(api, owner, sandbox_numbers(1, first=5), is_test=is_test)
    edited = api.request("PUT", f"/workflows/{workflow['id']}",
                         json_body={"rule_book": {"transfer_policy": {"number": number, "ring_seconds": 25}}},
                         token=owner.token)
    assert edited.status == 200, edited.body
    run = api.post(f"/workflows/{workflow['id']}/run", token=owner.token).body
    step = {"tenant_id": owner.tenant_id, "run_id": run["run_id"], "workflow_id": workflow["id"], "segment": 1}
    _dial_all(step, _manifest(step)[1])
    return owner, carrier.placed[0]


def _url(call, kind: str) -> str:
    return call.status_url.replace("/status/", f"/{kind}/")


def _verbs(reply) -> list[ET.Element]:
    assert reply.status == 200 and reply.headers["content-type"].startswith("text/xml"), reply.body
    return list(ET.fromstring(reply.raw.decode()))


def _requested(owner, call) -> None:
    assert transfers.request_transfer(owner.tenant_id, call.call_id, number=NUMBER, whisper=WHISPER) is not None


def _connected(api, carrier, call, seconds: int = 95):  # noqa: F811
    assert _verbs(carrier.post(api, _url(call, "stream-end"), {"CallSid": "SBx"}))[0].tag == "Dial"
    return carrier.post(api, _url(call, "dial-result"), {"CallSid": "SBx", "DialCallStatus": "completed",
                                                         "DialCallDuration": str(seconds), "DialCallSid": "SBchild"})


def _balance(api, owner) -> int:
    return api.get("/billing/balance", token=owner.token).body["balance_minor"]


def test_the_media_stream_names_its_stream_end_webhook_as_the_connects_action(api, carrier, voice_plane):  # noqa: F811
    _owner, call = _transfer_ready(api, carrier)

    (connect,) = _verbs(carrier.post(api, call.voice_url, {"CallSid": "SBx"}))

    assert connect.tag == "Connect" and connect.get("action") == _url(call, "stream-end")


def test_a_stream_that_ends_without_a_transfer_is_hung_up(api, carrier):  # noqa: F811
    _owner, call = _transfer_ready(api, carrier)

    assert [verb.tag for verb in _verbs(carrier.post(api, _url(call, "stream-end"), {"CallSid": "SBx"}))] == ["Hangup"]


def test_a_requested_transfer_is_dialed_with_the_whisper_a_recording_and_the_ring_time(api, carrier):  # noqa: F811
    owner, call = _transfer_ready(api, carrier)
    _requested(owner, call)

    (dial,) = _verbs(carrier.post(api, _url(call, "stream-end"), {"CallSid": "SBx"}))
    (number,) = list(dial)
    whisper = _verbs(carrier.post(api, number.get("url"), {"CallSid": "SBchild"}))

    assert (dial.tag, dial.get("timeout"), dial.get("record")) == ("Dial", "25", "record-from-answer-dual")
    assert dial.get("action") == _url(call, "dial-result")
    assert dial.get("recordingStatusCallback") == _url(call, "transfer-recording")
    assert dial.get("callerId") is None  # the sandbox carrier's default caller id: the call's own (no from number)
    assert (number.tag, number.text, number.get("url")) == ("Number", NUMBER, _url(call, "whisper"))
    assert [(verb.tag, verb.text) for verb in whisper] == [("Say", WHISPER)]
    assert calls.get(owner.tenant_id, call.call_id).transfer.status == "ringing"
    # the action is asked once: a repeat dials nobody a second time
    assert [verb.tag for verb in _verbs(carrier.post(api, _url(call, "stream-end"), {"CallSid": "SBx"}))] == ["Hangup"]


def test_an_answered_transfer_is_billed_once_per_started_minute_timelined_and_announced(api, carrier):  # noqa: F811
    owner, call = _transfer_ready(api, carrier)
    _requested(owner, call)
    before = _balance(api, owner)
    take(EVENTS_QUEUE)

    reply = _connected(api, carrier, call, seconds=95)
    again = carrier.post(api, _url(call, "dial-result"), {"CallSid": "SBx", "DialCallStatus": "completed",
                                                          "DialCallDuration": "95"})

    assert [verb.tag for verb in _verbs(reply)] == ["Hangup"] and [verb.tag for verb in _verbs(again)] == ["Hangup"]
    transfer = calls.get(owner.tenant_id, call.call_id).transfer
    assert (transfer.status, transfer.duration_seconds, transfer.charged_minor) == ("connected", 95, 2 * 12)
    assert before - _balance(api, owner) == 24  # two started minutes at the USD rate, charged once
    ledger = api.get("/billing/history", token=owner.token).body
    entries = ledger.get("entries") or ledger.get("history") or ledger.get("items")
    assert any("Transfer of the call" in entry["description"] and entry["amount_minor"] == -24 for entry in entries)
    timeline = api.get("/timeline", query=urlencode({"phone": sandbox_numbers(1, first=5)[0]}), token=owner.token).body
    (event,) = [event for event in timeline["events"] if event["kind"] == "transfer"]
    assert event["summary"] == "Transferred to a person (…0123, 1 min 35 s)"
    (announced,) = [message.json for message in take(EVENTS_QUEUE) if message.json["type"] == "call.transferred"]
    assert announced["data"]["call_id"] == call.call_id and announced["data"]["duration_seconds"] == 95
    assert announced["data"]["charged_minor"] == 24 and announced["data"]["whisper"] == WHISPER
    detail = api.get(f"/calls/{call.call_id}", token=owner.token).body
    assert detail["transfer"]["status"] == "connected" and detail["transfer"]["to_last4"] == "0123"
    assert detail["transfer"]["whisper"] == WHISPER and detail["transfer"]["recording_url"] is None


def test_a_test_workflows_transfer_is_never_billed(api, carrier):  # noqa: F811
    owner, call = _transfer_ready(api, carrier, is_test=True)
    _requested(owner, call)
    before = _balance(api, owner)

    _connected(api, carrier, call, seconds=300)

    assert calls.get(owner.tenant_id, call.call_id).transfer.charged_minor == 0 and _balance(api, owner) == before


@pytest.mark.parametrize(("dial_status", "status"), [("no-answer", "no_answer"), ("busy", "busy"),
                                                      ("failed", "failed")])
def test_an_unanswered_transfer_streams_the_callee_back_to_the_agent_saying_so(
        api, carrier, voice_plane, dial_status, status):  # noqa: F811
    owner, call = _transfer_ready(api, carrier)
    _requested(owner, call)
    carrier.post(api, _url(call, "stream-end"), {"CallSid": "SBx"})

    (connect,) = _verbs(carrier.post(api, _url(call, "dial-result"), {"CallSid": "SBx", "DialCallStatus": dial_status,
                                                                      "DialCallDuration": "0"}))

    (stream,) = list(connect)
    parameters = {parameter.get("name"): parameter.get("value") for parameter in stream}
    assert connect.get("action") == _url(call, "stream-end") and parameters["transfer"] == status
    assert set(parameters) == {"token", "call_id", "transfer"}
    stored = calls.get(owner.tenant_id, call.call_id).transfer
    assert (stored.status, stored.charged_minor) == (status, 0)
    timeline = api.get("/timeline", query=urlencode({"phone": sandbox_numbers(1, first=5)[0]}),
                       token=owner.token).body
    summary = next(event["summary"] for event in timeline["events"] if event["kind"] == "transfer")
    assert summary.startswith("Transfer not answered")
    # when that stream ends, there is nothing more to dial
    assert [verb.tag for verb in _verbs(carrier.post(api, _url(call, "stream-end"), {"CallSid": "SBx"}))] == ["Hangup"]


def test_the_message_taken_after_an_unanswered_transfer_is_kept_on_it(api, carrier, voice_plane):  # noqa: F811
    owner, call = _transfer_ready(api, carrier)
    _requested(owner, call)
    carrier.post(api, _url(call, "stream-end"), {"CallSid": "SBx"})
    carrier.post(api, _url(call, "dial-result"), {"CallSid": "SBx", "DialCallStatus": "no-answer"})

    transfers.take_message(owner.tenant_id, call.call_id, "Please ask Sam to call me about the invoice.")

    detail = api.get(f"/calls/{call.call_id}", token=owner.token).body
    assert detail["transfer"]["message"] == "Please ask Sam to call me about the invoice."


def test_the_legs_recording_is_kept_under_the_calls_recordings_and_served_like_them(
        api, carrier, bucket, monkeypatch):  # noqa: F811
    owner, call = _transfer_ready(api, carrier)
    _requested(owner, call)
    _connected(api, carrier, call)
    fetched: list[str] = []
    monkeypatch.setattr(SandboxCalls, "fetch_recording", lambda _self, url: fetched.append(url) or RECORDING)

    reply = carrier.post(api, _url(call, "transfer-recording"), {
        "CallSid": "SBx", "RecordingSid": "RE1", "RecordingUrl": "http://carrier.test/recordings/RE1",
        "RecordingStatus": "completed", "RecordingDuration": "95", "RecordingChannels": "2"})

    assert reply.status == 204 and fetched == ["http://carrier.test/recordings/RE1"]
    recording = calls.get(owner.tenant_id, call.call_id).transfer.recording
    assert recording.key == f"recordings/{owner.tenant_id}/{call.call_id}/transfer.wav"
    assert (recording.duration_ms, recording.channels) == (95_000, 2)
    from shared.platform.aws import client

    assert client("s3").get_object(Bucket=bucket, Key=recording.key)["Body"].read() == RECORDING
    detail = api.get(f"/calls/{call.call_id}", token=owner.token).body
    assert urlsplit(detail["transfer"]["recording_url"]).path.endswith("/transfer.wav")


def test_an_unsigned_transfer_webhook_is_refused(api, carrier):  # noqa: F811
    owner, call = _transfer_ready(api, carrier)
    _requested(owner, call)

    reply = carrier.post(api, _url(call, "stream-end"), {"CallSid": "SBx"}, signature="forged")

    assert reply.status == 403 and reply.body["code"] == "INVALID_SIGNATURE"
    assert calls.get(owner.tenant_id, call.call_id).transfer.status == "requested"


def test_a_transfer_number_that_is_not_e164_is_refused_with_the_contracts_422(api, carrier):  # noqa: F811
    owner = sign_up_and_log_in(api)
    workflow = ready_workflow(api, owner, sandbox_numbers(1))

    edited = api.request("PUT", f"/workflows/{workflow['id']}",
                         json_body={"rule_book": {"transfer_policy": {"number": "0415 555 0123"}}}, token=owner.token)

    assert edited.status == 422 and edited.body["code"] == "RULE_BOOK_INVALID"
    assert edited.body["field"] == "transfer_policy.number"


def test_only_one_transfer_is_asked_for_per_call(api, carrier):  # noqa: F811
    owner, call = _transfer_ready(api, carrier)
    _requested(owner, call)

    assert transfers.request_transfer(owner.tenant_id, call.call_id, number=NUMBER, whisper="again") is None
    assert get_settings() is not None


def test_a_transferred_call_closes_as_transferred_and_is_counted_on_its_run(api, carrier):  # noqa: F811
    from tests.integration.test_dialer_calls import _status

    owner, call = _transfer_ready(api, carrier)
    _requested(owner, call)
    calls.update(owner.tenant_id, call.call_id, outcome="transferred", answered_by="human")  # the voice plane's write
    _connected(api, carrier, call, seconds=30)

    _status(api, carrier, call, "completed", CallDuration="75")

    closed = calls.get(owner.tenant_id, call.call_id)
    assert (closed.status, closed.outcome, closed.transfer.status) == ("completed", "transferred", "connected")
    run = api.get(f"/workflows/{closed.workflow_id}/runs", token=owner.token).body["runs"][0]
    assert run["transfers"] == 1 and run["targets_connected"] == 1


def test_a_dsr_erase_drops_the_transfer_and_deletes_its_recording(api, carrier, bucket, monkeypatch):  # noqa: F811
    from shared.platform.aws import client

    owner, call = _transfer_ready(api, carrier)
    _requested(owner, call)
    _connected(api, carrier, call)
    monkeypatch.setattr(SandboxCalls, "fetch_recording", lambda _self, url: RECORDING)
    carrier.post(api, _url(call, "transfer-recording"), {"CallSid": "SBx", "RecordingUrl": "http://c/recordings/RE1",
                                                         "RecordingStatus": "completed", "RecordingDuration": "9"})
    key = calls.get(owner.tenant_id, call.call_id).transfer.recording.key

    erased = api.post("/dsr/erase", {"contact_identifier": sandbox_numbers(1, first=5)[0]}, token=owner.token)

    assert erased.status == 200, erased.body
    assert calls.get(owner.tenant_id, call.call_id).transfer is None
    listed = client("s3").list_objects_v2(Bucket=bucket, Prefix=key)
    assert listed.get("KeyCount", 0) == 0


def _dial_result(owner, call) -> None:
    transfers.record_dial_result("sandbox", owner.tenant_id, call.call_id,
                                 {"DialCallStatus": "completed", "DialCallDuration": "95"})


def _recording_ready(owner, call) -> None:
    transfers.keep_recording("sandbox", owner.tenant_id, call.call_id, {
        "RecordingUrl": "http://carrier.test/recordings/RE1", "RecordingStatus": "completed",
        "RecordingDuration": "95", "RecordingChannels": "2"})


def _lands_after_read(monkeypatch, read: int, webhook) -> list[bool]:
    """The other webhook lands right after the `read`-th read of the call (0 = the first) by the one in progress."""
    real_get, reads, landed = calls.get, [0], []

    def get(tenant_id, call_id):
        found = real_get(tenant_id, call_id)
        if not landed:
            reads[0] += 1
            if reads[0] == read + 1:
                landed.append(True)
                webhook()
        return found

    monkeypatch.setattr(calls, "get", get)
    return landed


@pytest.mark.parametrize("read", [0, 1])
@pytest.mark.parametrize("first", ["dial-result", "recording"])
def test_the_recording_callback_and_the_dial_result_landing_together_keep_both_writes(
        api, carrier, bucket, monkeypatch, first, read):  # noqa: F811
    owner, call = _transfer_ready(api, carrier)
    _requested(owner, call)
    assert _verbs(carrier.post(api, _url(call, "stream-end"), {"CallSid": "SBx"}))[0].tag == "Dial"
    monkeypatch.setattr(SandboxCalls, "fetch_recording", lambda _self, url: RECORDING)
    steps = {"dial-result": lambda: _dial_result(owner, call), "recording": lambda: _recording_ready(owner, call)}
    other = steps["recording" if first == "dial-result" else "dial-result"]

    real_get = calls.get
    landed = _lands_after_read(monkeypatch, read, other)
    steps[first]()
    monkeypatch.setattr(calls, "get", real_get)
    if not landed:  # the step in progress read the call fewer times: the other lands just after it
        other()

    transfer = calls.get(owner.tenant_id, call.call_id).transfer
    assert (transfer.status, transfer.duration_seconds, transfer.charged_minor) == ("connected", 95, 24)
    assert transfer.recording is not None, "the recording pointer was overwritten by the dial's result"
    assert transfer.recording.key == f"recordings/{owner.tenant_id}/{call.call_id}/transfer.wav"


def test_a_dsr_export_lists_the_calls_transfer_beside_its_recording_in_the_zip(
        api, carrier, bucket, monkeypatch):  # noqa: F811
    import io
    import zipfile

    owner, call = _transfer_ready(api, carrier)
    _requested(owner, call)
    _connected(api, carrier, call, seconds=95)
    monkeypatch.setattr(SandboxCalls, "fetch_recording", lambda _self, url: RECORDING)
    carrier.post(api, _url(call, "transfer-recording"), {"CallSid": "SBx", "RecordingUrl": "http://c/recordings/RE1",
                                                         "RecordingStatus": "completed", "RecordingDuration": "95"})

    exported = api.post("/dsr/export", {"contact_identifier": sandbox_numbers(1, first=5)[0]}, token=owner.token)

    assert exported.status == 200, exported.body
    (record,) = [entry for entry in exported.body["calls"] if entry["id"] == call.call_id]
    transfer = record["transfer"]
    assert (transfer["status"], transfer["to_last4"], transfer["whisper"]) == ("connected", "0123", WHISPER)
    assert (transfer["duration_seconds"], transfer["charged_minor"], transfer["message"]) == (95, 24, None)
    assert transfer["requested_at"] and transfer["answered_at"] and transfer["ended_at"]
    assert transfer["recording"] == f"{call.call_id}/transfer.wav" and transfer["recording"] in record["recordings"]
    from shared.platform.aws import client

    key = urlsplit(exported.body["recordings_zip_url"]).path.lstrip("/").removeprefix(f"{get_settings().media_bucket}/")
    archive = zipfile.ZipFile(io.BytesIO(client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()))
    assert archive.read(transfer["recording"]) == RECORDING


def test_a_dsr_export_lists_the_message_taken_after_an_unanswered_transfer(api, carrier, voice_plane):  # noqa: F811
    owner, call = _transfer_ready(api, carrier)
    _requested(owner, call)
    carrier.post(api, _url(call, "stream-end"), {"CallSid": "SBx"})
    carrier.post(api, _url(call, "dial-result"), {"CallSid": "SBx", "DialCallStatus": "no-answer"})
    transfers.take_message(owner.tenant_id, call.call_id, "Please ask Sam to call me about the invoice.")

    exported = api.post("/dsr/export", {"contact_identifier": sandbox_numbers(1, first=5)[0]}, token=owner.token)

    (record,) = [entry for entry in exported.body["calls"] if entry["id"] == call.call_id]
    assert record["transfer"]["status"] == "no_answer" and record["transfer"]["recording"] is None
    assert record["transfer"]["message"] == "Please ask Sam to call me about the invoice."
