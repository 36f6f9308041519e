"""The console's webhook form offers exactly the events the API can send (besides `webhook.test`, which its "Send a
test event" button sends): a type added to the catalogue without the console knowing it fails here."""

from __future__ import annotations

import re
from pathlib import Path

from shared.platform.events import EVENT_TYPES
from shared.webhooks.models import TEST_EVENT_TYPE

CONSOLE_EVENTS = Path(__file__).resolve().parents[2] / "console" / "src" / "pages" / "webhookEvents.ts"


def test_the_console_offers_every_subscribable_event_type_and_no_other() -> None:
    offered = re.findall(r'^\s*\["([a-z_]+\.[a-z_]+)", "', CONSOLE_EVENTS.read_text(encoding="utf-8"), re.MULTILINE)

    assert len(offered) == len(set(offered))
    assert set(offered) == set(EVENT_TYPES) - {TEST_EVENT_TYPE}
