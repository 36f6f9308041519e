"""What each sandbox callee has started to say, by our call id: the sandbox carrier writes it, the voice plane reads it.

The sandbox STT stand-in does not recognise speech: it hears *when* the callee spoke (the production VAD on the
carrier's audio) and transcribes each utterance as the lines registered here since its last transcript. This is
`voice.sandbox.callee_lines.CalleeLines` (`spoken(call_id)`), implemented in the one `python -m infra_local`
process that runs both the carrier and the voice plane. Local only.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

#: Calls remembered; the oldest are forgotten first (a campaign of thousands must not grow memory forever).
CALLS_KEPT = 2000


class CalleeLineRegistry:
    def __init__(self, calls_kept: int = CALLS_KEPT) -> None:
        self._lines: OrderedDict[str, list[str]] = OrderedDict()
        self._calls_kept = calls_kept
        self._lock = threading.Lock()

    def started(self, call_id: str, line: str) -> None:
        """The callee of `call_id` starts saying `line` (its audio is streaming from now on)."""
        with self._lock:
            self._lines.setdefault(call_id, []).append(line)
            self._lines.move_to_end(call_id)
            while len(self._lines) > self._calls_kept:
                self._lines.popitem(last=False)

    def spoken(self, call_id: str) -> tuple[str, ...]:
        """Every line this call's callee has started to say, in order (empty for an unknown call)."""
        with self._lock:
            return tuple(self._lines.get(call_id, ()))
