"""Warm transfers in the voice plane: a callee asking for a person is connected (the agent says so, the transfer is
asked for with the conversation, the outcome written, the stream closed) when the rule book names a number — else a
callback is offered; the model's `transfer_to_human` goes through the same rule; an approval decided "transfer"
transfers the holding callee; a call streamed back after an unanswered transfer takes a message and proposes a
callback; on Exotel (no dial after the stream) the agent takes the message at once. The first two through the whole
voice plane (real socket, serializer, VAD, turn detection), the others frame by frame."""

from __future__ import annotations

import asyncio

import pytest
from pipecat.processors.aggregators.llm_context import LLMContext

from shared.conversation import engine
from shared.workflows.rule_book import TransferPolicy
from tests.voice.call_harness import CallHarness
from tests.voice.recording_effects import RecordingEffects
from tests.voice.test_brain import FAST, RULE_BOOK, a_call, conversation, run, with_concessions
from tests.voice.test_media_stream import (  # noqa: F401 (fixtures)
    CALL_ID,
    opener_played,
    token,
    voice_plane,
)
from tests.voice.twilio_callee import TwilioCallee, speech
from voice.brain import ConversationBrain
from voice.call_context import MediaStream

ASKS_FOR_PERSON = "Can I speak to a real person, please?"
MESSAGE = "Please ask Sam to call me about the invoice tomorrow."
TRANSFERRING = RULE_BOOK.model_copy(update={"transfer_policy": TransferPolicy(number="+14155550123")})


def _transferring(rule_book):
    return rule_book.model_copy(update={"transfer_policy": TransferPolicy(number="+14155550123")})


# --- Through the whole voice plane --------------------------------------------------------------------------------

@pytest.mark.parametrize("voice_plane", [{"callee_lines": [ASKS_FOR_PERSON], "tts_seconds_per_word": 0.02,
                                          "rule_book": TRANSFERRING}], indirect=True)
def test_a_callee_asking_for_a_person_is_told_they_are_being_connected_and_the_stream_closes_transfer_requested(
        voice_plane):  # noqa: F811 (the fixture)
    async def call() -> TwilioCallee:
        callee = TwilioCallee(voice_plane.url())
        await callee.open({"token": token(), "call_id": CALL_ID})
        await opener_played(callee)
        await callee.say(speech("tell_me_more"), then_silence_seconds=0.3)  # heard as the callee's line
        assert await callee.closed(timeout=15) is not None  # the voice plane closed the stream: the carrier dials
        await callee.close()
        return callee

    asyncio.run(call())

    effects = voice_plane.effects
    assert [reason for reason, _ in effects.transfers] == ["asked to speak to a person"]
    assert effects.transfers[0][1] == [ASKS_FOR_PERSON]  # the whisper is written from the conversation
    assert effects.recorded("outcome") == ["transferred"]
    assert engine.CONNECTING in voice_plane.cartesia.transcripts_joined()
    assert voice_plane.claude.requests == []  # the rules answered the turn before any model


@pytest.mark.parametrize("voice_plane", [{"callee_lines": [MESSAGE], "tts_seconds_per_word": 0.02,
                                          "rule_book": TRANSFERRING}], indirect=True)
def test_back_from_an_unanswered_transfer_the_agent_apologises_takes_a_message_and_proposes_a_callback(
        voice_plane):  # noqa: F811 (the fixture)
    async def call() -> TwilioCallee:
        callee = TwilioCallee(voice_plane.url())
        await callee.open({"token": token(), "call_id": CALL_ID, "transfer": "no_answer"})
        await opener_played(callee)
        await callee.say(speech("tell_me_more"), then_silence_seconds=0.3)
        assert await callee.closed(timeout=15) is not None
        await callee.close()
        return callee

    asyncio.run(call())

    spoken = voice_plane.cartesia.transcripts_joined()
    effects = voice_plane.effects
    assert spoken.startswith(engine.TRANSFER_FAILED.split(",")[0])  # no second opener: the apology first
    assert effects.messages == [MESSAGE] and effects.callbacks == ["tomorrow"]
    assert effects.recorded("outcome") == ["callback"]
    assert voice_plane.claude.requests == []


# --- Frame by frame ------------------------------------------------------------------------------------------------

def test_without_a_transfer_number_the_callee_is_offered_a_callback_and_the_call_goes_on():
    effects = RecordingEffects()

    async def scenario():
        _, call = conversation(effects, RULE_BOOK)
        async with call:
            await call.after_the_opener(RULE_BOOK)
            await call.callee_says(ASKS_FOR_PERSON)
            assert await call.until(lambda: call.spoken()[-1] == engine.NO_TRANSFER_CALLBACK)
            await asyncio.sleep(0.1)
            assert not call.ended and call.model_turns() == 0

    run(scenario)
    assert effects.transfers == [] and effects.recorded("outcome") == []


def test_the_models_transfer_to_human_goes_through_the_same_rule():
    effects = RecordingEffects()

    async def scenario():
        brain, call = conversation(effects, TRANSFERRING)
        async with call:
            await call.after_the_opener(TRANSFERRING)
            told = await brain.transfer_to_human("billing dispute")
            assert "connected" in told
            assert await call.until(lambda: call.ended)

    run(scenario)
    assert [reason for reason, _ in effects.transfers] == ["billing dispute"]
    assert effects.recorded("outcome") == ["transferred"]


def test_the_models_transfer_without_a_number_offers_a_callback_instead():
    effects = RecordingEffects()

    async def scenario():
        brain, call = conversation(effects, RULE_BOOK)
        async with call:
            await call.after_the_opener(RULE_BOOK)
            told = await brain.transfer_to_human("wants a manager")
            assert told == f"Said to the callee: {engine.NO_TRANSFER_CALLBACK}"

    run(scenario)
    assert effects.transfers == []


def test_an_approval_decided_transfer_instead_transfers_the_holding_callee():
    rule_book = _transferring(with_concessions(auto=10, hard=30))
    effects = RecordingEffects()

    async def scenario():
        brain, call = conversation(effects, rule_book)
        async with call:
            await call.after_the_opener(rule_book)
            await call.callee_says("Can you do 15% off?")
            assert await call.until(lambda: brain.mode == "holding")
            effects.decisions["apr_concession_1"] = "transfer"
            assert await call.until(lambda: call.ended)

    run(scenario)
    assert [reason for reason, _ in effects.transfers] == ["a colleague chose to take over the call"]
    assert engine.CONNECTING in [text for kind, text in effects.timeline if kind == "say"]
    assert effects.recorded("outcome") == ["transferred"]


def test_on_exotel_the_agent_takes_a_message_at_once_instead_of_connecting():
    effects = RecordingEffects()
    exotel = a_call(TRANSFERRING)
    exotel = type(exotel)(**{**exotel.__dict__, "stream": MediaStream(stream_sid="S1", carrier_call_sid="C1",
                                                                      carrier="exotel")})

    async def scenario():
        context = LLMContext()
        brain = ConversationBrain(exotel, effects, timing=FAST, context=context)
        call = CallHarness(brain, context=context, timeline=effects.timeline, on_turn=brain.callee_turn_heard)
        async with call:
            await call.after_the_opener(TRANSFERRING)
            await call.callee_says(ASKS_FOR_PERSON)
            assert await call.until(lambda: call.spoken()[-1] == engine.TRANSFER_UNAVAILABLE)
            await call.agent_speaks()
            await call.callee_says(MESSAGE)
            assert await call.until(lambda: call.ended)

    run(scenario)
    spoken = [text for kind, text in effects.timeline if kind == "say"]
    assert engine.CONNECTING not in spoken
    assert effects.messages == [MESSAGE] and effects.callbacks == ["tomorrow"]
    assert effects.recorded("outcome") == ["callback"]


# --- The stored effects (moto) ------------------------------------------------------------------------------------

def test_the_stored_effect_writes_the_transfer_with_a_one_sentence_offline_whisper_once(table):
    from shared.calls import repository as calls
    from shared.conversation.models import Transcript
    from shared.platform import clock
    from tests.voice.stored_calls import a_stored_call
    from voice.call_context import CallContext
    from voice.effects import StoredCallEffects

    call_id = a_stored_call(7, provider="sandbox", rule_book=TRANSFERRING)
    call = CallContext(tenant_id=7, call_id=call_id, workflow_id="wf", run_id="run_voice", target_phone="+14155550123",
                       rule_book=TRANSFERRING, stream=MediaStream(stream_sid="MZ1", carrier_call_sid="SB1"),
                       provider="sandbox")
    transcript = Transcript().add("agent", "Hello, this is an AI call.", clock.now()).add(
        "callee", ASKS_FOR_PERSON, clock.now())

    first = StoredCallEffects().request_transfer(call, transcript, "asked to speak to a person")
    again = StoredCallEffects().request_transfer(call, transcript, "asked to speak to a person")

    transfer = calls.get(7, call_id).transfer
    assert (first, again) == ("requested", None)
    assert (transfer.status, transfer.to_last4) == ("requested", "0123")
    assert "…0123" in transfer.whisper and "asked to speak to a person" in transfer.whisper
    assert "Can I speak to a real person, please" in transfer.whisper
    assert transfer.whisper.count(".") == 1 and transfer.whisper.endswith(".")  # one sentence


def test_the_stream_after_an_unanswered_transfer_is_kept_after_the_calls_first_one_never_over_it(table):
    from datetime import timedelta

    from shared.calls import conversation_record
    from shared.calls import repository as calls
    from shared.calls.conversation_record import RecordedAudio
    from shared.calls.models import Utterance
    from shared.platform import clock
    from shared.platform.aws import client
    from shared.platform.settings import get_settings
    from tests.voice.stored_calls import a_stored_call

    call_id = a_stored_call(7, provider="sandbox", rule_book=TRANSFERRING)
    calls.update(7, call_id, answered_at=clock.now() - timedelta(seconds=40))
    first = [Utterance(speaker="agent", text="Hello, an AI call.", offset_ms=0),
             Utterance(speaker="callee", text=ASKS_FOR_PERSON, offset_ms=3000)]
    conversation_record.keep(7, call_id, utterances=first, turn_latencies_ms=[600],
                             audio=RecordedAudio(body=b"RIFFfirst", duration_ms=10_000))

    conversation_record.keep(7, call_id, utterances=[Utterance(speaker="callee", text=MESSAGE, offset_ms=4000)],
                             turn_latencies_ms=[700], audio=RecordedAudio(body=b"RIFFsecond", duration_ms=5000),
                             segment="after-transfer")

    kept = calls.get(7, call_id)
    assert [entry["text"] for entry in kept.transcript] == ["Hello, an AI call.", ASKS_FOR_PERSON, MESSAGE]
    assert kept.transcript[-1]["offset_ms"] >= 35_000 + 4000  # counted from the answer, after the first stream
    assert kept.turn_latencies_ms == [600, 700] and kept.recording.key.endswith("/call.wav")
    s3, bucket = client("s3"), get_settings().media_bucket
    prefix = f"recordings/7/{call_id}/"
    assert s3.get_object(Bucket=bucket, Key=f"{prefix}call.wav")["Body"].read() == b"RIFFfirst"
    assert s3.get_object(Bucket=bucket, Key=f"{prefix}after-transfer.wav")["Body"].read() == b"RIFFsecond"
