"""Runtime configuration, modelled once and read lazily.

Nothing here runs at import time: `get_settings()` builds the model on first use and caches it, so
tests and the local stack can set the environment first (and `reset_settings()` between scenarios).
This is the only module that reads `os.environ`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False)

    # Where we run: "aws" in the cloud, "local" for `make run` and the tests.
    environment: Literal["aws", "local"] = Field("aws", alias="CALLFUNNEL_ENVIRONMENT")
    service_name: str = Field("callfunnel", alias="POWERTOOLS_SERVICE_NAME")
    version: str = Field("0.1.0", alias="CALLFUNNEL_VERSION")
    aws_region: str = Field("us-east-1", alias="AWS_REGION")
    table_name: str = Field("callfunnel", alias="TABLE_NAME")
    public_base_url: str = Field("http://127.0.0.1:8000", alias="PUBLIC_BASE_URL")

    # Auth. Locally the secret comes from the environment; in the cloud from Secrets Manager.
    jwt_secret: SecretStr | None = Field(None, alias="JWT_SECRET")
    jwt_secret_arn: str | None = Field(None, alias="JWT_SECRET_ARN")
    jwt_ttl_seconds: int = Field(7 * 24 * 3600, alias="JWT_TTL_SECONDS")
    verify_token_ttl_seconds: int = 24 * 3600
    max_active_api_keys: int = 10
    # CSRF (cookie sessions): origins a cookie-authenticated write may come from, besides PUBLIC_BASE_URL's own,
    # comma-separated (e.g. the console's CloudFront origin when it is not the API's).
    csrf_trusted_origins: str = Field("", alias="CSRF_TRUSTED_ORIGINS")

    # Trial wallet.
    trial_days: int = Field(14, alias="TRIAL_DAYS")

    # S3 bucket for audience uploads, generated audio, recordings and reports.
    media_bucket: str = Field("callfunnel-media", alias="MEDIA_BUCKET")
    media_url_ttl_seconds: int = 3600
    #: Call recordings are personal data: their presigned URLs live minutes, not the hour other media get.
    recording_url_ttl_seconds: int = 300

    # Rule-book generation: Claude when a key is configured (bundled mode), else the offline composer.
    anthropic_model: str = Field("claude-opus-5", alias="ANTHROPIC_MODEL")
    anthropic_base_url: str | None = Field(None, alias="ANTHROPIC_BASE_URL")
    cartesia_base_url: str = Field("https://api.cartesia.ai", alias="CARTESIA_BASE_URL")

    # Payments: webhook signing secrets (the previous one stays valid during a rotation), the
    # processor's API key (absent: the sandbox processor), and the queue verified events go through.
    payments_webhook_previous_secret: SecretStr | None = Field(None, alias="PAYMENTS_WEBHOOK_PREVIOUS_SECRET")
    payments_api_key: SecretStr | None = Field(None, alias="PAYMENTS_API_KEY")
    payment_events_queue_url: str | None = Field(None, alias="PAYMENT_EVENTS_QUEUE_URL")
    slack_actions_queue_url: str | None = Field(None, alias="SLACK_ACTIONS_QUEUE_URL")

    # BYOK credentials: envelope encryption under this KMS key; locally a master key from the environment.
    credentials_kms_key_id: str | None = Field(None, alias="CREDENTIALS_KMS_KEY_ID")
    local_master_key: SecretStr | None = Field(None, alias="CALLFUNNEL_LOCAL_MEK")
    # Sandbox stack only: live validation of BYOK keys goes to this local stand-in instead of the providers.
    provider_validation_base_url: str | None = Field(None, alias="PROVIDER_VALIDATION_BASE_URL")

    # Email (SES). Without a sender address, verification mails are skipped (best-effort).
    email_sender: str | None = Field(None, alias="EMAIL_SENDER")

    # Provider credentials for the bundled mode; absent means the sandbox adapter runs.
    anthropic_api_key: SecretStr | None = Field(None, alias="ANTHROPIC_API_KEY")
    twilio_account_sid: str | None = Field(None, alias="TWILIO_ACCOUNT_SID")
    twilio_auth_token: SecretStr | None = Field(None, alias="TWILIO_AUTH_TOKEN")
    exotel_api_key: SecretStr | None = Field(None, alias="EXOTEL_API_KEY")
    exotel_api_token: SecretStr | None = Field(None, alias="EXOTEL_API_TOKEN")
    exotel_account_sid: str | None = Field(None, alias="EXOTEL_ACCOUNT_SID")
    exotel_subdomain: str = Field("api.in.exotel.com", alias="EXOTEL_SUBDOMAIN")
    #: The App Bazaar flow (one Voicebot applet) the platform's Exotel account connects answered calls to.
    exotel_voicebot_app_id: str | None = Field(None, alias="EXOTEL_VOICEBOT_APP_ID", pattern=r"^[0-9]{1,12}$")
    cartesia_api_key: SecretStr | None = Field(None, alias="CARTESIA_API_KEY")
    deepgram_api_key: SecretStr | None = Field(None, alias="DEEPGRAM_API_KEY")
    payments_webhook_secret: SecretStr | None = Field(None, alias="PAYMENTS_WEBHOOK_SECRET")
    slack_signing_secret: SecretStr | None = Field(None, alias="SLACK_SIGNING_SECRET")

    # --- Each tenant's own Slack (issue 13): "Add to Slack" (OAuth v2) installs this deployment's Slack app in
    # the tenant's workspace; approvals go to the channel the tenant chose. The app's credentials (cloud: from the
    # ops-managed Slack secret, infra_cdk/constructs/slack_secrets.py); without them "Add to Slack" answers 503
    # SLACK_NOT_CONFIGURED and tenants decide through the API. SLACK_SIGNING_SECRET (above) verifies the clicks.
    slack_client_id: str | None = Field(None, alias="SLACK_CLIENT_ID")
    slack_client_secret: SecretStr | None = Field(None, alias="SLACK_CLIENT_SECRET")
    #: Where Slack is: its Web API and its authorize page (the local stack points both at its sandbox Slack).
    slack_api_base_url: str = Field("https://slack.com/api/", alias="SLACK_API_BASE_URL")
    slack_authorize_url: str = Field("https://slack.com/oauth/v2/authorize", alias="SLACK_AUTHORIZE_URL")
    #: A click's follow-up reply (its signed `response_url`) is posted only under this prefix: Slack's own host.
    slack_response_url_prefix: str = Field("https://hooks.slack.com/", alias="SLACK_RESPONSE_URL_PREFIX")
    #: How long an "Add to Slack" authorization may take, from the install request to Slack's redirect back.
    slack_oauth_state_ttl_seconds: int = Field(600, alias="SLACK_OAUTH_STATE_TTL_SECONDS", ge=60, le=3600)
    #: Slack Web API calls wait at most this long (an approval's caller is on hold meanwhile).
    slack_timeout_seconds: float = Field(3.0, alias="SLACK_TIMEOUT_SECONDS", gt=0, le=30)

    # --- The dialer (issue 5) ---
    dialer_state_machine_arn: str | None = Field(None, alias="DIALER_STATE_MACHINE_ARN")
    call_events_queue_url: str | None = Field(None, alias="CALL_EVENTS_QUEUE_URL")
    #: Scheduled runs: EventBridge Scheduler puts schedules in this group, assuming this role to invoke this function.
    campaign_schedule_group: str = Field("campaign-runs", alias="CAMPAIGN_SCHEDULE_GROUP")
    scheduler_role_arn: str | None = Field(None, alias="SCHEDULER_ROLE_ARN")
    scheduled_runs_function_arn: str | None = Field(None, alias="SCHEDULED_RUNS_FUNCTION_ARN")
    #: Callbacks (issue 13): one one-time schedule per callback in this group, invoking this function (as the same
    #: scheduler role) when the callback comes due.
    callback_schedule_group: str = Field("callbacks", alias="CALLBACK_SCHEDULE_GROUP")
    callbacks_due_function_arn: str | None = Field(None, alias="CALLBACKS_DUE_FUNCTION_ARN")
    #: Calls one tenant may have in flight at once (the Distributed Map's MaxConcurrency).
    default_concurrent_calls: int = Field(5, alias="DEFAULT_CONCURRENT_CALLS")
    #: A target outside its calling window waits in steps of at most this long, then is checked again.
    dialer_max_wait_seconds: int = Field(3600, alias="DIALER_MAX_WAIT_SECONDS")
    #: Multiplies every wait of the dialer (retry spacing, windows): 1 in the cloud; the sandbox may shorten them.
    dialer_wait_scale: float = Field(1.0, alias="DIALER_WAIT_SCALE")
    #: Claude for live turns: a fast model (the rule book is written by the slower one above).
    anthropic_live_model: str = Field("claude-haiku-5", alias="ANTHROPIC_LIVE_MODEL")
    #: Post-call analysis (issue 13, shared.call_analysis): jobs go through this queue; Claude reads each connected
    #: call's transcript with this model (structured extraction: a fast model is enough), the offline composer without
    #: a key.
    call_analysis_queue_url: str | None = Field(None, alias="CALL_ANALYSIS_QUEUE_URL")
    anthropic_analysis_model: str = Field("claude-haiku-5", alias="ANTHROPIC_ANALYSIS_MODEL")
    #: The sandbox carrier (local stack): where calls are handed over, and the token its webhooks are signed with.
    sandbox_carrier_url: str | None = Field(None, alias="SANDBOX_CARRIER_URL")
    sandbox_carrier_auth_token: SecretStr = Field(SecretStr("sandbox-carrier-auth-token"),
                                                  alias="SANDBOX_CARRIER_AUTH_TOKEN")

    # --- Rate limits (issue 6): per tenant (GCRA; a tenant's own limits live on its bucket item). The local stack
    # may raise them for its test suites; nothing turns them off.
    rate_limit_per_second: float = Field(10, alias="RATE_LIMIT_PER_SECOND", gt=0)
    rate_limit_burst: int = Field(20, alias="RATE_LIMIT_BURST", ge=1)

    # --- Abuse limits (issue 11, shared.auth.abuse_limits): what a client without credentials may try. Login
    # FAILURES are counted per email and per source IP (successful logins never are); from the allowed number
    # on, each failure locks that email / IP out for LOGIN_LOCKOUT_BASE_SECONDS, doubling per further failure
    # up to LOGIN_FAILURE_WINDOW_SECONDS, after which quiet time forgets the failures. Signups and opener
    # previews (text-to-speech costs money) are counted per source IP in fixed windows. Strict cloud defaults;
    # the local stack relaxes the per-IP ones (infra_local/environment.py), as every test runs from 127.0.0.1.
    login_failures_allowed: int = Field(5, alias="LOGIN_FAILURES_ALLOWED", ge=1)
    login_ip_failures_allowed: int = Field(20, alias="LOGIN_IP_FAILURES_ALLOWED", ge=1)
    login_lockout_base_seconds: int = Field(30, alias="LOGIN_LOCKOUT_BASE_SECONDS", ge=1)
    login_failure_window_seconds: int = Field(15 * 60, alias="LOGIN_FAILURE_WINDOW_SECONDS", ge=1)
    signups_per_ip: int = Field(5, alias="SIGNUPS_PER_IP", ge=1)
    signup_window_seconds: int = Field(3600, alias="SIGNUP_WINDOW_SECONDS", ge=1)
    previews_per_ip: int = Field(20, alias="PREVIEWS_PER_IP", ge=1)
    preview_window_seconds: int = Field(600, alias="PREVIEW_WINDOW_SECONDS", ge=1)

    #: Tokens a warm container takes from a tenant's bucket with one write and spends in memory (capped at the
    #: burst; 1 = one write per request, exact), and how long it may hold them (see shared.platform.rate_limits).
    rate_limit_lease_size: int = Field(5, alias="RATE_LIMIT_LEASE_SIZE", ge=1, le=1000)
    rate_limit_lease_seconds: float = Field(1.0, alias="RATE_LIMIT_LEASE_SECONDS", gt=0, le=60)

    # --- The voice plane (issue 12, voice/): the media-stream socket the carrier opens for a live call. The voice
    # webhook mints a token for that one call (HMAC-SHA256 under MEDIA_STREAM_SECRET, else a key derived from the JWT
    # signing secret), valid at most 60 s and spendable once; the voice plane refuses the socket without one.
    media_stream_secret: SecretStr | None = Field(None, alias="MEDIA_STREAM_SECRET")
    #: The same key named by its Secrets Manager ARN (the cloud's voice webhook; read through shared.platform.secrets).
    media_stream_secret_arn: str | None = Field(None, alias="MEDIA_STREAM_SECRET_ARN")
    media_stream_token_ttl_seconds: int = Field(60, alias="MEDIA_STREAM_TOKEN_TTL_SECONDS", ge=1, le=60)
    voice_plane_host: str = Field("127.0.0.1", alias="VOICE_PLANE_HOST")
    voice_plane_port: int = Field(8765, alias="VOICE_PLANE_PORT", ge=1, le=65535)
    #: The voice plane's public base URL (wss://<its domain>), which the voice webhook streams a call to; the
    #: carrier's path (/media/twilio) is appended. The cloud stack sets it for telephony_webhooks.
    voice_plane_url: str | None = Field(None, alias="VOICE_PLANE_URL")
    #: Where each voice-plane task publishes its active calls (metric ActiveCalls, dimension Stack=<this>) every
    #: interval: the service's autoscaling tracks their average per task (infra_cdk/constructs/voice_plane.py sets
    #: both). Empty (the default, e.g. on a laptop): nothing is published.
    voice_metrics_namespace: str = Field("", alias="VOICE_METRICS_NAMESPACE")
    voice_metrics_stack: str = Field("local", alias="VOICE_METRICS_STACK")
    #: One datapoint a minute: the period the scaling policy averages over.
    voice_metrics_interval_seconds: float = Field(60.0, alias="VOICE_METRICS_INTERVAL_SECONDS", gt=0, le=60)
    #: Provider endpoints of the streaming services (tests and the sandbox point them at local fakes).
    deepgram_base_url: str | None = Field(None, alias="DEEPGRAM_BASE_URL")
    deepgram_phone_model: str = Field("nova-2-phonecall", alias="DEEPGRAM_PHONE_MODEL")
    #: Hindi calls (the phone model is English-only): Nova-3 multilingual transcribes Hindi with English mixed in.
    deepgram_hindi_model: str = Field("nova-3", alias="DEEPGRAM_HINDI_MODEL")
    deepgram_hindi_language: str = Field("multi", alias="DEEPGRAM_HINDI_LANGUAGE")
    cartesia_tts_websocket_url: str = Field("wss://api.cartesia.ai/tts/websocket", alias="CARTESIA_TTS_WEBSOCKET_URL")

    # --- Event webhooks (issue 13): domain events (shared.platform.events) go through WEBHOOK_EVENTS to the fan-out,
    # each (endpoint, event) delivery attempt through WEBHOOK_DELIVERIES (SQS delays space the retries).
    webhook_events_queue_url: str | None = Field(None, alias="WEBHOOK_EVENTS_QUEUE_URL")
    webhook_deliveries_queue_url: str | None = Field(None, alias="WEBHOOK_DELIVERIES_QUEUE_URL")
    #: Multiplies every wait of the webhook retries (backoff, the ~24 h window, the days before an endpoint that
    #: keeps failing is disabled): 1 in the cloud; the sandbox shrinks them so the first retry comes in seconds.
    #: A receiver's own Retry-After is honoured as it says.
    webhook_retry_scale: float = Field(1.0, alias="WEBHOOK_RETRY_SCALE", gt=0, le=1)
    webhook_retry_window_seconds: int = Field(24 * 3600, alias="WEBHOOK_RETRY_WINDOW_SECONDS", ge=60)
    webhook_disable_after_seconds: int = Field(5 * 24 * 3600, alias="WEBHOOK_DISABLE_AFTER_SECONDS", ge=60)
    #: One delivery attempt: connect + send + the answer's status line and first bytes, at most this long.
    webhook_timeout_seconds: float = Field(10.0, alias="WEBHOOK_TIMEOUT_SECONDS", gt=0, le=30)
    max_webhook_endpoints: int = Field(20, alias="MAX_WEBHOOK_ENDPOINTS", ge=1)
    #: `wallet.low_balance` fires when a charge takes the balance below the autocharge threshold, or (without one)
    #: below this many minutes at the wallet's rate.
    low_balance_minutes: int = Field(10, alias="LOW_BALANCE_MINUTES", ge=1)

    #: Keyed hash of erased contacts (DSR): never rotate it, or erased numbers stop being recognised.
    dsr_pepper: SecretStr | None = Field(None, alias="DSR_PEPPER")

    @property
    def is_local(self) -> bool:
        return self.environment == "local"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings (tests and the local stack change the environment)."""
    get_settings.cache_clear()
