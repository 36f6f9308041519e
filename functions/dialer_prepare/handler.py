"""Dialer state machine, step 1: the run's screened targets as an S3 manifest for the Distributed Map."""

from typing import Any


def lambda_handler(event: dict, context: Any) -> dict:
    from shared.dialer.manifest import prepare

    return prepare(event)
