"""Orchestration: the port for the workflow engine (Step Functions) and the scheduler (EventBridge Scheduler).

The dialer starts one execution per run segment and releases a step that waits on its task token; a
scheduled workflow has one schedule that starts its runs. The adapter (`aws.AwsOrchestrator`, boto3; moto
locally) turns the SDK's errors into the exceptions below, so services never catch botocore errors.
Services get one through `shared.providers.orchestration.selection.get_orchestrator()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from shared.platform.errors import Unavailable


class OrchestrationUnavailable(Unavailable):
    """The workflow engine or the scheduler refused or failed the request (the caller decides what it means)."""

    default_code = "ORCHESTRATION_UNAVAILABLE"


@dataclass(frozen=True)
class Schedule:
    """A schedule that invokes `target_arn` (with `role_arn`) with `input` at `expression`: recurring (`cron(...)`),
    or once (`at(...)`, then deleted by the service when `delete_after_completion`)."""

    name: str
    group: str
    expression: str  # e.g. "cron(30 9 ? * MON-FRI *)"
    timezone: str  # IANA zone the expression is read in
    target_arn: str
    role_arn: str
    input: dict[str, Any]
    delete_after_completion: bool = False


class Orchestrator(Protocol):
    def start_execution(self, state_machine_arn: str, name: str, execution_input: dict[str, Any]) -> None:
        """Start a named execution (a name already used is refused). Raises OrchestrationUnavailable."""

    def release_task(self, task_token: str, output: dict[str, Any]) -> bool:
        """Let the step waiting on `task_token` go on with `output`. False when it no longer waits (timed
        out, or released already); raises OrchestrationUnavailable on any other failure."""

    def put_schedule(self, schedule: Schedule) -> None:
        """Create the schedule, or update the one of that name. Raises OrchestrationUnavailable."""

    def delete_schedule(self, name: str, group: str) -> None:
        """Delete the schedule; one that does not exist is already deleted. Raises OrchestrationUnavailable."""
