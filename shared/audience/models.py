"""Audience rows as uploaded, targets as stored, and the counts an upload answers with."""

from __future__ import annotations

from typing import Literal, NamedTuple

from pydantic import BaseModel

#: "replace" (the default): the upload becomes the workflow's whole audience, so uploading the same
#: file twice gives the same audience. "append": the upload's new numbers are added to it.
IngestMode = Literal["replace", "append"]
DEFAULT_MODE: IngestMode = "replace"


class AudienceRow(NamedTuple):
    """One uploaded row: the phone number as written, the other columns as script variables, and the sandbox
    callee the row asks for (`sandbox_behaviour`, checked and in its canonical spelling; None: the last digit)."""

    phone: str | None
    variables: dict[str, str]
    sandbox_behaviour: str | None = None


class Target(NamedTuple):
    """One number the workflow may dial, with its per-recipient variables and, when its row named one, the sandbox
    callee it rehearses (one of shared.providers.telephony.sandbox_behaviours.BEHAVIOURS; real carriers ignore it)."""

    phone_e164: str
    variables: dict[str, str]
    sandbox_behaviour: str | None = None


class AudienceIngestResult(BaseModel):
    """`POST /workflows/{id}/audience` 200.

    Each distinct valid number of the upload lands in exactly one of accepted / rejected_dnc /
    rejected_ncpr / rejected_cooldown (checked in that order: a number on the DNC list and the NCPR is
    counted as DNC). `rejected_invalid` counts rows whose number is missing or not a valid number.
    `duplicates` counts rows whose number was already seen earlier in the upload (or, when appending,
    is already a target): they are collapsed into the first, so
    rows = accepted + rejected_* + duplicates (blank lines are not rows). `total_targets` is how many
    targets the workflow holds after the upload.
    """

    accepted: int
    rejected_dnc: int
    rejected_ncpr: int
    rejected_cooldown: int
    rejected_invalid: int
    duplicates: int
    total_targets: int


class AudienceSummary(BaseModel):
    total_targets: int
    page_count: int
    version: int
