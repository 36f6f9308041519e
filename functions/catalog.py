"""The function catalog: every Lambda of CallFunnel, in one place.

Both the cloud (`infra_cdk`) and the laptop (`infra_local`) are generated from this list, so they
cannot drift: a route added here is deployed by CDK and served by `make run`; a route declared in a
group's resolver but missing here (or the reverse) fails `tests/unit/test_catalog.py`.

Paths are the reference's paths without its optional `/api` base: every route is also served under
`/api/...` and `/v1/...` (see `PATH_ALIASES`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from shared.platform.http.paths import ALIAS_PREFIXES


class Permission(StrEnum):
    """What a function may touch; CDK turns each into a least-privilege grant."""

    TABLE_READ = "table:read"
    TABLE_WRITE = "table:write"
    SEND_EMAIL = "ses:send"
    READ_JWT_SECRET = "secret:jwt:read"
    READ_MEDIA_STREAM_SECRET = "secret:media-stream:read"  # sign the voice plane's media tokens (and nothing else)
    MEDIA_READ = "s3:media:read"
    MEDIA_WRITE = "s3:media:write"
    MEDIA_ERASE = "s3:media:erase"  # list a contact's objects and delete them (DSR erase)
    RECORDINGS_READ = "s3:media:recordings:read"  # hand out call recordings (presigned GETs), nothing else
    SEND_PAYMENT_EVENTS = "sqs:payment-events:send"
    SEND_SLACK_ACTIONS = "sqs:slack-actions:send"
    CREDENTIALS_KEY = "kms:credentials:use"  # envelope encryption of BYOK provider secrets
    SEND_CALL_EVENTS = "sqs:call-events:send"
    SEND_CALL_ANALYSIS = "sqs:call-analysis:send"  # ask for a finished call's post-call analysis
    START_DIALER = "states:dialer:start"  # start (and stop) executions of the dialer state machine
    SEND_TASK_RESULT = "states:task-result"  # release a dialer step waiting on its task token
    MANAGE_SCHEDULES = "scheduler:campaign-runs:manage"  # create/delete schedules that start runs
    #: Create/delete the one-time schedules of callbacks (an approved callback is scheduled, a cancel deletes it).
    MANAGE_CALLBACK_SCHEDULES = "scheduler:callbacks:manage"
    #: Publish domain events for the tenants' webhooks (shared.platform.events): any function whose use case
    #: announces something (a call completed, an approval requested, a run started…).
    SEND_WEBHOOK_EVENTS = "sqs:webhook-events:send"
    #: Queue a webhook delivery attempt (first, retry, or the next hop of a long wait).
    SEND_WEBHOOK_DELIVERIES = "sqs:webhook-deliveries:send"


#: Every route is served at its own path and under these prefixes.
PATH_ALIASES: tuple[str, ...] = ("", *ALIAS_PREFIXES)


@dataclass(frozen=True)
class HttpRoute:
    method: str
    path: str  # e.g. "/api-keys/{id}/revoke"

    @property
    def route_keys(self) -> tuple[str, ...]:
        """API Gateway route keys for the path and its aliases, e.g. "GET /api/billing/balance"."""
        return tuple(f"{self.method} {prefix}{self.path}" for prefix in PATH_ALIASES)


@dataclass(frozen=True)
class QueueTrigger:
    """An SQS queue (with its dead-letter queue) whose messages invoke the function in batches."""

    queue: str  # logical name, e.g. "payment-events"
    batch_size: int = 10
    max_receives: int = 5  # then the message goes to the DLQ
    visibility_timeout_seconds: int = 360  # ≥ 6 × the consumer's timeout, as AWS recommends for ESMs
    #: Encrypted under the stack's queue key (KMS, customer-managed: ops control and audit its use) rather than
    #: SQS-managed keys: for messages holding tenants' data on its way out to third parties (webhook events).
    customer_managed_key: bool = False


@dataclass(frozen=True)
class StateMachineTask:
    """A Lambda task of a state machine (see infra_cdk/state_machines): its ARN goes into the definition."""

    state_machine: str  # logical name, e.g. "dialer"


#: The EventBridge Scheduler group whose schedules start campaign runs (target: the `scheduled_runs` function).
CAMPAIGN_SCHEDULE_GROUP = "campaign-runs"
#: The group of the callbacks' one-time schedules (target: the `callbacks_due` function).
CALLBACK_SCHEDULE_GROUP = "callbacks"
SCHEDULE_GROUPS = (CAMPAIGN_SCHEDULE_GROUP, CALLBACK_SCHEDULE_GROUP)


def queue_url_variable(queue: str) -> str:
    """"payment-events" → "PAYMENT_EVENTS_QUEUE_URL": how a queue's URL reaches the functions (the alias of
    the matching settings field), in the cloud and on the laptop alike."""
    return f"{queue.upper().replace('-', '_')}_QUEUE_URL"


#: Reserved concurrency by kind. HTTP: the API's stage allows 50 requests/s (burst 100) and a request takes
#: ~0.1 s, so 20 concurrent copies absorb a burst; queue consumers drain at their own pace (the event
#: source mapping is capped to the same number, so throttling never burns a message's receives);
#: dialer steps are retried on throttling by the state machine. The sum stays far below the account's
#: 1,000 minus the 100 AWS keeps unreserved (tests/infra/test_reserved_concurrency.py).
DEFAULT_RESERVED_CONCURRENCY = {"http": 20, "queue": 5, "state_machine_task": 10, "schedule_target": 5}


@dataclass(frozen=True)
class LambdaFunction:
    name: str
    handler: str  # dotted path of the Lambda entry point
    description: str
    routes: tuple[HttpRoute, ...] = ()
    #: Receives API Gateway's `$default` route: any unknown path gets the contract's 404 JSON.
    serves_unmatched_routes: bool = False
    queue_trigger: QueueTrigger | None = None
    state_machine_task: StateMachineTask | None = None
    #: Invoked by EventBridge Scheduler schedules of this group (one of `SCHEDULE_GROUPS`); None: not a target.
    schedule_group: str | None = None
    permissions: frozenset[Permission] = field(default_factory=frozenset)
    memory_mb: int = 1024
    timeout_seconds: int = 28  # API Gateway's integration limit is 29 s
    #: Reserved concurrency: the function's guaranteed share of the account's concurrency and its cap
    #: (a flood on one route cannot starve the dialer, a runaway loop cannot take the account). None:
    #: the default of its kind (`DEFAULT_RESERVED_CONCURRENCY`).
    reserved_concurrency: int | None = None

    @property
    def concurrency(self) -> int:
        """The reserved concurrency CDK sets: the function's own, or the default of its kind."""
        if self.reserved_concurrency is not None:
            return self.reserved_concurrency
        if self.queue_trigger is not None:
            return DEFAULT_RESERVED_CONCURRENCY["queue"]
        if self.state_machine_task is not None:
            return DEFAULT_RESERVED_CONCURRENCY["state_machine_task"]
        if self.schedule_target:
            return DEFAULT_RESERVED_CONCURRENCY["schedule_target"]
        return DEFAULT_RESERVED_CONCURRENCY["http"]

    @property
    def schedule_target(self) -> bool:
        return self.schedule_group is not None

    @property
    def module(self) -> str:
        return self.handler.rsplit(".", 1)[0]

    @property
    def entry_point(self) -> str:
        return self.handler.rsplit(".", 1)[1]


def _routes(*specs: str) -> tuple[HttpRoute, ...]:
    return tuple(HttpRoute(*spec.split(" ", 1)) for spec in specs)


_USER_DATA = frozenset({Permission.TABLE_READ, Permission.TABLE_WRITE, Permission.READ_JWT_SECRET})

_ACCOUNT_AND_CAMPAIGN_FUNCTIONS: tuple[LambdaFunction, ...] = (
    LambdaFunction(
        name="health",
        handler="functions.health.handler.lambda_handler",
        description="Health, provider status, the merged OpenAPI document and Swagger UI; unknown routes",
        routes=_routes("GET /healthz", "GET /openapi.json", "GET /docs"),
        serves_unmatched_routes=True,
        memory_mb=512,
        timeout_seconds=10,
    ),
    LambdaFunction(
        name="auth",
        handler="functions.auth.handler.lambda_handler",
        description="Signup, email verification, login, logout and the current user",
        routes=_routes(
            "POST /auth/signup",
            "GET /auth/verify-email",
            "POST /auth/login",
            "POST /auth/logout",
            "GET /auth/me",
        ),
        permissions=_USER_DATA | {Permission.SEND_EMAIL},
    ),
    LambdaFunction(
        name="api_keys",
        handler="functions.api_keys.handler.lambda_handler",
        description="Mint, list, revoke and delete the workspace's API keys (logged-in users only)",
        routes=_routes(
            "GET /api-keys",
            "POST /api-keys",
            "POST /api-keys/{id}/revoke",
            "DELETE /api-keys/{id}",
        ),
        permissions=_USER_DATA,
    ),
    LambdaFunction(
        name="workflows",
        handler="functions.workflows.handler.lambda_handler",
        description="Campaign workflows: rule books from plain language, audiences, consent, lifecycle",
        routes=_routes(
            "GET /workflows",
            "POST /workflows",
            "GET /workflows/{id}",
            "PUT /workflows/{id}",
            "DELETE /workflows/{id}",
            "POST /workflows/{id}/retire",
            "POST /workflows/{id}/regenerate-rule-book",
            "POST /workflows/{id}/audience",
            "PUT /workflows/{id}/compliance",
            "POST /workflows/{id}/run",
            "POST /workflows/{id}/pause",
            "GET /workflows/{id}/runs",
        ),
        permissions=_USER_DATA | {Permission.MEDIA_WRITE, Permission.START_DIALER, Permission.MANAGE_SCHEDULES,
                                  Permission.SEND_WEBHOOK_EVENTS},  # run.started
    ),
    LambdaFunction(
        name="voice",
        handler="functions.voice.handler.lambda_handler",
        description="Public voice catalogue and opener previews (text to speech, MP3 in S3)",
        routes=_routes("GET /voices", "POST /workflows/preview-opening"),
        # TABLE_WRITE: previews are counted per source IP (shared.auth.abuse_limits).
        permissions=frozenset({Permission.MEDIA_READ, Permission.MEDIA_WRITE, Permission.TABLE_WRITE}),
    ),
    LambdaFunction(
        name="library",
        handler="functions.library.handler.lambda_handler",
        description="The shared objection library (public, not tenant-scoped)",
        routes=_routes("GET /objections"),
        permissions=frozenset({Permission.TABLE_READ}),
    ),
    LambdaFunction(
        name="dnc",
        handler="functions.dnc.handler.lambda_handler",
        description="The tenant's do-not-call list, NCPR and cool-down checks",
        routes=_routes("GET /dnc", "POST /dnc/add", "DELETE /dnc/{phone_e164}", "GET /dnc/check", "POST /dnc/import"),
        permissions=_USER_DATA | {Permission.SEND_WEBHOOK_EVENTS},  # contact.opted_out
    ),
    LambdaFunction(
        name="billing",
        handler="functions.billing.handler.lambda_handler",
        description="Wallet balance, rate and autocharge configuration",
        routes=_routes("GET /billing/balance", "GET /billing/precheck", "GET /billing/history",
                       "POST /billing/topup", "POST /billing/autocharge"),
        permissions=_USER_DATA,
    ),
    LambdaFunction(
        name="approvals",
        handler="functions.approvals.handler.lambda_handler",
        description="Human decisions on what the AI proposes: the pending queue and approve/deny",
        routes=_routes("GET /approvals", "POST /approvals/{id}/decide"),
        # SEND_WEBHOOK_EVENTS: approval.decided; CREDENTIALS_KEY: a decision updates the approval's message in the
        # tenant's Slack (its sealed bot token); MANAGE_CALLBACK_SCHEDULES: an approved callback is scheduled.
        permissions=_USER_DATA | {Permission.SEND_WEBHOOK_EVENTS, Permission.CREDENTIALS_KEY,
                                  Permission.MANAGE_CALLBACK_SCHEDULES},
    ),
    LambdaFunction(
        name="slack_interactivity",
        handler="functions.slack_interactivity.handler.lambda_handler",
        description="Slack button clicks: verifies the v0 signature, acknowledges at once, enqueues the decision",
        routes=_routes("POST /slack/interactivity"),
        permissions=frozenset({Permission.SEND_SLACK_ACTIONS}),
        memory_mb=512,
        timeout_seconds=10,
    ),
    LambdaFunction(
        name="slack_actions",
        handler="functions.slack_actions.handler.lambda_handler",
        description="Applies approval decisions clicked in Slack (first decision wins)",
        queue_trigger=QueueTrigger(queue="slack-actions"),
        # SEND_WEBHOOK_EVENTS: approval.decided; CREDENTIALS_KEY: the decided message is updated in place with the
        # tenant's (sealed) bot token; MANAGE_CALLBACK_SCHEDULES: an approved callback is scheduled.
        permissions=frozenset({Permission.TABLE_READ, Permission.TABLE_WRITE, Permission.SEND_WEBHOOK_EVENTS,
                               Permission.CREDENTIALS_KEY, Permission.MANAGE_CALLBACK_SCHEDULES}),
        timeout_seconds=30,
    ),
    LambdaFunction(
        name="integrations",
        handler="functions.integrations.handler.lambda_handler",
        description="Each tenant's own Slack: Add to Slack (OAuth v2), the approvals channel, disconnect",
        routes=_routes("POST /integrations/slack/install", "GET /integrations/slack/oauth/callback",
                       "GET /integrations/slack", "PUT /integrations/slack", "DELETE /integrations/slack"),
        # CREDENTIALS_KEY: the bot token is sealed like BYOK secrets (and opened to choose a channel, or revoke).
        permissions=_USER_DATA | {Permission.CREDENTIALS_KEY},
    ),
    LambdaFunction(
        name="timeline",
        handler="functions.timeline.handler.lambda_handler",
        description="Everything that happened to one contact, newest first",
        routes=_routes("GET /timeline"),
        permissions=_USER_DATA,
    ),
    LambdaFunction(
        name="payment_webhooks",
        handler="functions.payment_webhooks.handler.lambda_handler",
        description="Receives payment-processor webhooks: verifies the signature, then enqueues the event",
        routes=_routes("POST /billing/webhooks/payment"),
        permissions=frozenset({Permission.SEND_PAYMENT_EVENTS}),
        memory_mb=512,
        timeout_seconds=10,
    ),
    LambdaFunction(
        name="payment_events",
        handler="functions.payment_events.handler.lambda_handler",
        description="Credits wallets from verified payment events, exactly once per event id",
        queue_trigger=QueueTrigger(queue="payment-events"),
        permissions=frozenset({Permission.TABLE_READ, Permission.TABLE_WRITE}),
        timeout_seconds=60,
    ),
    LambdaFunction(
        name="onboarding",
        handler="functions.onboarding.handler.lambda_handler",
        description="Provider catalogue, bundled or BYOK mode, encrypted provider credentials",
        routes=_routes("GET /onboarding/providers", "GET /onboarding/status", "PUT /onboarding/mode",
                       "PUT /onboarding/credentials/{provider}", "DELETE /onboarding/credentials/{provider}",
                       "POST /onboarding/complete"),
        permissions=_USER_DATA | {Permission.CREDENTIALS_KEY},
    ),
    LambdaFunction(
        name="numbers",
        handler="functions.numbers.handler.lambda_handler",
        description="Search, buy, import and release the tenant's phone numbers",
        routes=_routes("GET /numbers", "POST /numbers/search", "POST /numbers/provision", "POST /numbers/import",
                       "POST /numbers/{id}/release"),
        permissions=_USER_DATA | {Permission.CREDENTIALS_KEY},
    ),
)


#: Trust and insight (issue 6): reports and data-subject requests.
INSIGHT_FUNCTIONS: tuple[LambdaFunction, ...] = (
    LambdaFunction(
        name="reports",
        handler="functions.reports.handler.lambda_handler",
        description="The weekly PDF report: KPIs per workflow, approvals, objections, costs, calls per day",
        routes=_routes("GET /reports/weekly"),
        permissions=_USER_DATA,
        memory_mb=1536,
    ),
    LambdaFunction(
        name="calls",
        handler="functions.calls.handler.lambda_handler",
        description="The calls API: calls newest first by workflow, run, number or status; transcripts, recordings",
        routes=_routes("GET /calls", "GET /calls/{id}", "GET /calls/{id}/recording"),
        permissions=_USER_DATA | {Permission.RECORDINGS_READ},
    ),
    LambdaFunction(
        name="call_analysis",
        handler="functions.call_analysis.handler.lambda_handler",
        description="Post-call analysis: Claude (else the offline composer) reads a connected call for the rule "
                    "book's analysis fields; announced as call.analyzed",
        # Claude may take up to a minute a call (its retries included): a few calls a batch, the default queue
        # concurrency (5) bounds what the tenants' calls spend on Anthropic at once.
        queue_trigger=QueueTrigger(queue="call-analysis", batch_size=3, visibility_timeout_seconds=1080),
        # CREDENTIALS_KEY: a byok tenant's Anthropic key; SEND_WEBHOOK_EVENTS: call.analyzed.
        permissions=frozenset({Permission.TABLE_READ, Permission.TABLE_WRITE, Permission.CREDENTIALS_KEY,
                               Permission.SEND_WEBHOOK_EVENTS}),
        timeout_seconds=180,
    ),
    LambdaFunction(
        name="dsr",
        handler="functions.dsr.handler.lambda_handler",
        description="Data-subject requests: export everything about one contact, or erase it everywhere",
        routes=_routes("POST /dsr/export", "POST /dsr/erase"),
        # CREDENTIALS_KEY: erase deletes the contact's approval messages from the tenant's Slack (its bot token);
        # MANAGE_CALLBACK_SCHEDULES: erase cancels the contact's scheduled callbacks and deletes their schedules.
        permissions=_USER_DATA | {Permission.MEDIA_READ, Permission.MEDIA_WRITE, Permission.MEDIA_ERASE,
                                  Permission.CREDENTIALS_KEY, Permission.MANAGE_CALLBACK_SCHEDULES},
    ),
)

_DIALER_DATA = frozenset({Permission.TABLE_READ, Permission.TABLE_WRITE})

#: The dialer: the state machine's tasks, the carrier's webhooks, the status events and scheduled runs.
DIALER_FUNCTIONS: tuple[LambdaFunction, ...] = (
    LambdaFunction(
        name="dialer_prepare",
        handler="functions.dialer_prepare.handler.lambda_handler",
        description="Dialer step 1: the run's eligible targets (screened again) as an S3 manifest",
        state_machine_task=StateMachineTask("dialer"),
        permissions=_DIALER_DATA | {Permission.MEDIA_WRITE},
        timeout_seconds=300,
    ),
    LambdaFunction(
        name="dialer_dial",
        handler="functions.dialer_dial.handler.lambda_handler",
        description="Dialer step per target: window, pause, DNC/NCPR/cool-down, funds, pacing, then places the call",
        state_machine_task=StateMachineTask("dialer"),
        permissions=_DIALER_DATA | {Permission.SEND_TASK_RESULT, Permission.CREDENTIALS_KEY},
        timeout_seconds=30,
        reserved_concurrency=20,  # one invocation per dial; the tenants' concurrent-call limits add up
    ),
    LambdaFunction(
        name="dialer_finish",
        handler="functions.dialer_finish.handler.lambda_handler",
        description="Dialer last step: closes the run (completed, or left paused) and frees the workflow",
        state_machine_task=StateMachineTask("dialer"),
        permissions=_DIALER_DATA | {Permission.SEND_WEBHOOK_EVENTS},  # run.completed
        timeout_seconds=30,
    ),
    LambdaFunction(
        name="telephony_webhooks",
        handler="functions.telephony_webhooks.handler.lambda_handler",
        description="Carrier webhooks: an answered call streamed to the voice plane (media token), answering-machine "
                    "verdicts recorded, status callbacks enqueued, warm transfers dialed, billed and recorded",
        routes=_routes(
            "POST /telephony/{provider}/voice/{tenant_id}/{call_id}",
            "GET /telephony/exotel/voicebot",
            "POST /telephony/{provider}/amd/{tenant_id}/{call_id}",
            "POST /telephony/{provider}/status/{tenant_id}/{call_id}",
            "POST /telephony/{provider}/stream-end/{tenant_id}/{call_id}",
            "POST /telephony/{provider}/whisper/{tenant_id}/{call_id}",
            "POST /telephony/{provider}/dial-result/{tenant_id}/{call_id}",
            "POST /telephony/{provider}/transfer-recording/{tenant_id}/{call_id}",
        ),
        # The media-stream secret signs the token the voice webhook hands the carrier for the voice plane.
        # A transfer's leg: its recording into the media bucket, `call.transferred` (the charge may cross the
        # low-balance threshold: `wallet.low_balance`).
        permissions=_DIALER_DATA | {Permission.SEND_CALL_EVENTS, Permission.CREDENTIALS_KEY,
                                    Permission.READ_MEDIA_STREAM_SECRET, Permission.MEDIA_WRITE,
                                    Permission.SEND_WEBHOOK_EVENTS},
        timeout_seconds=12,  # Twilio waits 15 s for TwiML
        reserved_concurrency=50,  # every answer and status callback of the live calls; a throttled answer is dead air
    ),
    LambdaFunction(
        name="call_events",
        handler="functions.call_events.handler.lambda_handler",
        description="Call status events: counters, cool-down, billing, timeline, retries; releases the dialer step",
        queue_trigger=QueueTrigger(queue="call-events"),
        # SEND_WEBHOOK_EVENTS: call.started, call.completed, wallet.low_balance (a settled call crossing the threshold).
        # SEND_CALL_ANALYSIS: a connected call whose conversation the voice plane kept before its final status.
        # MANAGE_CALLBACK_SCHEDULES: a call that ends with a callback the callback policy approved schedules it.
        permissions=_DIALER_DATA | {Permission.SEND_TASK_RESULT, Permission.SEND_WEBHOOK_EVENTS,
                                    Permission.SEND_CALL_ANALYSIS, Permission.MANAGE_CALLBACK_SCHEDULES},
        timeout_seconds=60,
        reserved_concurrency=10,  # several status events per call
    ),
    LambdaFunction(
        name="scheduled_runs",
        handler="functions.scheduled_runs.handler.lambda_handler",
        description="Starts a workflow's run when its EventBridge Scheduler schedule fires",
        schedule_group=CAMPAIGN_SCHEDULE_GROUP,
        permissions=_DIALER_DATA | {Permission.START_DIALER, Permission.SEND_WEBHOOK_EVENTS},  # run.started
        timeout_seconds=30,
    ),
    LambdaFunction(
        name="callbacks_due",
        handler="functions.callbacks_due.handler.lambda_handler",
        description="A callback's one-time schedule fired: re-screens it (DNC, erased, paused, window) and places "
                    "its one call (billed like any call)",
        schedule_group=CALLBACK_SCHEDULE_GROUP,
        # CREDENTIALS_KEY: the tenant's carrier credentials; MANAGE_CALLBACK_SCHEDULES: a callback outside the
        # window (or paced by the carrier) is moved to its next moment.
        permissions=_DIALER_DATA | {Permission.CREDENTIALS_KEY, Permission.MANAGE_CALLBACK_SCHEDULES},
        timeout_seconds=30,
    ),
)

#: Callbacks (issue 13 §4): the API of the callbacks callees asked for.
CALLBACK_FUNCTIONS: tuple[LambdaFunction, ...] = (
    LambdaFunction(
        name="callbacks",
        handler="functions.callbacks.handler.lambda_handler",
        description="Callbacks callees asked for: listed newest due first, one, cancel a scheduled one",
        routes=_routes("GET /callbacks", "GET /callbacks/{id}", "DELETE /callbacks/{id}"),
        permissions=_USER_DATA | {Permission.MANAGE_CALLBACK_SCHEDULES},  # a cancel deletes its schedule
    ),
)

#: Closing the loop (issue 13): signed event webhooks to the tenant's own systems.
WEBHOOK_FUNCTIONS: tuple[LambdaFunction, ...] = (
    LambdaFunction(
        name="webhooks",
        handler="functions.webhooks.handler.lambda_handler",
        description="Event webhooks: endpoints (signing secret shown once), test events, deliveries, retry",
        # DELETE last: the security matrix acts on its tenant's endpoint in this order.
        routes=_routes("GET /webhooks", "POST /webhooks", "GET /webhooks/{id}", "PUT /webhooks/{id}",
                       "POST /webhooks/{id}/test", "GET /webhooks/{id}/deliveries",
                       "POST /webhooks/{id}/deliveries/{delivery_id}/retry", "DELETE /webhooks/{id}"),
        # CREDENTIALS_KEY: signing secrets are sealed under it; SEND_WEBHOOK_DELIVERIES: test events and retries.
        permissions=_USER_DATA | {Permission.CREDENTIALS_KEY, Permission.SEND_WEBHOOK_DELIVERIES},
    ),
    LambdaFunction(
        name="webhook_events",
        handler="functions.webhook_events.handler.lambda_handler",
        description="Fans each published domain event out to the tenant's subscribed endpoints (one delivery each)",
        queue_trigger=QueueTrigger(queue="webhook-events", customer_managed_key=True),
        permissions=frozenset({Permission.TABLE_READ, Permission.TABLE_WRITE, Permission.SEND_WEBHOOK_DELIVERIES}),
        timeout_seconds=30,
    ),
    LambdaFunction(
        name="webhook_deliveries",
        handler="functions.webhook_deliveries.handler.lambda_handler",
        description="Sends one signed delivery attempt (SSRF-checked); schedules retries with backoff for ~24 h",
        # An attempt takes at most ~13 s (3 s DNS + 10 s HTTP): 5 a batch fit the timeout twice over.
        queue_trigger=QueueTrigger(queue="webhook-deliveries", batch_size=5, visibility_timeout_seconds=900,
                                   customer_managed_key=True),
        # SEND_WEBHOOK_DELIVERIES: its own queue (the next attempt, the next hop of a long wait); SEND_EMAIL: the
        # notice to the admins of an endpoint disabled after failing for days; CREDENTIALS_KEY: the signing secrets.
        permissions=frozenset({Permission.TABLE_READ, Permission.TABLE_WRITE, Permission.CREDENTIALS_KEY,
                               Permission.SEND_WEBHOOK_DELIVERIES, Permission.SEND_EMAIL}),
        timeout_seconds=150,
        reserved_concurrency=10,  # one slow receiver must not hold back the others' deliveries
    ),
)

FUNCTIONS: tuple[LambdaFunction, ...] = (*_ACCOUNT_AND_CAMPAIGN_FUNCTIONS, *DIALER_FUNCTIONS, *INSIGHT_FUNCTIONS,
                                         *WEBHOOK_FUNCTIONS, *CALLBACK_FUNCTIONS)


def by_name(name: str) -> LambdaFunction:
    return next(function for function in FUNCTIONS if function.name == name)
