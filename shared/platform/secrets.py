"""Secrets Manager: a secret's string, for settings that name a secret by ARN instead of holding it."""

from __future__ import annotations

from shared.platform.aws import client


def secret_string(secret_arn: str) -> str:
    return client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"]
