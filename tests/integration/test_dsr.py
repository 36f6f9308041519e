"""Data-subject requests in-process: a contact seeded across every store through the API and the dialer's steps,
exported whole, then erased so that no spelling of its number or email is left in the table or any bucket."""

from __future__ import annotations

import io
import json
import zipfile
from urllib.parse import urlsplit

import pytest

from shared.platform import clock
from tests.integration.conftest import mint_key, sign_up_and_log_in
from tests.integration.dialer_fixtures import CALLABLE_MOMENT, ready_workflow, sandbox_numbers
from tests.integration.test_dialer_calls import Carrier, _dial_all, _manifest, _status
from tests.integration.webhook_fixtures import public_dns, webhook_queues  # noqa: F401 (fixtures)

pytestmark = pytest.mark.integration

EMAIL = "Asha.Rao@Example.com"
PHONE = sandbox_numbers(1, first=4)[0]  # the sandbox callee that asks for a discount: an approval
OTHER = sandbox_numbers(1, first=8)[0]
RECORDING = b"ID3 fake audio of " + PHONE.encode()


def _spellings() -> list[str]:
    digits = PHONE.lstrip("+")
    return [PHONE, digits, digits[-10:], EMAIL.lower()]


def _seed(api, carrier) -> dict:
    """A contact in the audience (with its email), called (transcript, approval, opt-out → DNC), on the timeline
    under phone and email, with a recording."""
    from shared.platform.aws import client
    from shared.platform.settings import get_settings
    from shared.timeline import service as timeline
    from shared.timeline.models import TimelineContact, TimelineEvent

    owner = sign_up_and_log_in(api)
    workflow = ready_workflow(api, owner, [PHONE, OTHER])
    rows = [{"phone": PHONE, "name": "Asha", "email": EMAIL}, {"phone": OTHER, "name": "Ben"}]
    assert api.post(f"/workflows/{workflow['id']}/audience", {"rows": rows}, token=owner.token).body["accepted"] == 2
    run = api.post(f"/workflows/{workflow['id']}/run", token=owner.token).body
    step = {"tenant_id": owner.tenant_id, "run_id": run["run_id"], "workflow_id": workflow["id"], "segment": 1}
    _, items = _manifest(step)
    _dial_all(step, items)
    call = next(placed for placed in carrier.placed if placed.to_e164 == PHONE)
    carrier.post(api, call.voice_url, {"CallSid": "SBx"})  # answered: streamed to the voice plane
    _converse_as_the_voice_plane(api, owner, run["run_id"], workflow["id"], call.call_id)
    _status(api, carrier, call, "completed", CallDuration="40")
    timeline.record(owner.tenant_id, TimelineEvent(
        id="tle_email1", tenant_id=owner.tenant_id, at=clock.now(), kind="email", summary="Renewal offer sent",
        payload={"to": EMAIL}, contact=TimelineContact(phone=PHONE, email=EMAIL)))
    client("s3").put_object(Bucket=get_settings().media_bucket,
                            Key=f"recordings/{owner.tenant_id}/{call.call_id}/recording-1.mp3", Body=RECORDING)
    return {"owner": owner, "workflow": workflow, "call_id": call.call_id}


def _converse_as_the_voice_plane(api, owner, run_id: str, workflow_id: str, call_id: str) -> None:
    """What the voice plane writes during this call (through the same services): the callee asks for a discount
    (an approval a human decides), then asks not to be called again (DNC), then the transcript and outcome."""
    from shared.approvals import service as approvals
    from shared.calls import repository as calls
    from shared.calls.conversation_record import keep
    from shared.calls.models import Utterance
    from shared.compliance.service import add_for_tenant

    approval = approvals.request_approval(
        owner.tenant_id, workflow_id=workflow_id, run_id=run_id, target_phone=PHONE, proposed_action="concession",
        proposed_value_minor=None, currency="USD", rationale="The callee asked for 20% off; they are holding.",
        context={"kind": "discount", "percent": 20, "callee_said": f"Twenty percent off, this is {PHONE}"},
        ttl_seconds=300, call_id=call_id)
    api.post(f"/approvals/{approval.id}/decide", {"decision": "approve", "note": f"ok for {PHONE}"},
             token=owner.token)
    add_for_tenant(owner.tenant_id, PHONE, "Asked not to be called again, during a call", source="call",
                   actor=f"call:{call_id}")
    keep(owner.tenant_id, call_id, turn_latencies_ms=[480], audio=None, utterances=[
        Utterance(speaker="contact", text="Twenty percent off?", offset_ms=4000),
        Utterance(speaker="contact", text="Please stop calling me.", offset_ms=9000)])
    calls.update(owner.tenant_id, call_id, outcome="opted_out", answered_by="human", approval_ids=[approval.id])


def _empty_the_buckets() -> None:
    # The table is emptied per test (conftest); the buckets outlive tests, and earlier tests leave the same numbers.
    from shared.platform.aws import client

    s3 = client("s3")
    for bucket in s3.list_buckets()["Buckets"]:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket["Name"]):
            for obj in page.get("Contents", []):
                s3.delete_object(Bucket=bucket["Name"], Key=obj["Key"])


@pytest.fixture
def seeded(api, monkeypatch):
    clock.freeze(CALLABLE_MOMENT)
    _empty_the_buckets()
    yield _seed(api, Carrier(monkeypatch))
    clock.freeze(None)


def _plaintext_left() -> list[str]:
    """Every table item and bucket object (key or body) that still spells the contact."""
    from shared.platform.aws import client
    from shared.platform.settings import get_settings

    needles = _spellings()
    found = []
    dynamodb = client("dynamodb")
    for page in dynamodb.get_paginator("scan").paginate(TableName=get_settings().table_name):
        for item in page["Items"]:
            text = json.dumps(item, default=str).lower()  # (binary attributes: sealed secrets)
            found += [f"table {item['PK']['S']} {item['SK']['S']}" for needle in needles if needle.lower() in text]
    s3 = client("s3")
    for bucket in s3.list_buckets()["Buckets"]:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket["Name"]):
            for obj in page.get("Contents", []):
                body = s3.get_object(Bucket=bucket["Name"], Key=obj["Key"])["Body"].read()
                text = (obj["Key"].encode() + b" " + body).lower()
                found += [f"s3 {obj['Key']}" for needle in needles if needle.lower().encode() in text]
    return found


def test_export_returns_everything_about_the_contact(api, seeded):
    owner = seeded["owner"]
    from shared.platform.aws import client
    from shared.platform.settings import get_settings

    reply = api.post("/dsr/export", {"phone": PHONE.removeprefix("+1")}, token=owner.token)  # national spelling

    assert reply.status == 200, reply.body
    body = reply.body
    assert body["contact"] == {"phone_e164": PHONE, "email": None}
    assert [row["variables"] for row in body["audience"]] == [{"name": "Asha", "email": EMAIL}]
    assert len(body["calls"]) == 1 and body["calls"][0]["id"] == seeded["call_id"]
    assert any("stop calling" in turn["text"].lower() for turn in body["calls"][0]["transcript"])
    assert body["calls"][0]["recordings"] == [f"{seeded['call_id']}/recording-1.mp3"]
    assert [approval["status"] for approval in body["approvals"]] == ["approved"]
    assert {"call", "decision", "dnc", "email"} <= {event["kind"] for event in body["timeline"]}
    assert [row["record"] for row in body["dnc"]] == ["entry", "audit"] and body["dnc"][1]["source"] == "call"
    assert body["consent_audit"][0]["workflow_id"] == seeded["workflow"]["id"]
    key = urlsplit(body["recordings_zip_url"]).path.lstrip("/").removeprefix(f"{get_settings().media_bucket}/")
    archive = client("s3").get_object(Bucket=get_settings().media_bucket, Key=key)["Body"].read()
    assert zipfile.ZipFile(io.BytesIO(archive)).read(f"{seeded['call_id']}/recording-1.mp3") == RECORDING


def test_export_by_email_finds_the_audience_row_and_the_email_events(api, seeded):
    reply = api.post("/dsr/export", {"email": EMAIL.upper()}, token=seeded["owner"].token)

    assert reply.status == 200, reply.body
    assert [row["phone_e164"] for row in reply.body["audience"]] == [PHONE]
    assert [event["kind"] for event in reply.body["timeline"]] == ["email"]
    assert reply.body["calls"] == [] and reply.body["recordings_zip_url"] is None


def test_after_erase_no_spelling_of_the_number_or_email_is_left_anywhere(api, seeded):
    owner = seeded["owner"]
    api.post("/dsr/export", {"phone": PHONE}, token=owner.token)  # an export ZIP holding the recording
    assert _plaintext_left()

    # One identifier a request (as the reference's contact_identifier): the number, then the email
    reply = api.post("/dsr/erase", {"contact_identifier": PHONE}, token=owner.token)
    by_email = api.post("/dsr/erase", {"contact_identifier": EMAIL}, token=owner.token)

    assert reply.status == 200, reply.body
    assert reply.body["erased"] is True and len(reply.body["contact_hash"]) == 64
    deleted, pseudonymised = reply.body["deleted"], reply.body["pseudonymised"]
    assert deleted["audience"] == 1 and deleted["run_targets"] == 1 and deleted["recordings"] == 1
    assert deleted["export_archives"] == 1 and deleted["manifest_items"] == 1 and deleted["timeline"] >= 3
    assert pseudonymised == {"calls": 1, "approvals": 1, "callbacks": 0, "dnc_audit": 1, "dnc_entry": 1,
                             "webhook_deliveries": 0}
    assert by_email.status == 200, by_email.body  # (the email event went with the number's: it named both)
    assert _plaintext_left() == []


def test_erase_keeps_the_other_targets_the_run_counters_and_the_pseudonymised_audit(api, seeded):
    owner, workflow = seeded["owner"], seeded["workflow"]
    from shared.audience import repository as audience

    api.post("/dsr/erase", {"phone": PHONE}, token=owner.token)

    assert [target.phone_e164 for target in audience.iter_targets(owner.tenant_id, workflow["id"])] == [OTHER]
    assert audience.get_summary(owner.tenant_id, workflow["id"]).total_targets == 1
    run = api.get(f"/workflows/{workflow['id']}/runs", token=owner.token).body["runs"][0]
    assert run["calls_placed"] == 2 and run["opted_out"] == 1
    after = api.post("/dsr/export", {"phone": PHONE}, token=owner.token).body
    assert after["audience"] == [] and after["timeline"] == [] and after["recordings_zip_url"] is None
    assert [row["phone_e164"].startswith("erased:") for row in after["dnc"]] == [True]
    assert after["approvals"][0]["target_phone"].startswith("erased:") and after["approvals"][0]["context"] == {}


def test_erase_deletes_the_voice_planes_recording_and_the_calls_pointer_to_it(api, seeded):
    from shared.calls import repository as calls
    from shared.calls.conversation_record import RecordedAudio, keep
    from shared.calls.models import Utterance
    from shared.dsr.footprint import recording_keys

    owner, call_id = seeded["owner"], seeded["call_id"]
    # What the voice plane keeps at the end of a call: the stereo WAV and, on the call, its key and the transcript.
    kept = keep(owner.tenant_id, call_id, utterances=[Utterance(speaker="contact", text=f"I am on {PHONE}",
                                                                offset_ms=1200)],
                turn_latencies_ms=[420], audio=RecordedAudio(body=b"RIFF....WAVE", duration_ms=1000))
    assert kept.recording is not None and kept.recording.key in recording_keys(owner.tenant_id, call_id)
    assert api.get(f"/calls/{call_id}", token=owner.token).body["has_recording"] is True

    reply = api.post("/dsr/erase", {"phone": PHONE}, token=owner.token)

    assert reply.status == 200, reply.body
    assert reply.body["deleted"]["recordings"] == 2  # the voice plane's WAV and the seeded file
    assert recording_keys(owner.tenant_id, call_id) == []
    detail = api.get(f"/calls/{call_id}", token=owner.token).body
    assert detail["recording"] is None and detail["has_recording"] is False and detail["transcript"] == []
    assert calls.get(owner.tenant_id, call_id).recording is None


def test_erase_is_idempotent(api, seeded):
    owner = seeded["owner"]
    first = api.post("/dsr/erase", {"phone": PHONE}, token=owner.token).body

    second = api.post("/dsr/erase", {"phone": PHONE}, token=owner.token)

    assert second.status == 200 and second.body["contact_hash"] == first["contact_hash"]
    assert set(second.body["deleted"].values()) == {0} and set(second.body["pseudonymised"].values()) == {0}


def test_the_erased_number_stays_blocked(api, seeded):
    owner = seeded["owner"]
    from shared.compliance import repository as dnc

    api.post("/dsr/erase", {"phone": PHONE}, token=owner.token)

    assert dnc.erased_numbers(owner.tenant_id, [PHONE, OTHER]) == {PHONE}
    assert dnc.listed_numbers(owner.tenant_id, [PHONE]) == set()  # the plaintext entry is gone


def test_the_erased_number_is_refused_when_uploaded_again(api, seeded):
    owner, workflow = seeded["owner"], seeded["workflow"]
    api.post("/dsr/erase", {"phone": PHONE}, token=owner.token)

    again = api.post(f"/workflows/{workflow['id']}/audience", {"rows": [{"phone": PHONE}]}, token=owner.token)

    assert again.body["rejected_dnc"] == 1 and again.body["accepted"] == 0


def test_export_needs_write_scope_and_erase_needs_admin(api):
    owner = sign_up_and_log_in(api)
    read_key = mint_key(api, owner, scope="read")["secret"]
    write_key = mint_key(api, owner, scope="write")["secret"]

    assert api.post("/dsr/export", {"phone": PHONE}, token=read_key).status == 403
    assert api.post("/dsr/export", {"phone": PHONE}, token=write_key).status == 200
    assert api.post("/dsr/erase", {"phone": PHONE}, token=write_key).status == 403


def test_the_references_contact_identifier_takes_a_phone_or_an_email(api, seeded):
    owner = seeded["owner"]

    by_phone = api.post("/dsr/export", {"contact_identifier": PHONE.removeprefix("+1")}, token=owner.token)
    by_email = api.post("/dsr/export", {"contact_identifier": EMAIL}, token=owner.token)

    assert by_phone.status == 200, by_phone.body
    assert by_phone.body["contact"] == {"phone_e164": PHONE, "email": None} and len(by_phone.body["calls"]) == 1
    assert by_email.status == 200, by_email.body
    assert by_email.body["contact"] == {"phone_e164": None, "email": EMAIL.lower()}
    assert [event["kind"] for event in by_email.body["timeline"]] == ["email"]


def test_no_identifier_is_a_400_on_contact_identifier(api):
    owner = sign_up_and_log_in(api)

    for body in ({}, {"contact_identifier": "  "}, {"phone": "", "email": None}):
        reply = api.post("/dsr/export", body, token=owner.token)
        assert (reply.status, reply.body["code"], reply.body["field"]) == (400, "IDENTIFIER_REQUIRED",
                                                                           "contact_identifier")


@pytest.mark.parametrize("body", [{"contact_identifier": PHONE, "phone": PHONE},
                                  {"phone": PHONE, "email": EMAIL},
                                  {"contact_identifier": EMAIL, "email": EMAIL}])
def test_more_than_one_identifier_is_a_400(api, body):
    owner = sign_up_and_log_in(api)

    reply = api.post("/dsr/erase", body, token=owner.token)

    assert (reply.status, reply.body["code"], reply.body["field"]) == (400, "AMBIGUOUS_IDENTIFIER",
                                                                       "contact_identifier")


@pytest.mark.parametrize(("body", "code", "field"), [
    ({"phone": "+1 12"}, "INVALID_PHONE_NUMBER", "phone"),
    ({"email": "asha at example"}, "INVALID_EMAIL", "email"),
    ({"contact_identifier": "+1 12"}, "INVALID_CONTACT_IDENTIFIER", "contact_identifier"),
    ({"contact_identifier": "call me maybe"}, "INVALID_CONTACT_IDENTIFIER", "contact_identifier"),
    ({"contact_identifier": "asha@example"}, "INVALID_EMAIL", "contact_identifier"),
    ({"contact_identifier": "a b@example.com"}, "INVALID_EMAIL", "contact_identifier"),
])
def test_a_malformed_identifier_is_a_400_naming_its_field(api, body, code, field):
    owner = sign_up_and_log_in(api)

    reply = api.post("/dsr/erase", body, token=owner.token)

    assert (reply.status, reply.body["code"], reply.body["field"]) == (400, code, field)


# The voice plane's recording, on a call that never took the Gather path: placed by the dialer, answered into a
# media stream, kept at its end by the voice plane (shared/calls/conversation_record.py), completed by the carrier.
VOICE_PLANE_WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + PHONE.encode()


def _streamed_call(api, carrier) -> dict:
    owner = sign_up_and_log_in(api)
    workflow = ready_workflow(api, owner, [PHONE, OTHER])
    run = api.post(f"/workflows/{workflow['id']}/run", token=owner.token).body
    step = {"tenant_id": owner.tenant_id, "run_id": run["run_id"], "workflow_id": workflow["id"], "segment": 1}
    _, items = _manifest(step)
    _dial_all(step, items)
    call = next(placed for placed in carrier.placed if placed.to_e164 == PHONE)
    return {"owner": owner, "call": call, "call_id": call.call_id}


def _voice_plane_keeps(tenant_id: int, call_id: str):
    from shared.calls.conversation_record import RecordedAudio, keep
    from shared.calls.models import Utterance

    said = [Utterance(speaker="contact", text=f"Call me on {PHONE}", offset_ms=900)]
    return keep(tenant_id, call_id, utterances=said, turn_latencies_ms=[610],
                audio=RecordedAudio(body=VOICE_PLANE_WAV, duration_ms=1000))


@pytest.fixture
def streamed(api, monkeypatch):
    clock.freeze(CALLABLE_MOMENT)
    _empty_the_buckets()
    carrier = Carrier(monkeypatch)
    yield {**_streamed_call(api, carrier), "carrier": carrier}
    clock.freeze(None)


def test_export_lists_the_voice_planes_recording_and_zips_it(api, streamed):
    from shared.platform.aws import client
    from shared.platform.settings import get_settings

    owner, call_id = streamed["owner"], streamed["call_id"]
    kept = _voice_plane_keeps(owner.tenant_id, call_id)
    _status(api, streamed["carrier"], streamed["call"], "completed", CallDuration="25")
    assert kept.recording is not None and kept.recording.key == f"recordings/{owner.tenant_id}/{call_id}/call.wav"

    reply = api.post("/dsr/export", {"phone": PHONE}, token=owner.token)

    assert reply.status == 200, reply.body
    (exported,) = reply.body["calls"]
    assert exported["id"] == call_id and exported["recordings"] == [f"{call_id}/call.wav"]
    assert [turn["text"] for turn in exported["transcript"]] == [f"Call me on {PHONE}"]
    key = urlsplit(reply.body["recordings_zip_url"]).path.lstrip("/").removeprefix(f"{get_settings().media_bucket}/")
    archive = client("s3").get_object(Bucket=get_settings().media_bucket, Key=key)["Body"].read()
    assert zipfile.ZipFile(io.BytesIO(archive)).read(f"{call_id}/call.wav") == VOICE_PLANE_WAV


def test_erase_deletes_the_voice_planes_recording_of_a_streamed_call_and_its_pointer(api, streamed):
    from shared.calls import repository as calls
    from shared.dsr.footprint import recording_keys

    owner, call_id = streamed["owner"], streamed["call_id"]
    _voice_plane_keeps(owner.tenant_id, call_id)
    _status(api, streamed["carrier"], streamed["call"], "completed", CallDuration="25")

    reply = api.post("/dsr/erase", {"phone": PHONE}, token=owner.token)

    assert reply.status == 200, reply.body
    assert reply.body["deleted"]["recordings"] == 1 and reply.body["pseudonymised"]["calls"] == 1
    assert recording_keys(owner.tenant_id, call_id) == []
    assert calls.get(owner.tenant_id, call_id).recording is None
    detail = api.get(f"/calls/{call_id}", token=owner.token).body
    assert detail["recording"] is None and detail["has_recording"] is False and detail["transcript"] == []
    assert api.request("GET", f"/calls/{call_id}/recording", token=owner.token).status == 404


def test_a_call_erased_while_it_streams_keeps_no_recording_or_transcript_when_the_voice_plane_ends_it(api, streamed):
    # The voice plane writes what it kept when the call ends; an erase may land in between. The erased contact's
    # voice and words must not come back with that write.
    from shared.calls import repository as calls
    from shared.dsr.footprint import recording_keys

    owner, call_id = streamed["owner"], streamed["call_id"]
    assert api.post("/dsr/erase", {"phone": PHONE}, token=owner.token).status == 200

    after = _voice_plane_keeps(owner.tenant_id, call_id)

    assert recording_keys(owner.tenant_id, call_id) == []
    assert after.recording is None and after.transcript == []
    assert calls.get(owner.tenant_id, call_id).recording is None
    assert _plaintext_left() == []


# --- Signed-webhook deliveries that named the contact ---

def _a_delivery_naming_the_contact(api, owner) -> str:
    """A call.completed delivery (as the fan-out writes it) to the tenant's endpoint, and one about someone else."""
    from shared.webhooks import delivery_repository
    from shared.webhooks.models import Delivery

    endpoint = api.post("/api/webhooks", {"url": "https://hooks.example.com/callfunnel", "events": ["call.completed"]},
                        token=owner.token).body
    for event_id, phone in (("msg_about_contact", PHONE), ("msg_about_other", OTHER)):
        body = json.dumps({"type": "call.completed", "timestamp": "2026-12-07T10:00:00Z",
                           "data": {"target_phone": phone, "summary": f"Spoke with {phone}"}})
        delivery = Delivery(id=f"whd_{event_id}", tenant_id=owner.tenant_id, endpoint_id=endpoint["id"],
                            event_id=event_id, event_type="call.completed", body=body, status="pending",
                            created_at=clock.now(), schedule_token="first")
        delivery_repository.create_delivery(delivery)
        delivery_repository.claim_attempt(delivery, "first", clock.now())  # the receiver echoed the number back
        delivery_repository.finish_attempt(delivery, "first", status="failed", next_attempt_at=None, next_token=None,
                                           status_code=422, error=None, response_body=f"unknown customer {phone}",
                                           delivered_at=None)
    return endpoint["id"]


@pytest.mark.usefixtures("webhook_queues", "public_dns")
def test_export_lists_and_erase_redacts_the_webhook_deliveries_that_named_the_contact(api, seeded):
    from shared.webhooks import delivery_repository

    owner = seeded["owner"]
    endpoint_id = _a_delivery_naming_the_contact(api, owner)

    exported = api.post("/dsr/export", {"contact_identifier": PHONE}, token=owner.token)
    erased = api.post("/dsr/erase", {"contact_identifier": PHONE}, token=owner.token)
    again = api.post("/dsr/erase", {"contact_identifier": PHONE}, token=owner.token)

    assert [(row["event_id"], json.loads(row["body"])["data"]["target_phone"])
            for row in exported.body["webhook_deliveries"]] == [("msg_about_contact", PHONE)]
    assert erased.body["pseudonymised"]["webhook_deliveries"] == 1
    assert again.body["pseudonymised"]["webhook_deliveries"] == 0
    kept = delivery_repository.get_delivery(owner.tenant_id, endpoint_id, "whd_msg_about_contact")
    assert json.loads(kept.body) == {"type": "call.completed", "timestamp": "2026-12-07T10:00:00Z",
                                     "data": {"erased": True}}
    assert kept.last_response_body is None and kept.event_id == "msg_about_contact"  # its webhook-id is kept
    other = delivery_repository.get_delivery(owner.tenant_id, endpoint_id, "whd_msg_about_other")
    assert OTHER in other.body and OTHER in other.last_response_body
    assert [left for left in _plaintext_left() if "whd_msg_about_contact" in left] == []
