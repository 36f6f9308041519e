"""Answering machines, two ways: the carrier's verdict and the greeting's own words.

1. Twilio's asynchronous AMD (INTERFACES item 2): the call is placed with `DetectMessageEnd` and the verdict is
   posted to our AMD webhook, which records `answered_by` on the call. `watch_answered_by` reads it (one GetItem
   at a time, in a worker thread) every `every` seconds during the first seconds of the call.
2. For carriers without AMD (Exotel) or a verdict that never comes: `sounds_like_greeting` on what the callee
   said — a mailbox greeting says "leave a message", "after the tone", "not available"…
   Pipecat's VoicemailDetector was not used: it classifies the first words with an extra LLM call per call (a
   second model in parallel, and the agent's speech gated until it answers), which costs money and latency on
   every call to catch what a phrase list catches for free; the carrier's AMD covers the greetings without
   those phrases.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from shared.conversation import phrases

logger = logging.getLogger("callfunnel.voice")

GREETING_PHRASES: tuple[str, ...] = (
    "leave a message", "leave your message", "leave me a message", "leave a voicemail", "leave your name",
    "after the tone", "after the beep", "at the tone", "at the beep", "record your message", "not available",
    "unavailable", "can't come to the phone", "cannot come to the phone", "can't take your call",
    "cannot take your call", "can't answer", "you have reached", "you've reached", "voicemail", "voice mail",
    "mailbox", "please leave", "get back to you", "call you back as soon as", "is switched off", "not reachable",
    "abhi uplabdh nahi", "sandesh chhod", "beep ke baad",
)


def sounds_like_greeting(utterance: str) -> bool:
    spoken = f" {phrases.normalise(utterance)} "
    return any(f" {phrases.normalise(phrase)} " in spoken for phrase in GREETING_PHRASES)


def is_machine(answered_by: str | None) -> bool:
    """The carrier's AMD verdict (`machine_start`, `machine_end_beep`… or our `machine`), or a fax."""
    return bool(answered_by) and (answered_by.startswith("machine") or answered_by == "fax")


async def watch_answered_by(read: Callable[[], str | None], on_machine: Callable[[], Awaitable[None]], *,
                            every: float, for_seconds: float, still_watching: Callable[[], bool]) -> None:
    """Poll the recorded verdict until it says machine (then `on_machine`), the window closes, or the call no
    longer needs it. A "human" on the record does not stop the watch: the brain writes that itself once a
    person seems to speak, while the carrier's verdict may still be on its way."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + for_seconds
    while still_watching() and loop.time() < deadline:
        try:
            verdict = await asyncio.to_thread(read)
        except Exception:  # a failed read is retried on the next tick; the call goes on
            logger.warning("the call's answering-machine verdict could not be read", exc_info=True)
            verdict = None
        if is_machine(verdict) and still_watching():
            await on_machine()
            return
        await asyncio.sleep(every)
