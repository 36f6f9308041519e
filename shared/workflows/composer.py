"""The offline rule-book composer: the sandbox's generator, deterministic and free of any network.

It reads the prompt with plain parsing (`composer_cues`), narrows a too-wide calling window to the
legal one (and says so in the system prompt), and picks handlers from the objection library. What a
tenant asked for and the platform never allows (threats, hiding the AI, ignoring "stop", an 80%
discount without approval) is kept as asked, so the validator refuses it with a 422 naming it. On a
repair round-trip it fixes what can be fixed mechanically and leaves those refusals standing.
"""

from __future__ import annotations

from shared.objections.models import Objection
from shared.workflows import composer_cues as cues
from shared.workflows.composer_context import PromptContext, compose_window, context_of
from shared.workflows.composer_repair import repair_rule_book
from shared.workflows.composer_texts import GOAL_CATEGORIES, GOAL_TEXTS, disclosure_block, voicemail_message
from shared.workflows.composer_title import workflow_title
from shared.workflows.ports import GeneratedRuleBook, GenerationRequest
from shared.workflows.rule_book import (
    CallbackPolicy,
    ConcessionPolicy,
    ObjectionHandler,
    RetryPolicy,
    RetryRule,
    RuleBook,
    TransferPolicy,
    VoicemailPolicy,
)
from shared.workflows.validator import MAX_DISCOUNT_PERCENT

CURRENCY = {"IN": "INR", "GB": "GBP", "CA": "CAD", "AU": "AUD", "SG": "SGD", "AE": "AED"}
MAX_HANDLERS = 12


class OfflineComposer:
    name = "offline-composer"

    def generate(self, request: GenerationRequest) -> GeneratedRuleBook:
        if request.previous_attempt is not None:
            rule_book = repair_rule_book(request.previous_attempt, request.problems, context_of(request))
        else:
            rule_book = compose(request)
        return GeneratedRuleBook(rule_book, workflow_title(request.prompt))


def compose(request: GenerationRequest) -> RuleBook:
    context = PromptContext(request)
    window, window_note = compose_window(context)
    opener, disclosures = disclosure_block(context.persona, context.business, context.language, context.goal)
    leave_message = cues.leaves_voicemail(context.prompt)
    callback_needs_human, handled_by = cues.callback(context.prompt)
    goal_text = GOAL_TEXTS[context.goal]
    rule_book = RuleBook(
        system_prompt=_system_prompt(context, window_note),
        opener=opener,
        disclosures=disclosures,
        objection_handlers=pick_handlers(context.library, context.goal, context.language, context.tenant_country,
                                         context.business),
        goals=list(goal_text.goals),
        qualification_questions=list(goal_text.questions),
        concession_policy=compose_concessions(context),
        callback_policy=CallbackPolicy(allowed=True, max_days_ahead=7, requires_approval=callback_needs_human,
                                       handled_by=handled_by),
        voicemail_policy=VoicemailPolicy(action="leave_message" if leave_message else "hang_up",
                                         message=voicemail_message(context.persona, context.business,
                                                                   context.goal) if leave_message else None),
        retry_policy=RetryPolicy(busy=RetryRule(max_attempts=3, spacing_minutes=30),
                                 no_answer=RetryRule(max_attempts=3, spacing_minutes=120),
                                 voicemail=RetryRule(max_attempts=2, spacing_minutes=240)),
        calling_window=window,
        max_call_seconds=min(max(cues.max_call_seconds(context.prompt) or 300, 30), 1800),
        language=context.language,
        persona=context.persona,
        schedule_kind=cues.schedule_kind(context.prompt),
        transfer_policy=TransferPolicy(number=cues.transfer_number(context.prompt, context.tenant_country)),
    )
    return rule_book


def compose_concessions(context: PromptContext) -> ConcessionPolicy:
    offer = cues.offers(context.prompt)
    currency = offer.currency or CURRENCY.get(context.tenant_country, "USD")
    if offer.no_offers:
        return ConcessionPolicy(allowed=[], currency=currency, approval_required_above_limit=True)
    allowed = list(offer.kinds)
    auto, hard = offer.auto_percent, offer.hard_percent
    if auto is not None or hard is not None:
        allowed.insert(0, "discount_percent")
        if hard is None:  # "10% off; anything more needs my approval": room above, with a human
            hard = min(max(auto * 2, auto + 5), MAX_DISCOUNT_PERCENT) if offer.approval_mentioned else auto
        if auto is None:
            auto = 0 if offer.approval_mentioned else hard
    if offer.credit_minor:
        allowed.append("credit")
    return ConcessionPolicy(
        allowed=allowed, currency=currency, auto_approve_percent=auto or 0, hard_max_percent=hard,
        auto_approve_limit_minor=offer.credit_minor or 0, hard_max_minor=offer.credit_minor,
        approval_required_above_limit=not offer.no_approval or bool(hard and auto is not None and hard > auto))


def pick_handlers(library: tuple[Objection, ...] | list[Objection], goal: str, language: str, country: str,
                  business: str) -> list[ObjectionHandler]:
    """Opt-out handlers always (Hindi ones too for India or Hindi calls), then one per category the goal needs."""
    languages = ("en", "hi") if language.startswith("hi") or country == "IN" else ("en",)
    chosen: list[Objection] = [item for item in library if item.category == "opt_out" and item.language in languages]
    for category in ("trust", *GOAL_CATEGORIES.get(goal, ()), *(("language",) if len(languages) > 1 else ())):
        for lang in languages:
            match = next((item for item in library if item.category == category and item.language == lang
                          and item not in chosen), None)
            if match:
                chosen.append(match)
    return [ObjectionHandler(trigger=item.trigger_text, rebuttal=item.rebuttal_template.replace("{business}", business),
                             objection_id=item.id) for item in chosen[:MAX_HANDLERS]]


def _system_prompt(context: PromptContext, window_note: str | None) -> str:
    goal_text = GOAL_TEXTS[context.goal]
    lines = [
        f"You are {context.persona.capitalize()}, an AI voice assistant calling on behalf of {context.business}. "
        f"Purpose: {goal_text.purpose}.",
        "Say at the start that this is an automated AI call and that it is recorded. Never claim to be human.",
        "Offer an opt-out early. If the callee says stop, don't call, remove me (or the Hindi equivalent), apologise, "
        "end the call politely at once; the number goes on the do-not-call list.",
        "Be polite and truthful; never pressure, threaten or mislead. Only offer what the concession policy allows; "
        "anything above the auto-approve limit needs a human approval while the callee holds.",
    ]
    if window_note:
        lines.append(window_note)
    lines.append(f"Campaign brief from the business: {context.prompt.strip()}")
    return "\n".join(lines)
