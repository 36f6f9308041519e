"""An audience's `sandbox_behaviour` column end to end in-process (issue 13 §6): uploaded over the API, kept on the
targets, carried by the run's manifest, and handed by the dial step to the sandbox carrier as that behaviour's
scripted callee — whatever the number's last digit says. A real carrier gets no script."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import timedelta
from types import SimpleNamespace

import pytest

from shared.conversation.sandbox_callees import ASKS_FOR_PERSON, callee_for
from shared.platform import clock
from tests.integration.conftest import sign_up_and_log_in
from tests.integration.dialer_fixtures import ATTESTATION, CALLABLE_MOMENT, US_PROMPT, ensure_dialer_aws
from tests.integration.test_dialer_calls import Carrier, _status

pytestmark = pytest.mark.integration
# Every number ends in 8 (the converting callee): only the column can make them behave otherwise.
ROWS = [("+14155550118", "busy"), ("+14155550128", "transfer"), ("+14155550138", "no_answer"),
        ("+14155550148", "")]
CSV_FILE = ("phone,name,Sandbox Behaviour\r\n" + "".join(f"{phone},Customer {phone[-3:-1]},{behaviour.upper()}\r\n"
                                                         for phone, behaviour in ROWS)).encode()


@pytest.fixture
def carrier(api, monkeypatch):
    """Records the calls the dial step places (the sandbox carrier stands aside) and the steps their ends release,
    on a clock inside US calling hours."""
    clock.freeze(CALLABLE_MOMENT)
    yield Carrier(monkeypatch)
    clock.freeze(None)


def _multipart(csv_file: bytes) -> tuple[bytes, dict[str, str]]:
    body = (b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n"
            b"Content-Type: text/csv\r\n\r\n" + csv_file + b"\r\n--XyZ--\r\n")
    return body, {"content-type": "multipart/form-data; boundary=XyZ"}


def _workflow_with_audience(api, owner, csv_file: bytes) -> dict:
    ensure_dialer_aws()
    workflow = api.post("/workflows", {"nl_prompt": US_PROMPT}, token=owner.token).body
    body, headers = _multipart(csv_file)
    uploaded = api.request("POST", f"/api/workflows/{workflow['id']}/audience", raw_body=body, headers=headers,
                           token=owner.token)
    assert uploaded.status == 200 and uploaded.body["accepted"] == len(ROWS), uploaded.body
    attested = api.request("PUT", f"/workflows/{workflow['id']}/compliance", json_body=ATTESTATION, token=owner.token)
    assert attested.status == 200, attested.body
    return workflow


def test_the_uploaded_behaviour_reaches_the_sandbox_carrier_as_that_callee(api, carrier):
    from shared.audience.service import iter_targets
    from shared.dialer.dial import run_step
    from shared.dialer.manifest import prepare
    from shared.platform.aws import client
    from shared.workflows import repository as workflows

    # Given an audience whose rows name their callees (one row names none)
    owner = sign_up_and_log_in(api)
    workflow = _workflow_with_audience(api, owner, CSV_FILE)
    run = api.post(f"/workflows/{workflow['id']}/run", token=owner.token).body
    step = {"tenant_id": owner.tenant_id, "run_id": run["run_id"], "workflow_id": workflow["id"], "segment": 1}

    # When the run's manifest is written and each target is dialed
    written = prepare(step)
    items = json.loads(client("s3").get_object(Bucket=written["bucket"], Key=written["key"])["Body"].read())
    for item in items:
        clock.freeze(clock.now() + timedelta(seconds=1))  # the carrier's pace: one dial per slot
        run_step({"task_token": f"tok-{item['phone']}", "step": {**step, "target": item, "attempt": 1}})

    # Then the targets and the manifest carry the behaviours, and each call's script is its behaviour's callee
    assert [target.sandbox_behaviour for target in iter_targets(owner.tenant_id, workflow["id"])] == \
        ["busy", "transfer", "no_answer", None]
    assert [item.get("sandbox_behaviour") for item in items] == ["busy", "transfer", "no_answer", None]
    rule_book = workflows.get(owner.tenant_id, workflow["id"]).rule_book
    scripts = {call.to_e164: call.sandbox_script for call in carrier.placed}
    assert scripts == {phone: asdict(callee_for(phone, rule_book, behaviour=behaviour or None))
                       for phone, behaviour in ROWS}
    assert [scripts[phone]["behaviour"] for phone, _ in ROWS] == ["busy", "transfer", "no_answer", "convert"]
    assert (scripts[ROWS[0][0]]["busy"], scripts[ROWS[2][0]]["answers"]) == (True, False)
    assert scripts[ROWS[1][0]]["lines"][0] == ASKS_FOR_PERSON


def test_the_next_attempt_after_a_busy_line_plays_the_same_behaviour(api, carrier):
    from shared.dialer.dial import run_step

    # Given a target whose row named "busy" (its number ends in 8: by its digit it would convert)
    owner = sign_up_and_log_in(api)
    workflow = _workflow_with_audience(api, owner, CSV_FILE)
    run = api.post(f"/workflows/{workflow['id']}/run", token=owner.token).body
    step = {"tenant_id": owner.tenant_id, "run_id": run["run_id"], "workflow_id": workflow["id"], "segment": 1}
    run_step({"task_token": "tok-1", "step": {**step, "target": {"phone": ROWS[0][0], "sandbox_behaviour": "busy"}}})

    # When its call ends busy, and the step the end releases (wait, then attempt 2) is dialed
    _status(api, carrier, carrier.placed[0], "busy")
    retry = carrier.released["tok-1"]
    clock.freeze(clock.now() + timedelta(seconds=retry["wait_seconds"] + 1))
    run_step({"task_token": "tok-2", "step": retry})

    # Then the second call is the busy callee again
    assert (retry["next"], retry["attempt"], retry["target"]) == ("wait", 2, {"phone": ROWS[0][0],
                                                                             "sandbox_behaviour": "busy"})
    assert [call.sandbox_script["behaviour"] for call in carrier.placed] == ["busy", "busy"]


def test_a_real_carrier_gets_no_sandbox_script_whatever_the_row_named(api):
    from shared.dialer.placement import _outbound
    from shared.workflows.rule_book import RuleBook

    call = SimpleNamespace(id="call_1", tenant_id=1, target_phone="+14155550118", sandbox_behaviour="busy",
                           reason="campaign")
    workflow = SimpleNamespace(rule_book=RuleBook.model_construct(max_call_seconds=300))
    twilio = SimpleNamespace(name="twilio")

    outbound = _outbound(call, workflow, twilio)

    assert outbound.sandbox_script == {}


def test_dsr_exports_the_contacts_behaviour_and_erase_keeps_the_other_targets_behaviours(api, carrier):
    from shared.audience.service import iter_targets

    owner = sign_up_and_log_in(api)
    workflow = _workflow_with_audience(api, owner, CSV_FILE)
    erased_phone = ROWS[1][0]

    exported = api.post("/dsr/export", {"phone": erased_phone}, token=owner.token)
    erased = api.post("/dsr/erase", {"contact_identifier": erased_phone}, token=owner.token)

    assert exported.status == 200, exported.body
    assert [(row["phone_e164"], row["sandbox_behaviour"]) for row in exported.body["audience"]] == \
        [(erased_phone, "transfer")]
    assert erased.status == 200 and erased.body["deleted"]["audience"] == 1, erased.body
    assert [(target.phone_e164, target.sandbox_behaviour) for target in iter_targets(owner.tenant_id, workflow["id"])] \
        == [(phone, behaviour or None) for phone, behaviour in ROWS if phone != erased_phone]
