"""The rule-book validator: RULES.md as code. Every problem names its field (`calling_window.end`,
`objection_handlers.2.rebuttal`), so the 422 tells the tenant exactly what to fix."""

from __future__ import annotations

import re
from collections.abc import Collection

from shared import phones
from shared.compliance.calling_windows import is_known_zone, minutes_of, window_violations
from shared.platform.errors import Invalid
from shared.workflows.personas import PERSONAS, is_known_persona
from shared.workflows.ports import Problem
from shared.workflows.prompt_limits import limits_in
from shared.workflows.rule_book import CONCESSION_KINDS, MONEY_CONCESSIONS, RuleBook

#: Platform ceilings on discounts, whatever a tenant asks for.
MAX_DISCOUNT_PERCENT = 50
MAX_AUTO_APPROVE_PERCENT = 25
MAX_RETRY_ATTEMPTS = 10
RETRY_SPACING_MINUTES = (10, 7 * 24 * 60)
CALL_SECONDS = (30, 1800)
ANALYSIS_CHOICES = (2, 10)  # how many values a string analysis field may be limited to
ANALYSIS_CHOICE_CHARS = 60
TRANSFER_RING_SECONDS = (5, 60)
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")

# Disclosure cues, English and Hindi (Devanagari and romanised).
AI_CUES = re.compile(r"\b(ai|a\.i\.|automated|artificial|virtual assistant|digital assistant|robot)\b|एआई|स्वचालित"
                     r"|कृत्रिम", re.IGNORECASE)
RECORDING_CUES = re.compile(r"record|रिकॉर्ड|रेकॉर्ड", re.IGNORECASE)
OPT_OUT_CUES = re.compile(r"\bstop\b|opt[- ]?out|not to (be )?call|don'?t want|remove (you|your)|do not call"
                          r"|unsubscribe|\bband\b|मत कीजिए|बंद|रोक", re.IGNORECASE)

# Instructions a rule book must never carry, whoever wrote them: (why, pattern).
FORBIDDEN_INSTRUCTIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("threatens the callee (legal action, police, arrest)",
     re.compile(r"legal action|\bpolice\b|\barrest|\bjail\b|\bsue\b|\blawsuit|court case|kanooni|पुलिस", re.I)),
    ("hides that the call is automated",
     re.compile(r"pretend(ing)? to be (a )?(real|human)|never (say|mention|disclose|reveal|admit)[^.]{0,40}"
                r"(automated|\bai\b|robot|bot\b)|(do not|don't) (say|mention|disclose|reveal|admit)[^.]{0,40}"
                r"(automated|\bai\b|robot|bot\b)", re.I)),
    ("ignores an opt-out",
     re.compile(r"even if (they|the (customer|callee|person)) (say|says|ask|asks)[^.]{0,20}(stop|not to call)"
                r"|keep calling|ignore[^.]{0,20}(stop|opt[- ]?out|dnc|do not call)", re.I)),
)


def find_problems(rule_book: RuleBook, audience_countries: Collection[str], prompt: str | None = None) -> list[Problem]:
    """Everything wrong with the rule book, in field order; empty when it may be used. With the workflow's
    `prompt`, the concession limits it states bind the rule book too."""
    problems: list[Problem] = []
    problems += _instruction_problems(rule_book)
    problems += _disclosure_problems(rule_book)
    problems += _handler_problems(rule_book)
    problems += _concession_problems(rule_book)
    if prompt:
        problems += _prompt_limit_problems(rule_book, prompt)
    problems += _policy_problems(rule_book)
    problems += _window_problems(rule_book, audience_countries)
    problems += _analysis_field_problems(rule_book)
    problems += _transfer_problems(rule_book)
    if not is_known_persona(rule_book.persona):
        problems.append(Problem("persona", f"Unknown persona '{rule_book.persona}'; use one of "
                                           + ", ".join(PERSONAS)))
    if not LANGUAGE_TAG.match(rule_book.language or ""):
        problems.append(Problem("language", "Give the language as a tag such as 'en', 'hi' or 'en-IN'"))
    if not CALL_SECONDS[0] <= rule_book.max_call_seconds <= CALL_SECONDS[1]:
        problems.append(Problem("max_call_seconds", f"Must be between {CALL_SECONDS[0]} and {CALL_SECONDS[1]}"))
    return problems


def ensure_valid(rule_book: RuleBook, audience_countries: Collection[str], prompt: str | None = None) -> None:
    """Raise the contract's 422, field by field, when the rule book breaks any rule."""
    problems = find_problems(rule_book, audience_countries, prompt)
    if problems:
        raise Invalid(f"The rule book breaks {len(problems)} rule{'s' if len(problems) > 1 else ''}",
                      code="RULE_BOOK_INVALID", field=problems[0].field,
                      errors=[{"field": problem.field, "message": problem.message} for problem in problems])


def _texts(rule_book: RuleBook) -> list[tuple[str, str]]:
    texts = [("system_prompt", rule_book.system_prompt), ("opener", rule_book.opener)]
    for index, handler in enumerate(rule_book.objection_handlers):
        texts.append((f"objection_handlers.{index}.rebuttal", handler.rebuttal))
    texts.append(("voicemail_policy.message", rule_book.voicemail_policy.message or ""))
    return texts


def _instruction_problems(rule_book: RuleBook) -> list[Problem]:
    problems = []
    for field, text in _texts(rule_book):
        for why, pattern in FORBIDDEN_INSTRUCTIONS:
            found = pattern.search(text)
            if found:
                quoted = _sentence_around(text, found)
                problems.append(Problem(field, f"Instruction not allowed: it {why} ('{quoted}')"))
    return problems


def _sentence_around(text: str, found: re.Match[str]) -> str:
    start = max(text.rfind(".", 0, found.start()) + 1, 0)
    end = text.find(".", found.end())
    return text[start:end if end != -1 else len(text)].strip()[:160]


def _disclosure_problems(rule_book: RuleBook) -> list[Problem]:
    problems, opener, disclosures = [], rule_book.opener.casefold(), rule_book.disclosures
    checks = (("ai_disclosure", AI_CUES, "say the call is automated / made by an AI", opener),
              ("recording_notice", RECORDING_CUES, "say the call is recorded", opener),
              ("opt_out", OPT_OUT_CUES, "offer an opt-out", opener + " " + rule_book.system_prompt.casefold()))
    for name, cues, duty, where in checks:
        phrase = getattr(disclosures, name).strip()
        if not phrase or not cues.search(phrase):
            problems.append(Problem(f"disclosures.{name}", f"Missing: the opener must {duty}"))
        elif phrase.casefold() not in where:
            problems.append(Problem("opener", f"The opener must contain the {name.replace('_', ' ')}: '{phrase}'"))
    return problems


def _handler_problems(rule_book: RuleBook) -> list[Problem]:
    problems = []
    for index, handler in enumerate(rule_book.objection_handlers):
        for name in ("trigger", "rebuttal"):
            if not getattr(handler, name).strip():
                problems.append(Problem(f"objection_handlers.{index}.{name}", f"The {name} must not be empty"))
    return problems


def _concession_problems(rule_book: RuleBook) -> list[Problem]:
    policy, field = rule_book.concession_policy, "concession_policy"
    problems = [Problem(f"{field}.allowed", f"Unknown concession '{kind}'; use {', '.join(CONCESSION_KINDS)}")
                for kind in policy.allowed if kind not in CONCESSION_KINDS]
    discounts = "discount_percent" in policy.allowed
    problems += _limit_problems(f"{field}.auto_approve_percent", policy.auto_approve_percent,
                                f"{field}.hard_max_percent", policy.hard_max_percent, discounts,
                                policy.approval_required_above_limit)
    if discounts and (policy.hard_max_percent or 0) > MAX_DISCOUNT_PERCENT:
        problems.append(Problem(f"{field}.hard_max_percent", f"A discount above {MAX_DISCOUNT_PERCENT}% is never "
                                                            "allowed"))
    if discounts and policy.auto_approve_percent > MAX_AUTO_APPROVE_PERCENT:
        problems.append(Problem(f"{field}.auto_approve_percent",
                                f"Discounts above {MAX_AUTO_APPROVE_PERCENT}% need a human approval"))
    problems += _limit_problems(f"{field}.auto_approve_limit_minor", policy.auto_approve_limit_minor,
                                f"{field}.hard_max_minor", policy.hard_max_minor,
                                bool(MONEY_CONCESSIONS & set(policy.allowed)), policy.approval_required_above_limit)
    if len(policy.currency) != 3 or not policy.currency.isalpha():
        problems.append(Problem(f"{field}.currency", "Give an ISO 4217 currency such as 'USD' or 'INR'"))
    return problems


def _prompt_limit_problems(rule_book: RuleBook, prompt: str) -> list[Problem]:
    policy, limits, field = rule_book.concession_policy, limits_in(prompt), "concession_policy"
    if "discount_percent" not in policy.allowed:
        return []
    problems = []
    if limits.discount_percent is not None and (policy.hard_max_percent or 0) > limits.discount_percent:
        problems.append(Problem(f"{field}.hard_max_percent",
                                f"The prompt allows discounts up to {limits.discount_percent}%, "
                                f"not {policy.hard_max_percent}%"))
    if limits.auto_approve_percent is not None and policy.auto_approve_percent > limits.auto_approve_percent:
        problems.append(Problem(f"{field}.auto_approve_percent",
                                f"The prompt lets the agent grant {limits.auto_approve_percent}% without approval, "
                                f"not {policy.auto_approve_percent}%"))
    return problems


def _limit_problems(auto_field: str, auto: int, hard_field: str, hard: int | None, offered: bool,
                    approval_required: bool) -> list[Problem]:
    """One pair of limits (percent or money): 0 <= auto <= hard, approval between them, nothing when not offered."""
    if not offered:
        if auto or hard:
            return [Problem(auto_field if auto else hard_field,
                            "Limits must be 0/null when no such concession is allowed")]
        return []
    if hard is None:
        return [Problem(hard_field, "A hard maximum is required when this concession is allowed")]
    if not 0 <= auto <= hard:
        return [Problem(auto_field, "The auto-approve limit must be between 0 and the hard maximum")]
    if hard > auto and not approval_required:
        return [Problem("concession_policy.approval_required_above_limit",
                        "Anything above the auto-approve limit must go to a human for approval")]
    return []


def _policy_problems(rule_book: RuleBook) -> list[Problem]:
    problems = []
    voicemail = rule_book.voicemail_policy
    has_message = bool((voicemail.message or "").strip())
    if voicemail.action == "leave_message" and not has_message:
        problems.append(Problem("voicemail_policy.message", "A message is required to leave a voicemail"))
    if voicemail.action == "hang_up" and has_message:
        problems.append(Problem("voicemail_policy.message", "No message is left when the action is hang_up"))
    if voicemail.action == "leave_message" and has_message and not AI_CUES.search(voicemail.message or ""):
        problems.append(Problem("voicemail_policy.message", "The voicemail must say the call is automated"))
    for outcome in ("busy", "no_answer", "voicemail"):
        rule = getattr(rule_book.retry_policy, outcome)
        if not 1 <= rule.max_attempts <= MAX_RETRY_ATTEMPTS:
            problems.append(Problem(f"retry_policy.{outcome}.max_attempts",
                                    f"Must be between 1 and {MAX_RETRY_ATTEMPTS}"))
        if not RETRY_SPACING_MINUTES[0] <= rule.spacing_minutes <= RETRY_SPACING_MINUTES[1]:
            problems.append(Problem(f"retry_policy.{outcome}.spacing_minutes",
                                    f"Must be between {RETRY_SPACING_MINUTES[0]} and {RETRY_SPACING_MINUTES[1]}"))
    if not 0 <= rule_book.callback_policy.max_days_ahead <= 30:
        problems.append(Problem("callback_policy.max_days_ahead", "Must be between 0 and 30"))
    return problems


def _window_problems(rule_book: RuleBook, countries: Collection[str]) -> list[Problem]:
    window = rule_book.calling_window
    start, end = minutes_of(window.start), minutes_of(window.end)
    problems = []
    if start is None:
        problems.append(Problem("calling_window.start", "Give the start as 24-hour HH:MM"))
    if end is None:
        problems.append(Problem("calling_window.end", "Give the end as 24-hour HH:MM"))
    if not is_known_zone(window.timezone):
        problems.append(Problem("calling_window.timezone", f"Unknown IANA time zone '{window.timezone}'"))
    if not window.days:
        problems.append(Problem("calling_window.days", "Give at least one day"))
    if problems:
        return problems
    if start >= end:
        return [Problem("calling_window.end", "The end must be later than the start")]
    return [Problem(f"calling_window.{violation.bound}", violation.message) for violation in window_violations(
        start, end, window.timezone, list(dict.fromkeys(window.days)), countries,
        recipient_local=window.recipient_local)]


def _analysis_field_problems(rule_book: RuleBook) -> list[Problem]:
    """Names once each (they are the analysis's keys); choices only on a string field, a few short distinct ones."""
    problems, seen = [], set()
    for index, field in enumerate(rule_book.analysis_fields):
        where = f"analysis_fields.{index}"
        if field.name in seen:
            problems.append(Problem(f"{where}.name", f"The name '{field.name}' is used twice"))
        seen.add(field.name)
        if not field.description.strip():
            problems.append(Problem(f"{where}.description", "The description must not be empty"))
        if field.choices is None:
            continue
        choices = [choice.strip() for choice in field.choices]
        if field.type != "string":
            problems.append(Problem(f"{where}.choices", "Only a string field may have choices"))
        elif not ANALYSIS_CHOICES[0] <= len(choices) <= ANALYSIS_CHOICES[1]:
            problems.append(Problem(f"{where}.choices", f"Give between {ANALYSIS_CHOICES[0]} and "
                                                        f"{ANALYSIS_CHOICES[1]} choices"))
        elif (not all(0 < len(choice) <= ANALYSIS_CHOICE_CHARS for choice in choices)
              or len({choice.casefold() for choice in choices}) != len(choices)):
            problems.append(Problem(f"{where}.choices", f"Choices must be distinct, non-empty and at most "
                                                        f"{ANALYSIS_CHOICE_CHARS} characters"))
    return problems


def _transfer_problems(rule_book: RuleBook) -> list[Problem]:
    """A transfer number is a valid E.164 number written as such (it is dialed as given); the ring time is bounded."""
    policy, problems = rule_book.transfer_policy, []
    if policy.number is not None and phones.to_e164(policy.number, None) != policy.number:
        problems.append(Problem("transfer_policy.number",
                                "Give the transfer number in E.164 form, e.g. '+14155550123'"))
    if not TRANSFER_RING_SECONDS[0] <= policy.ring_seconds <= TRANSFER_RING_SECONDS[1]:
        problems.append(Problem("transfer_policy.ring_seconds",
                                f"Must be between {TRANSFER_RING_SECONDS[0]} and {TRANSFER_RING_SECONDS[1]}"))
    return problems
