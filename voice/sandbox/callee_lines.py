"""What the sandbox callee said: the one thing the sandbox STT stand-in cannot hear from the audio.

The stand-in recognises no speech. It hears *when* the callee speaks (the production VAD) and takes the words
from whoever plays the callee — the local sandbox carrier registers each line the moment it starts streaming
that line's audio, under our call id (the `call_id` custom parameter of the media stream).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class CalleeLines(Protocol):
    def spoken(self, call_id: str) -> Sequence[str]:
        """Every line this call's sandbox callee has started to say, in order (empty for an unknown call)."""
