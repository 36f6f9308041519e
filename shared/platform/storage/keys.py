"""Key builders for the single table: the only place key strings are spelled out."""

from __future__ import annotations

from datetime import UTC, datetime

PROFILE = "PROFILE"
WALLET = "WALLET"
TENANT_COUNTER_PK = "COUNTER#tenant"
COUNTER = "COUNTER"
EMAIL = "EMAIL"
VERIFY = "VERIFY"
APIKEY = "APIKEY"
USER_PREFIX = "USER#"
APIKEY_PREFIX = "APIKEY#"
LEDGER_PREFIX = "LEDGER#"


def tenant_pk(tenant_id: int) -> str:
    return f"TENANT#{tenant_id}"


def user_sk(user_id: str) -> str:
    return f"{USER_PREFIX}{user_id}"


def email_pk(email: str) -> str:
    return f"EMAIL#{email.strip().lower()}"


def verify_token_pk(token_hash: str) -> str:
    return f"VERIFY#{token_hash}"


# Abuse limits (shared.auth.abuse_limits): failed logins per email and per source IP; per-IP counters by window.
LOGIN_FAILURES = "FAILURES"


def login_email_failures_pk(email: str) -> str:
    return f"LOGINFAIL#email#{email.strip().lower()}"


def login_ip_failures_pk(source_ip: str) -> str:
    return f"LOGINFAIL#ip#{source_ip}"


def ip_counter_pk(purpose: str, source_ip: str) -> str:
    return f"IPCOUNT#{purpose}#{source_ip}"


def ip_counter_sk(window_start: int) -> str:
    return f"WINDOW#{window_start}"


def api_key_pk(secret_hash: str) -> str:
    return f"APIKEY#{secret_hash}"


def api_key_listing_sk(key_id: str) -> str:
    return f"{APIKEY_PREFIX}{key_id}"


def ledger_sk(at: datetime, entry_id: str) -> str:
    return f"{LEDGER_PREFIX}{at.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}#{entry_id}"


# --- Compliance (DNC, NCPR, cool-down) and audience targets (issue 3) ------------------------------------------
DNC_PREFIX = "PHONE#"
DNC_AUDIT_PREFIX = "AUDIT#"
NCPR = "NCPR"
NCPR_PREFIX = "NCPR#"
COOLDOWN_PREFIX = "PHONE#"
AUDIENCE = "AUDIENCE"
TARGET_PAGE_PREFIX = "TARGETS#"


def dnc_pk(tenant_id: int) -> str:
    return f"TENANT#{tenant_id}#DNC"


def dnc_sk(e164: str) -> str:
    return f"{DNC_PREFIX}{e164}"


DNC_ERASED_PREFIX = "HASH#"


def dnc_erased_pk(tenant_id: int) -> str:
    """Numbers a DSR erase removed: kept blocked under their keyed hash (no plaintext)."""
    return f"TENANT#{tenant_id}#DNCERASED"


def dnc_erased_sk(digest: str) -> str:
    return f"{DNC_ERASED_PREFIX}{digest}"


def dnc_audit_pk(tenant_id: int) -> str:
    return f"TENANT#{tenant_id}#DNCAUDIT"


def dnc_audit_sk(at: datetime, audit_id: str) -> str:
    return f"{DNC_AUDIT_PREFIX}{at.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}#{audit_id}"


def contact_pk(tenant_id: int, e164: str) -> str:
    """GSI1 partition of everything that names one contact of a tenant (DSR export/erase)."""
    return f"TENANT#{tenant_id}#CONTACT#{e164}"


def ncpr_pk(e164: str) -> str:
    return f"{NCPR_PREFIX}{e164}"


def cooldown_pk(tenant_id: int) -> str:
    return f"TENANT#{tenant_id}#COOLDOWN"


def cooldown_sk(e164: str) -> str:
    return f"{COOLDOWN_PREFIX}{e164}"


def workflow_audience_pk(tenant_id: int, workflow_id: str) -> str:
    return f"TENANT#{tenant_id}#WF#{workflow_id}"


def target_page_sk(page: int) -> str:
    return f"{TARGET_PAGE_PREFIX}{page:06d}"


# --- Objection library (issue 3): one shared partition, one use counter per objection ---------------
OBJECTION_LIBRARY_PK = "LIBRARY#objections"
OBJECTION_PREFIX = "OBJECTION#"


def objection_sk(objection_id: str) -> str:
    return f"{OBJECTION_PREFIX}{objection_id}"


# --- Workflows ------------------------------------------------------------------------------------
WORKFLOW_PREFIX = "WORKFLOW#"


def workflow_sk(workflow_id: str) -> str:
    return f"{WORKFLOW_PREFIX}{workflow_id}"


def consent_attestation_sk(workflow_id: str, at: datetime, attestation_id: str) -> str:
    return f"CONSENT#{workflow_id}#{at.strftime('%Y-%m-%dT%H:%M:%SZ')}#{attestation_id}"


# --- Wallet ledger, reservations, top-ups, payment-event guards (issue 4) ----------------------------
RESERVATION_PREFIX = "RESERVATION#"
TOPUP_PREFIX = "TOPUP#"
TOPUP_EXTERNAL = "TOPUPEXT"
PAYMENT_EVENT = "PAYMENTEVENT"


def reservation_sk(reservation_id: str) -> str:
    return f"{RESERVATION_PREFIX}{reservation_id}"


def topup_sk(intent_id: str) -> str:
    return f"{TOPUP_PREFIX}{intent_id}"


def topup_external_pk(external_id: str) -> str:
    """The processor's id of a checkout → the tenant and intent it pays (the webhook knows only this)."""
    return f"TOPUPEXT#{external_id}"


def payment_event_pk(event_id: str) -> str:
    """Guard item: one per processor event ever credited (no TTL: a replay years later still credits once)."""
    return f"PAYMENTEVENT#{event_id}"


PAYMENT_REVIEW = "PAYMENTREVIEW"
#: GSI1 partition listing every payment review, newest first (an ops query; a handful of items a year).
PAYMENT_REVIEWS_GSI1PK = "PAYMENTREVIEWS"


def payment_review_pk(event_id: str) -> str:
    """One review per processor event that disagreed with our records (created once, like the guard)."""
    return f"PAYMENTREVIEW#{event_id}"


def payment_review_time_sk(at: datetime, event_id: str) -> str:
    return f"{at.strftime('%Y-%m-%dT%H:%M:%S.%fZ')}#{event_id}"


# --- Idempotency keys (issue 4): one record per tenant + route + key, expiring after the window ----------
IDEMPOTENCY = "IDEMPOTENCY"


def idempotency_pk(tenant_id: int, route_key: str, key_hash: str) -> str:
    return f"TENANT#{tenant_id}#IDEMPOTENCY#{route_key}#{key_hash}"


# --- Sandbox payment processor (issue 4): pending checkouts, looked up by the processor's id --------
SANDBOX_CHECKOUT = "SANDBOXCHECKOUT"


def sandbox_checkout_pk(external_id: str) -> str:
    return f"SANDBOXCHECKOUT#{external_id}"


# --- Phone numbers (issue 4): a tenant's numbers, one global guard per E.164, sandbox carrier lines ----
NUMBER_PREFIX = "NUMBER#"
NUMBER_GUARD = "NUMBER"
SANDBOX_LINE_PREFIX = "PHONE#"


def number_sk(number_id: str) -> str:
    return f"{NUMBER_PREFIX}{number_id}"


def number_guard_pk(e164: str) -> str:
    """One item per E.164 held by any tenant: two tenants can never hold one number."""
    return f"PHONENUMBER#{e164}"


def sandbox_line_pk(tenant_id: int) -> str:
    """The sandbox carrier's account of one tenant (numbers bought, released, webhooks)."""
    return f"TENANT#{tenant_id}#SANDBOXLINES"


def sandbox_line_sk(e164: str) -> str:
    return f"{SANDBOX_LINE_PREFIX}{e164}"


# --- BYOK onboarding (issue 4): mode + completion, and one sealed credential per provider --------------
# Both sort under ONBOARDING so the status page is one Query on the tenant's partition.
ONBOARDING = "ONBOARDING"
CREDENTIAL_PREFIX = "ONBOARDING#CREDENTIAL#"


def credential_sk(provider: str) -> str:
    return f"{CREDENTIAL_PREFIX}{provider}"


# --- Customer timeline (issue 5): one partition per contact identifier, events sorted by time ----------
TIMELINE_EVENT_PREFIX = "EVENT#"


def timeline_pk(tenant_id: int, identifier_kind: str, value: str) -> str:
    """A contact's timeline: `identifier_kind` is phone (E.164), email (lower-cased) or user (user id)."""
    return f"TENANT#{tenant_id}#CONTACT#{identifier_kind}:{value}"


def timeline_event_sk(at: datetime, event_id: str) -> str:
    return f"{TIMELINE_EVENT_PREFIX}{timeline_instant(at)}#{event_id}"


def timeline_before_sk(before: datetime) -> str:
    """Upper bound (exclusive) for events strictly before `before`."""
    return f"{TIMELINE_EVENT_PREFIX}{timeline_instant(before)}"


def timeline_instant(at: datetime) -> str:
    # Always in UTC (a naive time is taken as UTC), so text order is time order.
    utc = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- Approvals (issue 5): the decisions queue ---------------------------------------------------------------------
# Approval ids are time-ordered, so a descending Query on the partition lists newest first.
APPROVAL_PREFIX = "APPROVAL#"


def approvals_pk(tenant_id: int) -> str:
    return f"TENANT#{tenant_id}#APPROVALS"


def approval_sk(approval_id: str) -> str:
    return f"{APPROVAL_PREFIX}{approval_id}"


# --- Callbacks (issue 13): one per origin call, listed by due time ------------------------------------------
CALLBACK_PREFIX = "CALLBACK#"


def callbacks_pk(tenant_id: int) -> str:
    return f"TENANT#{tenant_id}#CALLBACKS"


def callback_sk(callback_id: str) -> str:
    return f"{CALLBACK_PREFIX}{callback_id}"


def callback_due_sk(due_at: datetime, callback_id: str) -> str:
    """GSI1 sort key: newest due first, ties by id."""
    return f"{due_at.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}#{callback_id}"


# --- Integrations (issue 13): a tenant's Slack installation, the workspace's link to it, pending "Add to Slack" ---
SLACK_INSTALLATION = "INTEGRATION#SLACK"
SLACK_TEAM = "SLACKTEAM"


def slack_oauth_state_sk(user_id: str) -> str:
    """One pending "Add to Slack" per user of a tenant (a newer one replaces it)."""
    return f"{SLACK_INSTALLATION}#STATE#{user_id}"


def slack_team_pk(team_id: str) -> str:
    """A Slack workspace's link to the one tenant it is connected to."""
    return f"{SLACK_TEAM}#{team_id}"


# --- The dialer: runs, their targets' progress, calls, call-event guards, carrier pacing (issue 5) ---------------
RUN_PREFIX = "RUN#"
RUN_TARGET_PREFIX = "TARGET#"
CALL_PREFIX = "CALL#"
GUARD = "GUARD"


def runs_prefix(workflow_id: str) -> str:
    return f"{RUN_PREFIX}{workflow_id}#"


def run_sk(workflow_id: str, run_id: str) -> str:
    """On the tenant's partition; run ids are time-ordered, so a descending Query lists newest first."""
    return f"{runs_prefix(workflow_id)}{run_id}"


def run_targets_pk(tenant_id: int, run_id: str) -> str:
    return f"TENANT#{tenant_id}#RUN#{run_id}"


def run_target_sk(e164: str) -> str:
    return f"{RUN_TARGET_PREFIX}{e164}"


def call_sk(call_id: str) -> str:
    return f"{CALL_PREFIX}{call_id}"


def tenant_calls_pk(tenant_id: int) -> str:
    """GSI1: a tenant's calls by the time they were placed (reports)."""
    return f"TENANT#{tenant_id}#CALLS"


def call_time_sk(at: datetime, call_id: str) -> str:
    return f"{at.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S.%fZ')}#{call_id}"


#: The calls API's listings (CL4, CL5): a call is indexed by status on GSI2 and has one small `CallRef` item per
#: immutable filter (workflow, run, contact number) on the main table, each sorted by `call_time_sk`.
CALLS_BY_STATUS = "STATUS"
CALLS_BY_WORKFLOW = "WF"
CALLS_BY_RUN = "RUN"
CALLS_BY_PHONE = "PHONE"
CALLS_BY_REASON = "REASON"  # sparse: only callback calls have a reason ref (issue 13)


def tenant_calls_by_pk(tenant_id: int, dimension: str, value: str) -> str:
    """A tenant's calls with one workflow / run / contact number (CallRef items) or status (GSI2)."""
    return f"TENANT#{tenant_id}#CALLS#{dimension}#{value}"


def call_event_guard_pk(tenant_id: int, call_id: str, status: str) -> str:
    return f"CALLEVENT#{tenant_id}#{call_id}#{status}"


def carrier_pacing_pk(carrier_account: str) -> str:
    return f"PACING#{carrier_account}"


# --- Rate limits (issue 6): one GCRA bucket per tenant ----------------------------
RATE_LIMIT_BUCKET = "BUCKET"


def rate_limit_tenant_pk(tenant_id: int) -> str:
    return f"RATELIMIT#{tenant_id}"


# --- The voice plane (issue 12): media-stream tokens spent once (shared.calls.media_token_repository).
MEDIA_TOKEN = "MEDIATOKEN"


def media_token_pk(nonce: str) -> str:
    return f"MEDIATOKEN#{nonce}"


# --- Event webhooks (issue 13): a tenant's endpoints, and each endpoint's deliveries (one per event) -----------------
WEBHOOK_ENDPOINT_PREFIX = "ENDPOINT#"
WEBHOOK_DELIVERY_PREFIX = "DELIVERY#"


def webhook_endpoints_pk(tenant_id: int) -> str:
    return f"TENANT#{tenant_id}#WEBHOOKS"


def webhook_endpoint_sk(endpoint_id: str) -> str:
    return f"{WEBHOOK_ENDPOINT_PREFIX}{endpoint_id}"


def webhook_deliveries_pk(tenant_id: int, endpoint_id: str) -> str:
    """One endpoint's deliveries; delivery ids are time-ordered, so a descending Query lists newest first."""
    return f"TENANT#{tenant_id}#WEBHOOK#{endpoint_id}"


def webhook_delivery_sk(delivery_id: str) -> str:
    return f"{WEBHOOK_DELIVERY_PREFIX}{delivery_id}"
