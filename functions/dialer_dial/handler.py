"""Dialer state machine, the step per target (a `.waitForTaskToken` task): check, then place the call."""

from typing import Any


def lambda_handler(event: dict, context: Any) -> dict:
    from shared.dialer.dial import run_step

    run_step(event)
    return {}
