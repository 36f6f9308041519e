"""Step Functions and EventBridge Scheduler through boto3 (moto's in the local stack and the tests).

The only code that calls those two services: every botocore error ends here, as OrchestrationUnavailable
(or as the answer the port promises, e.g. a task that no longer waits).
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from shared.platform.aws import client
from shared.platform.observability import get_logger
from shared.providers.orchestration.port import OrchestrationUnavailable, Schedule

#: The step is not waiting any more (it timed out, or it was released already): nothing to do.
_GONE = ("TaskTimedOut", "TaskDoesNotExist", "InvalidToken")


def _code(error: Exception) -> str:
    return error.response.get("Error", {}).get("Code", "") if isinstance(error, ClientError) else type(error).__name__


class AwsOrchestrator:
    def start_execution(self, state_machine_arn: str, name: str, execution_input: dict[str, Any]) -> None:
        try:
            client("stepfunctions").start_execution(stateMachineArn=state_machine_arn, name=name,
                                                    input=json.dumps(execution_input))
        except (ClientError, BotoCoreError) as error:
            raise OrchestrationUnavailable(f"The execution could not start ({_code(error)})") from error

    def release_task(self, task_token: str, output: dict[str, Any]) -> bool:
        try:
            client("stepfunctions").send_task_success(taskToken=task_token, output=json.dumps(output))
        except (ClientError, BotoCoreError) as error:
            if _code(error) not in _GONE:
                raise OrchestrationUnavailable(f"The waiting step could not be released ({_code(error)})") from error
            get_logger().info("dialer step was no longer waiting", extra={"error": _code(error)})
            return False
        return True

    def put_schedule(self, schedule: Schedule) -> None:
        scheduler = client("scheduler")
        request = {
            "Name": schedule.name, "GroupName": schedule.group,
            "ScheduleExpression": schedule.expression,
            "ScheduleExpressionTimezone": schedule.timezone,
            "FlexibleTimeWindow": {"Mode": "OFF"}, "State": "ENABLED",
            "Target": {"Arn": schedule.target_arn, "RoleArn": schedule.role_arn,
                       "Input": json.dumps(schedule.input)},
        }
        if schedule.delete_after_completion:
            request["ActionAfterCompletion"] = "DELETE"
        try:
            try:
                scheduler.create_schedule(**request)
            except scheduler.exceptions.ConflictException:
                scheduler.update_schedule(**request)
        except (ClientError, BotoCoreError) as error:
            raise OrchestrationUnavailable(f"The schedule could not be saved ({_code(error)})") from error

    def delete_schedule(self, name: str, group: str) -> None:
        scheduler = client("scheduler")
        try:
            scheduler.delete_schedule(Name=name, GroupName=group)
        except scheduler.exceptions.ResourceNotFoundException:
            return
        except (ClientError, BotoCoreError) as error:
            raise OrchestrationUnavailable(f"The schedule could not be deleted ({_code(error)})") from error
