"""The process environment of the laptop stack, set before any project code reads its settings."""

from __future__ import annotations

import base64
import os
import secrets
from dataclasses import dataclass

from functions.catalog import FUNCTIONS, queue_url_variable
from infra_local.sandbox_slack_workspaces import SANDBOX_SLACK_PATH

DEFAULT_PORT = 8000
DEFAULT_VOICE_PLANE_PORT = 8765
HOST = "127.0.0.1"
LOCAL_ACCOUNT_ID = "123456789012"  # moto's default account


@dataclass(frozen=True)
class LocalEnvironment:
    host: str
    port: int
    region: str
    account_id: str
    voice_plane_port: int = DEFAULT_VOICE_PLANE_PORT

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def voice_plane_url(self) -> str:
        return f"ws://{self.host}:{self.voice_plane_port}"


def prepare_environment() -> LocalEnvironment:
    """Fill in what the functions' settings need; values already in the environment win."""
    port = int(os.environ.get("PORT", DEFAULT_PORT))
    voice_plane_port = int(os.environ.get("VOICE_PLANE_PORT", DEFAULT_VOICE_PLANE_PORT))
    defaults = {
        "CALLFUNNEL_ENVIRONMENT": "local",
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "MOTO_ACCOUNT_ID": LOCAL_ACCOUNT_ID,
        "TABLE_NAME": "callfunnel-local",
        "MEDIA_BUCKET": "callfunnel-media-local",
        "EMAIL_SENDER": "no-reply@callfunnel.local",
        # Business metrics are CloudWatch EMF lines: noise on a laptop console.
        "POWERTOOLS_METRICS_DISABLED": "true",
        # Random per process: tokens die with the in-memory data they refer to.
        "JWT_SECRET": secrets.token_urlsafe(32),
    }
    defaults.update(_money_and_accounts_defaults())
    defaults.update(LOCAL_ABUSE_LIMITS)
    for name, value in defaults.items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("AWS_DEFAULT_REGION", os.environ["AWS_REGION"])
    region, account_id = os.environ["AWS_REGION"], os.environ["MOTO_ACCOUNT_ID"]
    # moto's queue URLs are deterministic: the functions are told them before any queue exists.
    for queue in catalog_queues():
        os.environ[queue_url_variable(queue)] = local_queue_url(queue, region=region, account_id=account_id)
    # Links in emails and webhook URLs must point at this very server.
    os.environ["PUBLIC_BASE_URL"] = f"http://{HOST}:{port}"
    _slack_environment(port)  # "Add to Slack" and the Web API go to the sandbox Slack of this very server
    # The same server answers on localhost: a console opened there may write with the session cookie too (CSRF).
    os.environ.setdefault("CSRF_TRUSTED_ORIGINS", f"http://localhost:{port}")
    _dialer_environment(port, region=region, account_id=account_id)
    # The voice webhook's <Connect><Stream url>: the voice plane this very process serves (infra_local/voice_plane.py).
    os.environ["VOICE_PLANE_PORT"] = str(voice_plane_port)
    os.environ["VOICE_PLANE_URL"] = f"ws://{HOST}:{voice_plane_port}"
    # BYOK key checks go to the real providers, unless asked to use the stack's stand-in (the tests do).
    if os.environ.get("SANDBOX_PROVIDER_VALIDATION", "").lower() == "true":
        os.environ["PROVIDER_VALIDATION_BASE_URL"] = f"http://{HOST}:{port}/_sandbox/providers"
    # moto in-process only intercepts AWS endpoints; a redirect or a profile would reach elsewhere.
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        os.environ.pop(name, None)
    return LocalEnvironment(HOST, port, region, account_id, voice_plane_port)


# --- Abuse limits: every client of a laptop stack is 127.0.0.1 ---

#: The per-IP limits, raised so a test suite can sign up, log in (and fail logins) for a few hundred tenants
#: from one address within minutes. Per-email lockouts stay as strict as in the cloud (shared.auth.abuse_limits).
LOCAL_ABUSE_LIMITS = {"LOGIN_IP_FAILURES_ALLOWED": "1000", "SIGNUPS_PER_IP": "5000", "PREVIEWS_PER_IP": "2000"}


# --- Money and accounts: queues, the local master key, the payments webhook secret ---

DEAD_LETTER_SUFFIX = "-dlq"


def _money_and_accounts_defaults() -> dict[str, str]:
    return {
        # BYOK credentials are envelope-encrypted under this key locally (no KMS): random per process,
        # like the in-memory data it protects. Set CALLFUNNEL_LOCAL_MEK to keep one across runs.
        "CALLFUNNEL_LOCAL_MEK": base64.b64encode(secrets.token_bytes(32)).decode("ascii"),
        # The sandbox processor signs its webhooks with it, and the webhook route verifies them.
        "PAYMENTS_WEBHOOK_SECRET": secrets.token_urlsafe(32),
    }


# --- The dialer (issue 5): the state machine, scheduled runs, the sandbox carrier, Slack clicks ---


def _dialer_environment(port: int, *, region: str, account_id: str) -> None:
    from infra_local.state_machines import (
        DIALER_STATE_MACHINE_NAME,
        SCHEDULER_ROLE_NAME,
        local_function_arn,
        local_role_arn,
        local_state_machine_arn,
    )

    # Deterministic in moto, like queue URLs: announced before bootstrap creates them.
    os.environ["DIALER_STATE_MACHINE_ARN"] = local_state_machine_arn(
        DIALER_STATE_MACHINE_NAME, region=region, account_id=account_id)
    os.environ["SCHEDULED_RUNS_FUNCTION_ARN"] = local_function_arn("scheduled_runs", region=region,
                                                                   account_id=account_id)
    os.environ["SCHEDULER_ROLE_ARN"] = local_role_arn(SCHEDULER_ROLE_NAME, account_id=account_id)
    os.environ["CALLBACKS_DUE_FUNCTION_ARN"] = local_function_arn("callbacks_due", region=region,
                                                                  account_id=account_id)
    # Calls are handed to this very server's simulated carrier (infra_local/sandbox_carrier.py).
    os.environ["SANDBOX_CARRIER_URL"] = f"http://{HOST}:{port}/_sandbox/carrier"
    # Retry spacing (30 min after a busy line, 2 h after no answer…) shrunk ~500× so a laptop run finishes in
    # minutes; waits for a calling window are scaled too (set DIALER_WAIT_SCALE=1 for real time).
    os.environ.setdefault("DIALER_WAIT_SCALE", "0.002")
    # The sandbox Slack page signs its clicks with it, and /slack/interactivity verifies them.
    os.environ.setdefault("SLACK_SIGNING_SECRET", secrets.token_hex(16))
    # Webhook retries shrunk 20×: the first retry after a failure within ~2 s, the ~24 h of retries in ~72 min
    # (a receiver's own Retry-After is still honoured as it says). WEBHOOK_RETRY_SCALE=1 for the cloud's schedule.
    os.environ.setdefault("WEBHOOK_RETRY_SCALE", "0.05")


# --- Each tenant's own Slack (issue 13) ---

def _slack_environment(port: int) -> None:
    """Slack is the stack's sandbox Slack (its authorize page, Web API and response_url), with a sandbox app of
    random credentials — unless a real Slack app is configured (SLACK_CLIENT_ID in the environment)."""
    if os.environ.get("SLACK_CLIENT_ID"):
        return
    sandbox = f"http://{HOST}:{port}{SANDBOX_SLACK_PATH}"
    os.environ["SLACK_CLIENT_ID"] = f"sandbox.{secrets.token_hex(6)}"
    os.environ["SLACK_CLIENT_SECRET"] = secrets.token_urlsafe(24)
    os.environ["SLACK_API_BASE_URL"] = f"{sandbox}/api/"
    os.environ["SLACK_AUTHORIZE_URL"] = f"{sandbox}/oauth/v2/authorize"
    os.environ["SLACK_RESPONSE_URL_PREFIX"] = f"{sandbox}/respond/"


def catalog_queues() -> list[str]:
    """Every queue that triggers a catalog function, once each."""
    return sorted({spec.queue_trigger.queue for spec in FUNCTIONS if spec.queue_trigger is not None})




def local_queue_url(queue: str, *, region: str, account_id: str) -> str:
    return f"https://sqs.{region}.amazonaws.com/{account_id}/{queue}"


def local_queue_arn(queue: str, *, region: str, account_id: str) -> str:
    return f"arn:aws:sqs:{region}:{account_id}:{queue}"
