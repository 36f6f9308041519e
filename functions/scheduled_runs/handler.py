"""EventBridge Scheduler target: a daily/weekdays workflow's schedule fired; start its run."""

from typing import Any


def lambda_handler(event: dict, context: Any) -> dict:
    from shared.dialer.runs import start_scheduled

    return start_scheduled(event)
