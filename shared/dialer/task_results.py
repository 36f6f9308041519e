"""Releasing a dialer step that waits on its task token (Step Functions `SendTaskSuccess`)."""

from __future__ import annotations

import json
from typing import Any

from shared.platform.observability import get_logger

#: The step is not waiting any more (it timed out, or it was released already): nothing to do.
_GONE = ("TaskTimedOut", "TaskDoesNotExist", "InvalidToken")


def release(task_token: str, next_step: dict[str, Any]) -> None:
    from botocore.exceptions import ClientError

    from shared.platform.aws import client

    try:
        client("stepfunctions").send_task_success(taskToken=task_token, output=json.dumps(next_step))
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in _GONE:
            raise
        get_logger().info("dialer step was no longer waiting", extra={"error": error.response["Error"]["Code"]})
