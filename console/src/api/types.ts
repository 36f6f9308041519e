// The shapes of the API's answers the console reads (from /openapi.json; see the reference).

export type User = {
  id: string; tenant_id: number; email: string; full_name: string | null; role: string;
  email_verified: boolean; email_verified_at: string | null; created_at: string;
};
export type Tenant = { id: number; name: string; status: string; plan_tier: string; country: string; currency: string };
export type WhoAmI = { user: User | null; tenant: Tenant; expires_at: string | null; auth: string; scope: string };
export type Health = { status: string; environment: string; sandbox: boolean };

export type Balance = {
  tenant_id: number; currency: string; balance_minor: number; plan_tier: string; trial_expires_at: string | null;
  minutes_remaining_at_bundled_rate: number; rate_per_minute_minor: number;
  autocharge: { enabled?: boolean; threshold_minor?: number | null; amount_minor?: number | null };
  topup_presets_minor: number[];
};
export type LedgerEntry = {
  id: string; kind: string; amount_minor: number; balance_after_minor: number; currency: string;
  description: string; created_at: string;
};
export type History = { entries: LedgerEntry[]; next_cursor: string | null };
export type Topup = { intent_id: string; amount_minor: number; currency: string; status: string; checkout_url: string | null };

export type ApiKey = {
  id: string; name: string; prefix: string; scope: "read" | "write" | "admin"; status: "active" | "expired" | "revoked";
  created_at: string; expires_at: string | null; last_used_at: string | null; revoked_at: string | null;
  revoked_reason: string | null;
};
export type MintedKey = ApiKey & { secret: string };

export type WorkflowStatus = "draft" | "live" | "paused" | "retired";
export type WorkflowSummary = {
  id: string; name: string; status: WorkflowStatus; persona: string; schedule_kind: string; is_test: boolean;
  updated_at: string; created_at: string;
};
export type ObjectionHandler = { trigger: string; rebuttal: string; objection_id?: string | null };
export type RuleBook = {
  system_prompt: string; opener: string;
  disclosures: { ai_disclosure: string; recording_notice: string; opt_out: string };
  objection_handlers: ObjectionHandler[]; goals: string[]; qualification_questions: string[];
  concession_policy: {
    allowed: string[]; currency: string; auto_approve_percent: number; hard_max_percent: number | null;
    auto_approve_limit_minor: number; hard_max_minor: number | null; approval_required_above_limit: boolean;
  };
  callback_policy: { allowed: boolean; max_days_ahead: number; requires_approval: boolean; handled_by: string | null };
  /** Absent from rule books of older stacks: transfers off. */
  transfer_policy?: TransferPolicy;
  voicemail_policy: { action: "hang_up" | "leave_message"; message: string | null };
  calling_window: { start: string; end: string; timezone: string; recipient_local: boolean; days: string[] };
  max_call_seconds: number; language: string; persona: string; schedule_kind: string;
};
/** Who a callee who wants a person is put through to (no number: nobody; a callback is offered instead). */
export type TransferPolicy = { number: string | null; when_callee_asks: boolean; on_approval: boolean; ring_seconds: number };
export type Compliance = {
  consent_attestation_text?: string | null; tcpa_sender_id?: string | null; dpdp_consent_method?: string | null;
  consent_attested_by_user_id?: string | null; consent_attested_at?: string | null;
};
export type WorkflowDetail = WorkflowSummary & {
  nl_prompt: string; rule_book: RuleBook; audience_count: number; runs_count: number; compliance: Compliance;
  archived_at: string | null;
};
export type AudienceResult = {
  accepted: number; rejected_dnc: number; rejected_ncpr: number; rejected_cooldown: number; rejected_invalid: number;
  duplicates: number; total_targets: number;
};
export type Run = {
  id: string; workflow_id: string; status: "running" | "paused" | "completed" | "failed"; is_test: boolean;
  started_at: string; ended_at: string | null; targets_total: number; targets_queued: number;
  targets_dialed: number; targets_connected: number; targets_converted: number; targets_finished: number;
  calls_placed: number; opted_out: number; not_interested: number; callbacks_requested: number; voicemails: number;
  busy: number; no_answer: number; failed_calls: number; skipped_dnc: number; skipped_cooldown: number;
  skipped_no_window: number; skipped_no_funds: number; approvals_pending: number; concessions_decided: number;
  minutes_billed: number; cost_minor: number; currency: string;
  /** Calls the agent put through to a person (absent from older stacks). */
  transfers?: number;
};
export type RunStarted = { run_id: string; status: string; targets_queued: number; resumed: boolean };

export type CallSummary = {
  id: string; workflow_id: string; run_id: string; to: string; from: string | null; status: string;
  outcome: string | null; started_at: string; answered_at: string | null; ended_at: string | null;
  duration_seconds: number; cost_minor: number; currency: string; has_recording: boolean;
  /** Why the call was placed (absent from older stacks: a campaign call). */
  reason?: "campaign" | "callback";
};
/** A call handed to a person (absent or null: it was not transferred). */
export type CallTransfer = {
  status: "requested" | "ringing" | "connected" | "no_answer" | "busy" | "failed"; to_last4: string;
  duration_seconds: number; charged_minor: number; whisper: string;
  /** The callee's message when the person did not answer. */
  message?: string | null;
  recording_url?: string | null;
};
export type CallPage = { calls: CallSummary[]; next_cursor: string | null };
export type TranscriptLine = { speaker: string; text: string; offset_ms: number; interrupted?: boolean };
export type CallDetail = CallSummary & {
  transcript: TranscriptLine[];
  latency: { turns: number; p50_ms: number; p95_ms: number } | null;
  recording: { url: string; duration_ms: number; channels: number } | null;
  analysis?: Record<string, unknown> | null;
  callback_id?: string | null;
  transfer?: CallTransfer | null;
};

export type Approval = {
  id: string; workflow_id: string; run_id: string; call_id?: string | null; target_phone: string;
  proposed_action: string; proposed_value_minor: number | null; currency: string | null; rationale: string | null;
  context: Record<string, unknown> | string | null; status: string; created_at: string; expires_at: string | null;
  decided_at?: string | null; decided_by?: string | null; note?: string | null;
};

export type TimelineEvent = {
  at: string; kind: string; direction: string | null; workflow_id: string | null; run_id: string | null;
  summary: string; payload: Record<string, unknown> | null;
};
export type DncEntry = { id: string; phone_e164: string; reason: string | null; added_at: string };
export type DncPage = { entries: DncEntry[]; total: number; limit: number; offset: number };
export type DncCheck = { phone_e164: string; on_dnc: boolean; on_ncpr: boolean; in_cooldown: boolean; would_be_filtered: boolean };
export type DncImport = { added: number; skipped_existing: number; skipped_invalid: number };

export type ProviderField = { name: string; label?: string; secret?: boolean; required?: boolean; description?: string };
export type Provider = { id: string; name: string; category: string; fields: ProviderField[] | Record<string, unknown>; docs_url?: string };
export type OnboardingStatus = {
  mode: "bundled" | "byok"; providers: Record<string, Record<string, unknown>>;
  checklist: { item: string; done: boolean }[]; complete: boolean; completed_at: string | null;
};
export type SavedCredential = { saved: boolean; validated: boolean; error?: string | null };
export type PhoneNumber = {
  id: string; phone_e164: string; country: string; status: "active" | "released"; provider: string;
  acquired_via: string; monthly_cost_minor: number; currency: string; created_at: string;
};
export type AvailableNumber = {
  phone_e164: string; country: string; region: string | null; locality: string | null; monthly_cost_minor: number;
  currency: string;
};
export type Voice = { id: string; name: string; language: string; gender?: string; accent?: string; description?: string };

export type SlackConnection = {
  connected: boolean; team: { id: string; name: string } | null; channel: { id: string; name: string } | null;
  installed_by: string | null; installed_at: string | null;
};

export type WebhookEndpoint = {
  id: string; url: string; description: string | null; events: string[]; enabled: boolean; created_at: string;
  updated_at: string; failing_since: string | null; disabled_reason: string | null;
};
/** `POST /webhooks` 201: the only answer that carries the signing secret. */
export type CreatedWebhook = WebhookEndpoint & { secret: string | null };
export type Delivery = {
  id: string; event_id: string; event_type: string; status: "pending" | "delivered" | "failed"; attempts: number;
  last_status_code: number | null; next_attempt_at: string | null; created_at: string; last_attempt_at: string | null;
  last_error: string | null; last_response_body: string | null; delivered_at: string | null;
};
export type DeliveryPage = { deliveries: Delivery[]; next_cursor: string | null };

export type CallbackStatus = "scheduled" | "placed" | "cancelled" | "skipped";
export type Callback = {
  id: string; workflow_id: string; run_id: string; target_phone: string; status: CallbackStatus; due_at: string;
  requested_text: string | null; origin_call_id: string | null; approval_id: string | null; call_id: string | null;
  skip_reason: string | null; created_at: string; cancelled_at: string | null;
};
