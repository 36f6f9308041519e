"""Logger, metrics and tracer from one place, created on first use (not at import time).

Structured keys used across the code: tenant_id, user_id, workflow_id, run_id, call_sid. Phone
numbers go through `mask_phone`; secrets, tokens and keys are never logged.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger, Metrics, Tracer

METRICS_NAMESPACE = "CallFunnel"


@lru_cache(maxsize=1)
def get_logger() -> "Logger":
    from aws_lambda_powertools import Logger

    from shared.platform.settings import get_settings

    return Logger(service=get_settings().service_name)


@lru_cache(maxsize=1)
def get_metrics() -> "Metrics":
    from aws_lambda_powertools import Metrics

    from shared.platform.settings import get_settings

    return Metrics(namespace=METRICS_NAMESPACE, service=get_settings().service_name)


@lru_cache(maxsize=1)
def get_tracer() -> "Tracer":
    from aws_lambda_powertools import Tracer

    from shared.platform.settings import get_settings

    return Tracer(service=get_settings().service_name, disabled=get_settings().is_local)


def count_business_event(name: str, value: int = 1) -> None:
    """One business metric per use case (signup, login, api_key_minted, ...)."""
    from aws_lambda_powertools.metrics import MetricUnit

    get_metrics().add_metric(name=name, unit=MetricUnit.Count, value=value)


def mask_phone(phone: str | None) -> str | None:
    """Keep the last 4 digits only: +919876543210 → ********3210."""
    if not phone:
        return phone
    return "*" * max(len(phone) - 4, 0) + phone[-4:]
