"""Dialer state machine, last step: close the run and free the workflow."""

from typing import Any


def lambda_handler(event: dict, context: Any) -> dict:
    from shared.dialer.runs import finish

    return finish(event)
