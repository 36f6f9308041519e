"""EventBridge Scheduler target: a callback's one-time schedule fired; screen it again and place its call."""

from typing import Any


def lambda_handler(event: dict, context: Any) -> dict:
    from shared.dialer.callback_calls import place_due

    # A callback moved to a later moment is re-armed to invoke this very function (it is not told its own ARN).
    return place_due(event, own_arn=getattr(context, "invoked_function_arn", None))
