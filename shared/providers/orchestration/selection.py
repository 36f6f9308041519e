"""Which orchestrator runs: AWS (Step Functions + EventBridge Scheduler) everywhere; the local stack points
boto3 at moto, and tests may swap in a fake by patching `get_orchestrator`."""

from __future__ import annotations

from functools import lru_cache

from shared.providers.orchestration.aws import AwsOrchestrator
from shared.providers.orchestration.port import Orchestrator


@lru_cache(maxsize=1)
def get_orchestrator() -> Orchestrator:
    return AwsOrchestrator()
