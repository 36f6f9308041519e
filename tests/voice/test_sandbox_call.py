"""A whole sandbox call through the real voice plane: the server, the token check, `load_call_context`, the
production pipeline (serializer, Silero VAD, smart-turn, aggregation, interruptions, recording) — with only the
providers replaced by the sandbox stand-ins (`voice_services(callee_lines=…)`), as the local stack runs it.

The test plays the sandbox carrier's callee: it registers each line the moment it starts streaming that line's
audio (espeak-ng, 8 kHz μ-law), and hears the agent's audio back.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Sequence

import pytest

from shared.calls import media_tokens
from shared.calls.models import Utterance
from shared.conversation.scripted_agent import THANKS
from tests.voice.conftest import UvicornThread
from tests.voice.speech import speech_ms, spoken
from tests.voice.stored_calls import a_rule_book, a_stored_call, kept_call
from tests.voice.twilio_callee import TwilioCallee
from voice.server import create_app
from voice.services import voice_services

TENANT_ID = 41
TELL_ME_MORE = "Okay, tell me more about it."
SIGN_ME_UP = "Yes, sign me up."


class CalleeRegistry:
    """The sandbox carrier's side of `CalleeLines`: the lines each callee has started to say."""

    def __init__(self) -> None:
        self.lines: dict[str, list[str]] = defaultdict(list)

    def spoken(self, call_id: str) -> Sequence[str]:
        return tuple(self.lines.get(call_id, ()))

    def say(self, call_id: str, line: str) -> None:
        self.lines[call_id].append(line)


@pytest.fixture(scope="module")
def sandbox_plane(table):
    registry = CalleeRegistry()
    with UvicornThread(create_app(services=lambda: voice_services(callee_lines=registry))) as server:
        yield registry, f"ws://127.0.0.1:{server.port}/media/twilio"


async def _quiet_after(callee: TwilioCallee, since: float, quiet_seconds: float, timeout: float) -> bool:
    """Wait until the agent has spoken after `since` and then gone quiet for `quiet_seconds`."""
    def spoke_then_quiet() -> bool:
        said = [frame.at for frame in callee.agent_audio() if frame.at > since]
        return bool(said) and time.monotonic() - said[-1] > quiet_seconds
    return await callee.wait_for(spoke_then_quiet, timeout=timeout)


def a_short_opener():
    """The composer's rule book with its disclosures said briefly (the opener holds the floor: it is heard whole)."""
    rule_book = a_rule_book()
    disclosures = rule_book.disclosures.model_copy(update={
        "ai_disclosure": "Hi, this is Amelia, an AI assistant for Khata Cloud.",
        "recording_notice": "This call is recorded."})
    return rule_book.model_copy(update={"disclosures": disclosures,
                                        "opener": f"{disclosures.ai_disclosure} {disclosures.recording_notice}"})


def test_a_sandbox_call_is_heard_answered_by_the_scripted_agent_and_ended_by_its_end_call(sandbox_plane):
    registry, url = sandbox_plane
    call_id = a_stored_call(TENANT_ID, provider="sandbox", rule_book=a_short_opener())

    async def call() -> tuple[TwilioCallee, int | None]:
        callee = TwilioCallee(url)
        await callee.open({"token": media_tokens.mint(TENANT_ID, call_id).token, "call_id": call_id})
        # The opener plays first, unprompted; the callee talks before it ends (heard once the opener is said).
        assert await callee.wait_for(lambda: len(callee.agent_audio()) > 0, timeout=10)
        await callee.silence(1.0)
        registry.say(call_id, TELL_ME_MORE)
        finished = await callee.say(spoken(TELL_ME_MORE), then_silence_seconds=0.5)
        # The scripted agent answers with its pitch, spoken by espeak-ng; the callee waits for it to end.
        assert await _quiet_after(callee, finished, quiet_seconds=0.6, timeout=30)
        registry.say(call_id, SIGN_ME_UP)
        await callee.say(spoken(SIGN_ME_UP), then_silence_seconds=0.3)
        code = await callee.closed(timeout=30)  # end_call: the farewell is spoken, then the voice plane hangs up
        await callee.close()
        return callee, code

    callee, close_code = asyncio.run(call())

    assert close_code is not None, "the voice plane never ended the call"
    kept = kept_call(TENANT_ID, call_id)
    said = [(line.speaker, line.text) for line in (Utterance.model_validate(entry) for entry in kept.transcript)]
    # The stand-in STT transcribed each utterance as the line the callee registered for it.
    assert [text for speaker, text in said if speaker == "contact"] == [TELL_ME_MORE, SIGN_ME_UP]
    # The scripted agent pitched the rule book's goal, then took the yes as a conversion: end_call's farewell.
    agent = [text for speaker, text in said if speaker == "agent"]
    assert "The reason I'm calling: renew the plan." in agent, said
    assert said[-1] == ("agent", THANKS), said
    assert kept.outcome == "converted"
    # What the callee heard is speech to the production VAD (Silero), not tones: seconds of it.
    heard_speech_ms = speech_ms(callee.heard())
    print(f"agent audio heard: {len(callee.heard()) / 8:.0f} ms, of which Silero calls {heard_speech_ms} ms speech; "
          f"turn latencies with the stand-ins {kept.turn_latencies_ms} ms")
    assert heard_speech_ms > 3000
