"""What we tell Claude: the rules every rule book must follow, the objection library, the request,
and — on a repair round-trip — the previous attempt with the validator's problems.

Kept apart from the adapter so the wording can change without touching the HTTP/SDK handling.
"""

from __future__ import annotations

import json
from typing import Any

from shared.workflows.ports import PERSONAS, GenerationRequest

TOOL_NAME = "submit_rule_book"
TOOL_DESCRIPTION = ("Submit the complete rule book for the outbound calling campaign. Call this exactly once with "
                    "every required field filled in.")
PREVIOUS_ATTEMPT_ID = "toolu_previous_attempt"
NAME_FIELD = "name"
NAME_LENGTH = 60

_RULES = f"""You write rule books for CallFunnel, a platform that places compliant outbound phone calls with an AI \
voice caller. A rule book is everything the AI caller may say and do in one campaign. Submit it through the \
{TOOL_NAME} tool; never answer in prose.

Rules every rule book must follow (the platform rejects a rule book that breaks one):
1. Calling window, in the recipient's local time: United States 08:00-21:00 (TCPA), India 09:00-21:00. The \
campaign's own window may only narrow these, never widen them; it must hold in every audience country. Use 24-hour \
HH:MM and an IANA time zone.
2. AI disclosure: the opener names the caller and the business and says plainly that this is an automated AI call. \
Never instruct the caller to hide or deny that it is an AI.
3. Recording notice: the opener says the call is recorded.
4. Opt-out: offer it early (in the opener). When the callee says "stop calling", "don't call me", "remove me" or a \
Hindi equivalent ("mujhe call mat karo", "band karo"), the caller apologises, confirms removal and ends the call; \
the system prompt must require this. Never tell the caller to keep calling someone who opted out.
5. Concessions: list only what the prompt allows, with the prompt's own numbers: "offer up to 15% off" means a \
hard maximum of 15%, "auto-approve 10%" an auto-approve limit of 10%; never more. The auto-approve limit is at \
most the hard maximum; anything above \
the auto-approve limit needs human approval; discounts never exceed 50% and auto-approve never exceeds 25%. Money \
limits are in minor units (cents, paise) of the campaign's currency. With no offers, leave `allowed` empty and the \
limits at 0/null.
6. Never threaten (legal action, police, arrest) and never pressure a callee who declines.
7. Disclosures quote the exact sentences of the opener. A voicemail that is left also says the call is automated.
8. Every objection handler has a non-empty trigger and rebuttal. Prefer objections from the library below and set \
`objection_id` to the library id you used; add your own only when the library lacks one.
9. persona is one of: {", ".join(PERSONAS)}. language is a BCP 47 tag such as en, en-IN or hi.
10. Leave `metadata` null: the platform fills it in.
11. `name` is what the business owner sees in their list of campaigns: a short title of 2 to 6 words, such as \
"SaaS renewal recovery" or "Smile Dental appointment confirmations" — not the prompt itself.
12. `analysis_fields` is what is extracted from every call once it ends. Leave it out (the platform fills in its \
defaults) unless the prompt asks to capture something more; then give the defaults and add the new fields.
13. `transfer_policy`: set `number` (E.164, with the country code: "+14155550123") only when the prompt names a \
number to transfer callees to ("transfer to +1 415 555 0123", "our team at 020 7946 0018"); otherwise leave the \
number null (callees who want a person are offered a callback)."""


def tool_input_schema(rule_book_schema: dict[str, Any]) -> dict[str, Any]:
    """The rule book's JSON schema plus the workflow's short `name` (taken off before the rule book is read)."""
    schema = dict(rule_book_schema)
    schema["properties"] = {NAME_FIELD: {"type": "string", "minLength": 1, "maxLength": NAME_LENGTH,
                                         "description": "A short title for the campaign, 2-6 words."},
                            **schema.get("properties", {})}
    schema["required"] = [NAME_FIELD, *schema.get("required", [])]
    return schema


def workflow_name(value: Any) -> str | None:
    """Claude's `name`, tidied; None when it gave nothing usable (the platform then derives one)."""
    if not isinstance(value, str):
        return None
    name = " ".join(value.split()).strip(" .\"'")
    return name[:NAME_LENGTH].rstrip() or None


def system_prompt(request: GenerationRequest) -> str:
    library = "\n".join(_objection_line(objection) for objection in request.objection_library)
    return f"{_RULES}\n\nObjection library (one JSON object per line):\n{library or '(empty)'}"


def _objection_line(objection: Any) -> str:
    fields = objection.model_dump(mode="json") if hasattr(objection, "model_dump") else dict(vars(objection))
    fields.pop("use_count", None)  # popularity says nothing to the model
    return json.dumps(fields, ensure_ascii=False, sort_keys=True)


def first_message(request: GenerationRequest) -> str:
    lines = [f"Campaign description from the tenant:\n<prompt>\n{request.prompt}\n</prompt>",
             f"The tenant's country (default region of the audience): {request.tenant_country}."]
    if request.persona_override:
        lines.append(f"Use the persona '{request.persona_override}'.")
    return "\n\n".join(lines)


def messages(request: GenerationRequest) -> list[dict[str, Any]]:
    """The conversation: the request, and on a repair the previous tool call with the validator's verdict."""
    conversation: list[dict[str, Any]] = [{"role": "user", "content": first_message(request)}]
    if request.previous_attempt is None or not request.problems:
        return conversation
    previous = request.previous_attempt.model_dump(mode="json", exclude={"metadata"})
    problems = "\n".join(f"- {problem.field}: {problem.message}" for problem in request.problems)
    conversation += [
        {"role": "assistant", "content": [
            {"type": "tool_use", "id": PREVIOUS_ATTEMPT_ID, "name": TOOL_NAME, "input": previous}]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": PREVIOUS_ATTEMPT_ID, "is_error": True,
             "content": f"The platform's validator rejected this rule book:\n{problems}\n\nCall {TOOL_NAME} again "
                        "with a corrected, complete rule book that fixes every problem and keeps what was right."}]},
    ]
    return conversation
