"""Audience ingest: normalise, collapse duplicates, screen (DNC → NCPR → cool-down), store the targets.

Used by `POST /workflows/{id}/audience` (the route checks the workflow and parses the body with
`shared.audience.uploads.read_csv` / `parse_json_rows`) and by the dialer (`iter_targets`).
Uploads replace the audience by default; `mode="append"` adds to it. The dialer screens each number
again right before dialing, so a number put on the DNC list after the upload is never called.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from shared.audience import repository
from shared.audience.models import DEFAULT_MODE, AudienceIngestResult, AudienceRow, IngestMode, Target
from shared.phones import PhoneNormaliser
from shared.platform import clock
from shared.platform.errors import BadRequest
from shared.platform.observability import count_business_event

MAX_ROWS = 200_000


def ingest_audience(tenant_id: int, workflow_id: str, tenant_country: str | None, rows: Iterable[AudienceRow],
                    mode: IngestMode = DEFAULT_MODE, now: datetime | None = None) -> AudienceIngestResult:
    """Store the upload's eligible numbers as the workflow's targets and count what happened to each row.

    - `tenant_id`: the principal's tenant (never from input); `workflow_id`: checked by the caller.
    - `tenant_country`: ISO code used as the default region for numbers written without a country code.
    - `rows`: from `read_csv` (streamed: read once, never held as a list) or `parse_json_rows`.
    - `mode`: "replace" (default: the upload becomes the whole audience) or "append" (new numbers are
      added; numbers already stored stay as they are and count as duplicates).
    Counts: see `AudienceIngestResult`. DynamoDB: batched reads and writes (~35 requests per 1,000 rows).
    Memory: one entry per distinct valid number (needed to collapse duplicates before anything is
    written); the rows, the file's text and the stored pages are never all held at once.
    """
    if mode not in ("replace", "append"):
        raise BadRequest("mode must be 'replace' or 'append'", code="VALIDATION_ERROR", field="mode")
    candidates, behaviours, invalid, duplicates = _distinct_numbers(rows, PhoneNormaliser(tenant_country))

    summary = repository.get_summary(tenant_id, workflow_id)
    kept = 0
    if mode == "append" and summary is not None and summary.total_targets:
        stored = repository.stored_numbers(tenant_id, workflow_id)
        before = len(candidates)
        candidates = {e164: variables for e164, variables in candidates.items() if e164 not in stored}
        del stored
        duplicates += before - len(candidates)
        kept = summary.total_targets

    from shared.compliance.service import screen

    screening = screen(tenant_id, candidates, now or clock.now())
    blocked = screening.dnc | screening.ncpr | screening.cooldown
    accepted = len(candidates) - len(blocked)
    # A generator, not a list: pages are encoded and written as the targets come.
    targets = (Target(e164, variables, behaviours.get(e164)) for e164, variables in candidates.items()
               if e164 not in blocked)

    old_pages = summary.page_count if summary else 0
    first_page = old_pages if mode == "append" else 0
    written = repository.write_pages(tenant_id, workflow_id, first_page, targets)
    if mode == "replace" and old_pages > written:
        repository.delete_pages(tenant_id, workflow_id, range(written, old_pages))
    total = kept + accepted
    repository.save_summary(tenant_id, workflow_id, total_targets=total, page_count=first_page + written,
                            updated_at=clock.now_seconds(), expected=summary)
    count_business_event("AudienceTargetsAccepted", accepted)
    return AudienceIngestResult(accepted=accepted, rejected_dnc=len(screening.dnc),
                                rejected_ncpr=len(screening.ncpr), rejected_cooldown=len(screening.cooldown),
                                rejected_invalid=invalid, duplicates=duplicates, total_targets=total)


def _distinct_numbers(rows: Iterable[AudienceRow], normalise: PhoneNormaliser) -> tuple[dict[str, dict[str, str]],
                                                                                         dict[str, str], int, int]:
    """The upload's distinct valid numbers (E.164 → the first row's variables), the sandbox behaviours the first
    rows of those numbers named (only those that named one: an audience without the column costs nothing more),
    invalid and duplicate counts.

    Reads the rows once, as they come (a streamed CSV is never a list), and before anything is written:
    an upload over `MAX_ROWS` is refused whole, leaving the stored audience as it was."""
    candidates: dict[str, dict[str, str]] = {}
    behaviours: dict[str, str] = {}
    invalid = duplicates = 0
    for count, (phone, variables, behaviour) in enumerate(rows, 1):
        e164 = normalise(phone)
        if e164 is None:
            invalid += 1
        elif e164 in candidates:
            duplicates += 1  # the first row's variables (and behaviour) win
        else:
            candidates[e164] = variables
            if behaviour:
                behaviours[e164] = behaviour
        if count > MAX_ROWS:
            raise BadRequest(f"At most {MAX_ROWS} rows per upload", code="TOO_MANY_ROWS", field="file")
    return candidates, behaviours, invalid, duplicates


def count_targets(tenant_id: int, workflow_id: str) -> int:
    """Targets stored for the workflow (one GetItem): the workflow's `audience_count`."""
    summary = repository.get_summary(tenant_id, workflow_id)
    return summary.total_targets if summary else 0


def delete_targets(tenant_id: int, workflow_id: str) -> None:
    """Remove the workflow's whole audience (workflow deletion, DSR tooling)."""
    summary = repository.get_summary(tenant_id, workflow_id)
    if summary is None:
        return
    repository.delete_pages(tenant_id, workflow_id, range(summary.page_count))
    repository.delete_summary(tenant_id, workflow_id)


def iter_targets(tenant_id: int, workflow_id: str) -> Iterator[Target]:
    """Every stored target (the dialer's manifest), page by page."""
    return repository.iter_targets(tenant_id, workflow_id)
