"""The carrier's wire format for one media stream: Twilio Media Streams (μ-law 8 kHz, JSON frames) and Exotel's
bidirectional stream, the Voicebot applet (16-bit little-endian PCM 8 kHz, base64, JSON frames).

`MediaStream.carrier` names the socket's carrier (the path the carrier connected to: `/media/twilio`,
`/media/exotel`); the pipeline asks this module for the serializer and the size of the audio it sends, and never
names a carrier itself. Both serializers turn an interruption into the carrier's `clear` (barge-in) and a keypad
press into a DTMF frame.
"""

from __future__ import annotations

from pipecat.serializers.base_serializer import FrameSerializer
from pipecat.serializers.exotel import ExotelFrameSerializer
from pipecat.serializers.twilio import TwilioFrameSerializer

from voice.call_context import MediaStream

#: Pipecat's default: the transport writes 40 ms of agent audio a message (Twilio takes any size).
TWILIO_AUDIO_OUT_10MS_CHUNKS = 4
#: Exotel asks for outbound media in chunks of at least 100 ms, in multiples of 320 bytes (20 ms of 16-bit 8 kHz
#: PCM); smaller chunks play with gaps. 100 ms of 8 kHz 16-bit is 1,600 bytes.
EXOTEL_AUDIO_OUT_10MS_CHUNKS = 10


def serializer_for(stream: MediaStream) -> FrameSerializer:
    if stream.carrier == "twilio":
        # Hanging up is the control plane's (status callbacks, billing); the pipeline only closes its stream.
        return TwilioFrameSerializer(stream_sid=stream.stream_sid, call_sid=stream.carrier_call_sid,
                                     params=TwilioFrameSerializer.InputParams(auto_hang_up=False))
    if stream.carrier == "exotel":
        # Exotel's serializer never hangs up (the call leaves the applet when the socket closes).
        return ExotelFrameSerializer(stream_sid=stream.stream_sid, call_sid=stream.carrier_call_sid)
    raise ValueError(f"no serializer for carrier {stream.carrier!r}")


def audio_out_10ms_chunks(stream: MediaStream) -> int:
    """How much agent audio the transport puts in one media message, in 10 ms units."""
    return EXOTEL_AUDIO_OUT_10MS_CHUNKS if stream.carrier == "exotel" else TWILIO_AUDIO_OUT_10MS_CHUNKS
