"""Releasing a dialer step that waits on its task token (Step Functions `SendTaskSuccess`, through the
orchestration port: a step that no longer waits is logged there and is not an error)."""

from __future__ import annotations

from typing import Any

from shared.providers.orchestration.selection import get_orchestrator


def release(task_token: str, next_step: dict[str, Any]) -> None:
    get_orchestrator().release_task(task_token, next_step)
