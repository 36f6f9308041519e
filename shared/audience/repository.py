"""A workflow's audience in the single table (patterns AU1–AU3).

Targets are stored in pages, not one item per number: `PK=TENANT#{tid}#WF#{wid}`,
`SK=TARGETS#{page:06d}`, each page a compact JSON list of `[e164, variables]` — `[e164, variables, behaviour]`
for a target whose row named a sandbox behaviour, so other targets are stored as before — (≤ `PAGE_TARGETS`
targets, ≤ `PAGE_BYTES`). One BatchWriteItem (25 items) then stores up to 12,500 targets, which is what
keeps an upload within ~35 DynamoDB requests per 1,000 rows (one item per target would need 40
writes alone). A summary item (`SK=AUDIENCE`) holds the count and the number of pages, so
`count_targets` is one GetItem; it is versioned, and a concurrent upload that changed it first makes
the later one fail with a Conflict instead of miscounting.
"""

from __future__ import annotations

import itertools
import json
import operator
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute, VersionAttribute
from pynamodb.exceptions import DoesNotExist, PutError

from shared.audience.models import AudienceSummary, Target
from shared.platform.errors import Conflict
from shared.platform.storage import keys
from shared.platform.storage.table import TableItem

PAGE_TARGETS = 1000
PAGE_BYTES = 300_000  # DynamoDB's item limit is 400 KB
# One encoder for every target: json.dumps with options would build a new encoder per call.
_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_PHONE_AND_VARIABLES = operator.itemgetter(0, 1)
_BEHAVIOUR = operator.itemgetter(2)


class _TargetPageItem(TableItem, discriminator="AudiencePage"):
    targets = UnicodeAttribute()  # JSON: [[e164, {variable: value}(, sandbox_behaviour)], ...]
    target_count = NumberAttribute()


class _AudienceItem(TableItem, discriminator="Audience"):
    total_targets = NumberAttribute()
    page_count = NumberAttribute()
    updated_at = UTCDateTimeAttribute()
    version = VersionAttribute()


def get_summary(tenant_id: int, workflow_id: str) -> AudienceSummary | None:
    try:
        item = _AudienceItem.get(keys.workflow_audience_pk(tenant_id, workflow_id), keys.AUDIENCE,
                                 consistent_read=True)
    except DoesNotExist:
        return None
    return AudienceSummary(total_targets=int(item.total_targets), page_count=int(item.page_count),
                           version=int(item.version or 0))


def _pages(targets: Iterable[Target]) -> Iterator[tuple[str, int]]:
    """Targets as pages of JSON (text, target count), each under the item size limit.

    A full page is encoded in one call (C speed) when it fits, which is the usual case; the first page
    that would not is cut target by target, and so is the rest of the upload (then the pages are the
    same as if every target had been cut one by one from the start)."""
    iterator = iter(targets)
    while chunk := _stored_page(list(itertools.islice(iterator, PAGE_TARGETS))):
        text = _ENCODE(chunk)
        # The size of the targets alone: what the target-by-target cut counts (no brackets, no commas).
        size = (len(text) if text.isascii() else len(text.encode())) - 1 - len(chunk)
        if size > PAGE_BYTES:
            yield from _pages_target_by_target(itertools.chain(chunk, iterator))
            return
        yield text, len(chunk)


def _stored(target: Sequence[Any]) -> Sequence[Any]:
    """A target as a page holds it: without its sandbox behaviour when it has none (how targets were always stored)."""
    return target if len(target) > 2 and target[2] is not None else target[:2]


def _stored_page(targets: list[Target]) -> list[Sequence[Any]]:
    """`_stored` for a page of targets, at C speed when none names a behaviour (every audience but a rehearsal)."""
    if any(map(_BEHAVIOUR, targets)):
        return [_stored(target) for target in targets]
    return list(map(_PHONE_AND_VARIABLES, targets))


def _pages_target_by_target(targets: Iterable[Target]) -> Iterator[tuple[str, int]]:
    page: list[str] = []
    size = 0
    for target in map(_stored, targets):
        fragment = _ENCODE(target)
        if page and (len(page) >= PAGE_TARGETS or size + len(fragment) > PAGE_BYTES):
            yield f"[{','.join(page)}]", len(page)
            page, size = [], 0
        page.append(fragment)
        size += len(fragment.encode()) if not fragment.isascii() else len(fragment)
    if page:
        yield f"[{','.join(page)}]", len(page)


def write_pages(tenant_id: int, workflow_id: str, first_page: int, targets: Iterable[Target]) -> int:
    """Store targets as pages numbered from `first_page` (BatchWriteItem); returns the pages written."""
    pk = keys.workflow_audience_pk(tenant_id, workflow_id)
    written = 0
    with _TargetPageItem.batch_write() as batch:
        for text, count in _pages(targets):
            batch.save(_TargetPageItem(pk, keys.target_page_sk(first_page + written), targets=text,
                                       target_count=count))
            written += 1
    return written


def delete_pages(tenant_id: int, workflow_id: str, pages: range) -> None:
    pk = keys.workflow_audience_pk(tenant_id, workflow_id)
    with _TargetPageItem.batch_write() as batch:
        for page in pages:
            batch.delete(_TargetPageItem(pk, keys.target_page_sk(page)))


def save_summary(tenant_id: int, workflow_id: str, *, total_targets: int, page_count: int, updated_at: datetime,
                 expected: AudienceSummary | None) -> None:
    """Write the summary if nobody changed it since `expected` was read; Conflict otherwise."""
    item = _AudienceItem(keys.workflow_audience_pk(tenant_id, workflow_id), keys.AUDIENCE,
                         total_targets=total_targets, page_count=page_count, updated_at=updated_at)
    if expected is not None:
        item.version = expected.version
    try:
        item.save()  # VersionAttribute: conditional on the version read (or on absence)
    except PutError as error:
        if getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException":
            raise Conflict("Another upload changed this audience at the same time; try again",
                           code="AUDIENCE_CHANGED") from error
        raise


def delete_summary(tenant_id: int, workflow_id: str) -> None:
    _AudienceItem(keys.workflow_audience_pk(tenant_id, workflow_id), keys.AUDIENCE).delete(add_version_condition=False)


def iter_targets(tenant_id: int, workflow_id: str) -> Iterator[Target]:
    """Every stored target, page by page (Query; ~1 request per MB)."""
    pk = keys.workflow_audience_pk(tenant_id, workflow_id)
    for item in _TargetPageItem.query(pk, _TargetPageItem.SK.startswith(keys.TARGET_PAGE_PREFIX)):
        for stored in json.loads(item.targets):
            yield Target(*stored)


def stored_numbers(tenant_id: int, workflow_id: str) -> set[str]:
    return {target.phone_e164 for target in iter_targets(tenant_id, workflow_id)}
