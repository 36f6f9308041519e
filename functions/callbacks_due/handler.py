"""EventBridge Scheduler target: a callback's one-time schedule fired; screen it again and place its call."""

from typing import Any


def lambda_handler(event: dict, context: Any) -> dict:
    from shared.dialer.callback_calls import place_due

    return place_due(event)
