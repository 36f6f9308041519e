"""The voice plane's `ActiveCalls` gauge on CloudWatch: what the Fargate service's target tracking averages.

infra_cdk/constructs/voice_plane.py tracks the Average of this metric under one dimension, `Stack=<stack>`, and
tells each task the namespace and the stack in its environment (VOICE_METRICS_NAMESPACE / VOICE_METRICS_STACK);
tests/infra/test_voice_plane.py checks that the datapoint built here is the one the policy tracks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.platform.aws import client
from shared.platform.settings import get_settings

ACTIVE_CALLS_METRIC = "ActiveCalls"
STACK_DIMENSION = "Stack"


@dataclass(frozen=True)
class ActiveCallsGauge:
    namespace: str
    stack: str

    def datum(self, count: int) -> dict[str, Any]:
        return {"MetricName": ACTIVE_CALLS_METRIC, "Dimensions": [{"Name": STACK_DIMENSION, "Value": self.stack}],
                "Value": float(count), "Unit": "Count"}

    def publish(self, count: int) -> None:
        """One datapoint now (blocking: boto3); a botocore error is the caller's to log."""
        client("cloudwatch").put_metric_data(Namespace=self.namespace, MetricData=[self.datum(count)])


def active_calls_gauge() -> ActiveCallsGauge | None:
    """The gauge the settings describe, or None when publishing is off (no namespace)."""
    settings = get_settings()
    if not settings.voice_metrics_namespace:
        return None
    return ActiveCallsGauge(namespace=settings.voice_metrics_namespace, stack=settings.voice_metrics_stack)
