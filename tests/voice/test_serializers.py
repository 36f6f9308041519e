"""Each carrier's wire format for the two messages barge-in and keypad presses depend on."""

from __future__ import annotations

import asyncio
import json

import pytest
from pipecat.frames.frames import InputDTMFFrame, InterruptionFrame

from voice.call_context import MediaStream
from voice.serializers import audio_out_10ms_chunks, serializer_for


def exotel_stream() -> MediaStream:
    return MediaStream(stream_sid="a7f1c2d3e4b5a6978812", carrier_call_sid="b3c4d5e6", carrier="exotel")


def test_an_interruption_clears_exotels_buffer_of_this_stream() -> None:
    message = asyncio.run(serializer_for(exotel_stream()).serialize(InterruptionFrame()))

    assert json.loads(message) == {"event": "clear", "stream_sid": "a7f1c2d3e4b5a6978812"}


def test_an_exotel_keypad_press_becomes_a_dtmf_frame() -> None:
    frame = asyncio.run(serializer_for(exotel_stream()).deserialize(json.dumps({
        "event": "dtmf", "sequence_number": "7", "stream_sid": "a7f1c2d3e4b5a6978812",
        "dtmf": {"digit": "5", "duration": "100"}})))

    assert isinstance(frame, InputDTMFFrame) and frame.button.value == "5"


def test_exotel_gets_agent_audio_in_100_ms_messages_and_twilio_in_pipecats_40_ms() -> None:
    assert audio_out_10ms_chunks(exotel_stream()) == 10
    assert audio_out_10ms_chunks(MediaStream(stream_sid="MZ1", carrier_call_sid="CA1")) == 4


def test_an_unknown_carrier_has_no_serializer() -> None:
    with pytest.raises(ValueError, match="plivo"):
        serializer_for(MediaStream(stream_sid="s", carrier_call_sid=None, carrier="plivo"))
