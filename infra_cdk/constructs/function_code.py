"""The one code asset every function shares: `functions/` and `shared/`, nothing else of the repo."""

from __future__ import annotations

from aws_cdk import IgnoreMode
from aws_cdk import aws_lambda as lambda_

from infra_cdk.deployment_settings import REPO_ROOT

# gitignore syntax: drop every top-level entry (.venv, cdk.out, tests, infra_*, ...) so hashing never
# walks into them, then bring back the two packages the handlers import.
_ONLY_APP_PACKAGES = ["/*", "!/functions/", "!/shared/", "__pycache__/", "*.pyc", ".*"]


def function_code() -> lambda_.Code:
    """Build it once and pass it to every function: CDK then stages and uploads one asset."""
    return lambda_.Code.from_asset(str(REPO_ROOT), exclude=_ONLY_APP_PACKAGES, ignore_mode=IgnoreMode.GIT)
