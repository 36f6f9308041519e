"""The offline composer's repair round-trip: fix what the validator found, where a fix is mechanical.

Fixed: the window (narrowed to the legal one), missing disclosures (the standard opener sentences are
put first), empty handlers (dropped), voicemail text, out-of-range retries and lengths, an unknown
persona or language, limits that contradict each other. Not fixed, on purpose: instructions the
platform forbids and discounts above the platform's ceiling — the tenant asked for them, so the 422
must say so rather than a silently different rule book.
"""

from __future__ import annotations

from shared.compliance.calling_windows import is_known_zone, minutes_of
from shared.workflows.composer_context import DEFAULT_DAYS, PromptContext, clamp_window, legal_window
from shared.workflows.composer_texts import disclosure_block, voicemail_message
from shared.workflows.personas import is_known_persona
from shared.workflows.ports import Problem
from shared.workflows.prompt_limits import PromptLimits, limits_in
from shared.workflows.rule_book import RetryPolicy, RetryRule, RuleBook
from shared.workflows.validator import MAX_AUTO_APPROVE_PERCENT, MAX_DISCOUNT_PERCENT, MAX_RETRY_ATTEMPTS


def repair_rule_book(previous: RuleBook, problems: tuple[Problem, ...], context: PromptContext) -> RuleBook:
    fields = {problem.field for problem in problems}
    book = previous.model_copy(deep=True)
    if any(field.startswith("calling_window") for field in fields):
        _repair_window(book, context)
    if not is_known_persona(book.persona):
        book.persona = context.persona
    if any(field.startswith("disclosures") or field == "opener" for field in fields):
        opener, book.disclosures = disclosure_block(book.persona, context.business, context.language, context.goal)
        book.opener = f"{opener} {previous.opener}".strip() if previous.opener else opener
    book.objection_handlers = [handler for handler in book.objection_handlers
                               if handler.trigger.strip() and handler.rebuttal.strip()]
    _repair_voicemail(book, context)
    _repair_limits(book, limits_in(context.prompt))
    book.retry_policy = RetryPolicy(**{outcome: _sane_retry(getattr(book.retry_policy, outcome))
                                       for outcome in ("busy", "no_answer", "voicemail")})
    book.max_call_seconds = min(max(book.max_call_seconds, 30), 1800)
    book.callback_policy.max_days_ahead = min(max(book.callback_policy.max_days_ahead, 0), 30)
    if "language" in fields:
        book.language = context.language
    return book


def _repair_window(book: RuleBook, context: PromptContext) -> None:
    window = book.calling_window
    start, end = minutes_of(window.start), minutes_of(window.end)
    zone = window.timezone if is_known_zone(window.timezone) else context.home_zone
    days = list(dict.fromkeys(window.days)) or DEFAULT_DAYS
    if start is None or end is None or start >= end:
        fixed, note = legal_window(zone, days, context.countries, window.recipient_local, note=None)
    else:
        fixed, note = clamp_window(start, end, zone, days, context.countries, window.recipient_local,
                                   asked=f"{window.start}-{window.end}")
    book.calling_window = fixed
    if note and note not in book.system_prompt:
        book.system_prompt = f"{book.system_prompt}\n{note}"


def _repair_voicemail(book: RuleBook, context: PromptContext) -> None:
    voicemail = book.voicemail_policy
    if voicemail.action == "hang_up":
        voicemail.message = None
    elif not (voicemail.message or "").strip():
        voicemail.message = voicemail_message(book.persona, context.business, context.goal)
    elif "automated" not in voicemail.message.lower():
        voicemail.message = f"This is an automated message from {context.business}. {voicemail.message}"


def _repair_limits(book: RuleBook, prompt: PromptLimits) -> None:
    """Make the limits agree with each other and with the prompt's; never raise a limit, never lift the
    platform's ceilings."""
    policy = book.concession_policy
    if prompt.discount_percent is not None and (policy.hard_max_percent or 0) > prompt.discount_percent:
        policy.hard_max_percent = prompt.discount_percent
    if prompt.auto_approve_percent is not None and policy.auto_approve_percent > prompt.auto_approve_percent:
        policy.auto_approve_percent = prompt.auto_approve_percent
    if "discount_percent" not in policy.allowed:
        policy.auto_approve_percent, policy.hard_max_percent = 0, None
    elif policy.hard_max_percent is None or policy.hard_max_percent < 0:
        policy.hard_max_percent = min(max(policy.auto_approve_percent, 0), MAX_DISCOUNT_PERCENT)
    if not {"fee_waiver", "credit"} & set(policy.allowed):
        policy.auto_approve_limit_minor, policy.hard_max_minor = 0, None
    elif policy.hard_max_minor is None or policy.hard_max_minor < 0:
        policy.hard_max_minor = max(policy.auto_approve_limit_minor, 0)
    policy.auto_approve_percent = max(0, min(policy.auto_approve_percent, policy.hard_max_percent or 0))
    policy.auto_approve_limit_minor = max(0, min(policy.auto_approve_limit_minor, policy.hard_max_minor or 0))
    within_ceiling = (policy.hard_max_percent or 0) <= MAX_DISCOUNT_PERCENT \
        and policy.auto_approve_percent <= MAX_AUTO_APPROVE_PERCENT
    if within_ceiling:
        policy.approval_required_above_limit = True


def _sane_retry(rule: RetryRule) -> RetryRule:
    return RetryRule(max_attempts=min(max(rule.max_attempts, 1), MAX_RETRY_ATTEMPTS),
                     spacing_minutes=min(max(rule.spacing_minutes, 10), 7 * 24 * 60))
