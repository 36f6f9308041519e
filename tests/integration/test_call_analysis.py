"""Post-call analysis on moto (issue 13 §2): a connected call placed by the dialer, kept by the voice plane and
completed by the carrier gets one analysis job (whichever end-of-call write comes last), and the consumer stores the
analysis on the call (`GET /calls/{id}`) and announces `call.analyzed`; calls nobody spoke on get none; Claude is
asked through the tool schema of the rule book's fields, with the tenant's own key in byok mode; a failing Claude
falls back to the offline composer; a contact erased meanwhile gets no analysis."""

from __future__ import annotations

import base64
import json
import os

import pytest

from infra_local.queue_pollers import sqs_event
from shared.calls import repository as calls
from shared.calls.models import Utterance
from shared.platform.aws import client
from shared.platform.settings import get_settings, reset_settings
from tests.fakes.anthropic_api import FakeAnthropicApi
from tests.fakes.provider_validation import FakeProviderApis
from tests.integration.conftest import sign_up_and_log_in
from tests.integration.dialer_fixtures import ready_workflow, sandbox_numbers
from tests.integration.test_dialer_calls import Carrier, _dial_all, _manifest, _status
from tests.integration.webhook_fixtures import EVENTS_QUEUE, take, webhook_queues  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("webhook_queues")]

QUEUE = "call-analysis"
PHONE = sandbox_numbers(1, first=8)[0]
BUNDLED_KEY = "sk-ant-api03-platform-key-0000"
TENANT_KEY = "sk-ant-api03-tenant-key-7777"
SAID = [Utterance(speaker="agent", text="Hi, this is an AI assistant for Khata Cloud. This call is recorded.",
                  offset_ms=0),
        Utterance(speaker="contact", text="Is this a scam?", offset_ms=5200),
        Utterance(speaker="agent", text="Not at all. I can offer you 10% off your renewal.", offset_ms=7000),
        Utterance(speaker="contact", text="Okay, that sounds good. Sign me up.", offset_ms=11000)]
CLAUDE_ANSWER = {"summary": "The contact renewed with 10% off after asking whether the call was a scam.",
                 "sentiment": "Positive", "interested": True, "callback_requested_at": None,
                 "concession_percent": 10, "objections": ["Worried it was a scam"], "next_step": "Send the invoice.",
                 "not_asked_for": "dropped"}


@pytest.fixture
def analysis_queue(api, monkeypatch):
    url = client("sqs").create_queue(QueueName=QUEUE)["QueueUrl"]
    monkeypatch.setenv("CALL_ANALYSIS_QUEUE_URL", url)
    reset_settings()
    take(QUEUE)
    yield url
    monkeypatch.undo()
    reset_settings()


@pytest.fixture
def placed(api, analysis_queue, monkeypatch):
    """A sandbox campaign's call to a callee who converts, placed by the dialer and answered."""
    from shared.platform import clock
    from tests.integration.dialer_fixtures import CALLABLE_MOMENT

    clock.freeze(CALLABLE_MOMENT)
    carrier = Carrier(monkeypatch)
    owner = sign_up_and_log_in(api)
    workflow = ready_workflow(api, owner, [PHONE])
    run = api.post(f"/workflows/{workflow['id']}/run", token=owner.token).body
    step = {"tenant_id": owner.tenant_id, "run_id": run["run_id"], "workflow_id": workflow["id"], "segment": 1}
    _dial_all(step, _manifest(step)[1])
    (call,) = carrier.placed
    assert carrier.post(api, call.voice_url, {"CallSid": "SBx"}).status == 200  # answered: streamed
    take(EVENTS_QUEUE)
    yield {"owner": owner, "carrier": carrier, "call": call, "call_id": call.call_id}
    clock.freeze(None)


def _voice_plane_ends(placed, utterances=SAID, *, outcome="converted", answered_by="human") -> None:
    """What the voice plane writes: the outcome when the conversation decides it, then the end-of-call record."""
    from shared.calls.conversation_record import keep

    owner = placed["owner"]
    calls.update(owner.tenant_id, placed["call_id"], outcome=outcome, answered_by=answered_by,
                 objections=["Is this a scam?"])
    keep(owner.tenant_id, placed["call_id"], utterances=utterances, turn_latencies_ms=[640], audio=None)


def _carrier_completes(api, placed) -> None:
    _status(api, placed["carrier"], placed["call"], "completed", CallDuration="42")


def _jobs() -> list[dict]:
    return [message.json for message in take(QUEUE)]


def _consume(jobs: list[dict]) -> dict:
    """The consumer's Lambda entry point with these jobs as one SQS batch, as the event source mapping sends it."""
    from functions.call_analysis.handler import lambda_handler

    messages = [{"MessageId": f"m{index}", "ReceiptHandle": f"r{index}", "Body": json.dumps(job)}
                for index, job in enumerate(jobs)]
    return lambda_handler(sqs_event(messages, queue_arn="arn:aws:sqs:us-east-1:123456789012:call-analysis",
                                    region="us-east-1"), None)


def _analysed_events() -> list[dict]:
    return [message.json for message in take(EVENTS_QUEUE) if message.json["type"] == "call.analyzed"]


def _detail(api, placed) -> dict:
    reply = api.get(f"/calls/{placed['call_id']}", token=placed["owner"].token)
    assert reply.status == 200, reply.body
    return reply.body


@pytest.mark.parametrize("carrier_first", [False, True], ids=["voice-plane-then-carrier", "carrier-then-voice-plane"])
def test_a_connected_call_gets_one_analysis_job_and_the_consumer_keeps_and_announces_it(api, placed, carrier_first):
    owner = placed["owner"]
    assert _detail(api, placed)["analysis"] is None

    if carrier_first:
        _carrier_completes(api, placed)
        _voice_plane_ends(placed)
    else:
        _voice_plane_ends(placed)
        _carrier_completes(api, placed)
    jobs = _jobs()
    answer = _consume(jobs)

    assert jobs == [{"tenant_id": owner.tenant_id, "call_id": placed["call_id"]}]
    assert answer == {"batchItemFailures": []}
    analysis = _detail(api, placed)["analysis"]
    assert (analysis["generator"], analysis["model"], analysis["fallback_reason"]) == ("offline-composer", None, None)
    fields = analysis["fields"]
    assert list(fields) == ["summary", "sentiment", "interested", "callback_requested_at", "concession_percent",
                            "objections", "next_step"]
    assert fields["summary"].startswith("The contact agreed to go ahead. Objections raised: Is this a scam?")
    assert (fields["sentiment"], fields["interested"], fields["concession_percent"]) == ("positive", True, 10)
    assert fields["objections"] == ["Is this a scam?"] and fields["callback_requested_at"] is None
    (event,) = _analysed_events()
    assert (event["tenant_id"], event["data"]["call_id"], event["data"]["analysis"]) == (
        owner.tenant_id, placed["call_id"], fields)
    assert event["data"]["to"] == PHONE and event["data"]["outcome"] == "converted"


def test_a_redelivered_job_changes_nothing_and_announces_nothing(api, placed):
    _voice_plane_ends(placed)
    _carrier_completes(api, placed)
    jobs = _jobs()
    _consume(jobs)
    first = _detail(api, placed)["analysis"]
    _analysed_events()

    _consume(jobs + jobs)

    assert _detail(api, placed)["analysis"] == first
    assert _analysed_events() == []


def test_an_answering_machine_gets_no_analysis(api, placed):
    _voice_plane_ends(placed, [Utterance(speaker="agent", text="Hi, this is an AI assistant. Call us back.",
                                         offset_ms=0)], outcome="voicemail", answered_by="machine")
    _carrier_completes(api, placed)

    assert _jobs() == []
    assert _consume([{"tenant_id": placed["owner"].tenant_id, "call_id": placed["call_id"]}]) == {
        "batchItemFailures": []}
    assert _detail(api, placed)["analysis"] is None and _analysed_events() == []


def test_a_call_that_ended_before_the_voice_plane_kept_anything_is_not_analysed_yet(api, placed):
    _carrier_completes(api, placed)

    assert _jobs() == []
    _consume([{"tenant_id": placed["owner"].tenant_id, "call_id": placed["call_id"]}])
    assert _detail(api, placed)["analysis"] is None


def test_a_contact_erased_while_the_call_was_analysed_gets_no_analysis(api, placed, monkeypatch):
    from shared.call_analysis import composer

    _voice_plane_ends(placed)
    _carrier_completes(api, placed)
    compose = composer.OfflineAnalysisComposer.analyze

    def erased_meanwhile(self, request):
        assert api.post("/dsr/erase", {"phone": PHONE}, token=placed["owner"].token).status == 200
        return compose(self, request)

    monkeypatch.setattr(composer.OfflineAnalysisComposer, "analyze", erased_meanwhile)
    _consume(_jobs())

    assert _detail(api, placed)["analysis"] is None and _analysed_events() == []


# --- Claude ----------------------------------------------------------------------------------------------------

@pytest.fixture
def claude(placed, monkeypatch):
    """The call was placed on Twilio (a real carrier: no sandbox composer), and Claude is this fake."""
    calls.update(placed["owner"].tenant_id, placed["call_id"], provider="twilio")
    with FakeAnthropicApi() as fake:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.base_url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", BUNDLED_KEY)
        reset_settings()
        yield fake
    reset_settings()


def test_claude_fills_the_rule_books_fields_through_the_tool_schema(api, placed, claude):
    from shared.call_analysis.models import answer_schema
    from shared.workflows.rule_book import default_analysis_fields

    claude.answer_tool(CLAUDE_ANSWER, name="record_call_analysis")
    _voice_plane_ends(placed)
    _carrier_completes(api, placed)

    _consume(_jobs())

    (sent,) = claude.requests
    assert sent.path == "/v1/messages" and sent.headers["authorization"] == f"Bearer {BUNDLED_KEY}"
    assert sent.body["model"] == get_settings().anthropic_analysis_model
    (tool,) = sent.body["tools"]
    assert tool["name"] == "record_call_analysis" and tool["input_schema"] == answer_schema(default_analysis_fields())
    assert sent.body["tool_choice"] == {"type": "tool", "name": "record_call_analysis"}
    assert "Contact: Okay, that sounds good. Sign me up." in sent.body["messages"][0]["content"]
    analysis = _detail(api, placed)["analysis"]
    assert (analysis["generator"], analysis["model"]) == ("anthropic", get_settings().anthropic_analysis_model)
    assert analysis["fields"] == {**{name: value for name, value in CLAUDE_ANSWER.items() if name != "not_asked_for"},
                                  "sentiment": "positive"}
    (event,) = _analysed_events()
    assert event["data"]["generator"] == "anthropic" and event["data"]["analysis"] == analysis["fields"]


def test_a_byok_tenant_s_own_anthropic_key_is_used(api, placed, claude, monkeypatch):
    monkeypatch.setenv("CALLFUNNEL_LOCAL_MEK", base64.b64encode(os.urandom(32)).decode())
    monkeypatch.delenv("CREDENTIALS_KMS_KEY_ID", raising=False)
    reset_settings()
    owner = placed["owner"]
    with FakeProviderApis() as validation:
        validation.point_validation_here(monkeypatch)
        validation.accepted_secrets.add(TENANT_KEY)
        assert api.request("PUT", "/onboarding/mode", json_body={"mode": "byok"}, token=owner.token).status == 200
        saved = api.request("PUT", "/onboarding/credentials/anthropic", json_body={"secret": TENANT_KEY},
                            token=owner.token)
        assert saved.status == 200 and saved.body["validated"] is True, saved.body
    claude.answer_tool(CLAUDE_ANSWER, name="record_call_analysis")
    _voice_plane_ends(placed)
    _carrier_completes(api, placed)

    _consume(_jobs())

    assert [request.headers["authorization"] for request in claude.requests] == [f"Bearer {TENANT_KEY}"]
    assert _detail(api, placed)["analysis"]["generator"] == "anthropic"


def test_when_claude_refuses_the_offline_composer_answers_and_says_why(api, placed, claude):
    claude.answer_status(400)
    _voice_plane_ends(placed)
    _carrier_completes(api, placed)

    _consume(_jobs())

    analysis = _detail(api, placed)["analysis"]
    assert (analysis["generator"], analysis["fallback_reason"]) == ("offline-composer", "LLM_REQUEST_REJECTED")
    assert analysis["fields"]["sentiment"] == "positive"


def test_a_call_on_the_sandbox_carrier_never_spends_on_claude(api, placed, claude):
    calls.update(placed["owner"].tenant_id, placed["call_id"], provider="sandbox")
    _voice_plane_ends(placed)
    _carrier_completes(api, placed)

    _consume(_jobs())

    assert claude.requests == [] and _detail(api, placed)["analysis"]["generator"] == "offline-composer"


# --- Data-subject requests ----------------------------------------------------------------------------------------

def _analysed(api, placed) -> dict:
    _voice_plane_ends(placed)
    _carrier_completes(api, placed)
    _consume(_jobs())
    return _detail(api, placed)["analysis"]


def test_a_contacts_export_holds_the_analysis_of_its_calls(api, placed):
    analysis = _analysed(api, placed)

    reply = api.post("/dsr/export", {"phone": PHONE}, token=placed["owner"].token)

    assert reply.status == 200, reply.body
    (exported,) = reply.body["calls"]
    assert exported["analysis"] == analysis and analysis["fields"]["summary"]


def test_erasing_the_contact_erases_the_analysis_of_its_calls(api, placed):
    _analysed(api, placed)
    owner = placed["owner"]

    erased = api.post("/dsr/erase", {"phone": PHONE}, token=owner.token)

    assert erased.status == 200 and erased.body["pseudonymised"]["calls"] == 1
    assert calls.get(owner.tenant_id, placed["call_id"]).analysis is None
    assert _detail(api, placed)["analysis"] is None
    _consume([{"tenant_id": owner.tenant_id, "call_id": placed["call_id"]}])  # a late job brings nothing back
    assert calls.get(owner.tenant_id, placed["call_id"]).analysis is None
