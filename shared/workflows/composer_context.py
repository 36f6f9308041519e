"""What the offline composer reads from one request, and the calling window it derives from it.

Shared by the composer (first drafts) and its repair round-trip (`composer_repair`), so neither imports
the other's internals.
"""

from __future__ import annotations

from shared.compliance.calling_windows import LEGAL_WINDOWS, hhmm, legal_span, window_violations
from shared.objections.library import seeded_objections
from shared.workflows import composer_cues as cues
from shared.workflows.personas import DEFAULT_PERSONA, DEFAULT_PERSONA_BY_COUNTRY
from shared.workflows.ports import GenerationRequest
from shared.workflows.rule_book import CallingWindow

HOME_ZONE = {"IN": "Asia/Kolkata", "US": "America/New_York", "GB": "Europe/London", "CA": "America/Toronto",
             "AU": "Australia/Sydney", "SG": "Asia/Singapore", "AE": "Asia/Dubai"}
DEFAULT_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat"]


class PromptContext:
    """Everything the composer reads from one request, read once."""

    def __init__(self, request: GenerationRequest) -> None:
        prompt = request.prompt
        self.prompt = prompt
        self.tenant_country = request.tenant_country
        self.business = cues.business(prompt) or "our team"
        self.goal = cues.goal(prompt)
        self.language = cues.language(prompt, request.tenant_country)
        hindi = self.language.startswith("hi")
        self.persona = (request.persona_override or cues.persona(prompt)
                        or ("priya" if hindi else DEFAULT_PERSONA_BY_COUNTRY.get(request.tenant_country,
                                                                                  DEFAULT_PERSONA)))
        window = cues.calling_window(prompt)
        self.countries = sorted({request.tenant_country, *cues.countries(prompt)}
                                | ({cues.ZONE_COUNTRY[window.zone]} if window and window.zone in cues.ZONE_COUNTRY
                                   else set()))
        self.library = request.objection_library or seeded_objections()

    @property
    def home_zone(self) -> str:
        return HOME_ZONE.get(self.tenant_country, "UTC")


def context_of(request: GenerationRequest) -> PromptContext:
    return PromptContext(request)


def compose_window(context: PromptContext) -> tuple[CallingWindow, str | None]:
    """The window the prompt asks for, moved into the legal one of every country it may call (with a note)."""
    cue = None if cues.mentions_legal_window(context.prompt) else cues.calling_window(context.prompt)
    days = cues.days(context.prompt) or DEFAULT_DAYS
    zone = (cue.zone if cue else None) or context.home_zone
    multi_zone = len(LEGAL_WINDOWS.get(context.tenant_country, LEGAL_WINDOWS["US"]).zones) > 1
    local = bool(cue and cue.recipient_local) or (multi_zone and not (cue and cue.zone))
    if cue is None:
        return legal_window(zone, days, context.countries, local, note=None)
    if not window_violations(cue.start, cue.end, zone, days, context.countries, recipient_local=local):
        return CallingWindow(start=hhmm(cue.start), end=hhmm(cue.end), timezone=zone, recipient_local=local,
                             days=days), None
    if not local and not window_violations(cue.start, cue.end, zone, days, context.countries, recipient_local=True):
        note = (f"The requested hours {hhmm(cue.start)}-{hhmm(cue.end)} apply in each recipient's local time, so "
                "they stay inside every audience country's legal calling window.")
        return CallingWindow(start=hhmm(cue.start), end=hhmm(cue.end), timezone=zone, recipient_local=True,
                             days=days), note
    asked = f"{hhmm(cue.start)}-{hhmm(cue.end)}"
    return clamp_window(cue.start, cue.end, zone, days, context.countries, local, asked)


def legal_window(zone: str, days: list[str], countries: list[str], local: bool,
                 note: str | None) -> tuple[CallingWindow, str | None]:
    return clamp_window(0, 24 * 60, zone, days, countries, local, asked=None, note=note)


def clamp_window(start: int, end: int, zone: str, days: list[str], countries: list[str], local: bool,
                 asked: str | None, note: str | None = None) -> tuple[CallingWindow, str | None]:
    """The part of [start, end) that is legal on every kept day; days with no legal hours are dropped."""
    spans = {day: legal_span(zone, day, countries, recipient_local=local) for day in days}
    kept = [day for day in days if spans[day]]
    if not kept and not local:
        return clamp_window(start, end, zone, days, countries, True, asked, note)
    low = max([start] + [spans[day][0] for day in kept])
    high = min([end] + [spans[day][1] for day in kept])
    if low >= high:  # nothing of the asked window is legal: fall back to the legal window itself
        low, high = max(spans[day][0] for day in kept), min(spans[day][1] for day in kept)
    kept = [day for day in kept if not window_violations(low, high, zone, [day], countries, recipient_local=local)]
    if asked:
        note = (f"The requested calling hours {asked} are wider than the legal window; calls are limited to "
                f"{hhmm(low)}-{hhmm(high)} ({'recipient local time' if local else zone}).")
    return CallingWindow(start=hhmm(low), end=hhmm(high), timezone=zone, recipient_local=local,
                         days=kept or ["mon"]), note
