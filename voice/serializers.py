"""The carrier's wire format for one media stream: Twilio Media Streams (μ-law 8 kHz, JSON frames); Exotel's
bidirectional stream (the Voicebot applet) is added beside it.

`MediaStream.carrier` names the socket's carrier (the path the carrier connected to: `/media/twilio`); the
pipeline asks this module for the serializer and never names a carrier itself.
"""

from __future__ import annotations

from pipecat.serializers.base_serializer import FrameSerializer
from pipecat.serializers.twilio import TwilioFrameSerializer

from voice.call_context import MediaStream


def serializer_for(stream: MediaStream) -> FrameSerializer:
    if stream.carrier == "twilio":
        # Hanging up is the control plane's (status callbacks, billing); the pipeline only closes its stream.
        return TwilioFrameSerializer(stream_sid=stream.stream_sid, call_sid=stream.carrier_call_sid,
                                     params=TwilioFrameSerializer.InputParams(auto_hang_up=False))
    raise ValueError(f"no serializer for carrier {stream.carrier!r}")
