"""The dialer's first step: the run's targets, screened again, written to S3 as the Distributed Map's items.

Targets the run finished in an earlier segment are left out (a resume never redials them). Numbers now on
the DNC list or NCPR, or in the 7-day cool-down from before this run, are finished here as skipped, so the
Map only fans out over numbers that may be called.
"""

from __future__ import annotations

from typing import Any

from shared.dialer import repository as runs
from shared.platform import clock
from shared.platform.settings import get_settings

MANIFEST_PREFIX = "manifests"


def manifest_key(tenant_id: int, run_id: str, segment: int) -> str:
    return f"{MANIFEST_PREFIX}/{tenant_id}/{run_id}/{segment}.json"


def prepare(payload: dict[str, Any]) -> dict[str, Any]:
    from shared.audience import repository as audience
    from shared.compliance.service import screen

    tenant_id, workflow_id, run_id = int(payload["tenant_id"]), str(payload["workflow_id"]), str(payload["run_id"])
    segment = int(payload["segment"])
    settings = get_settings()
    run = runs.get(tenant_id, workflow_id, run_id)
    key = manifest_key(tenant_id, run_id, segment)
    if run is None or run.status != "running" or run.segment != segment:
        return _written(settings.media_bucket, key, [], 1)
    finished = runs.finished_numbers(tenant_id, run_id) if segment > 1 else set()
    attempted = runs.attempted_numbers(tenant_id, run_id) if segment > 1 else set()
    targets = [target for target in audience.iter_targets(tenant_id, workflow_id) if target.phone_e164 not in finished]
    screening = screen(tenant_id, [target.phone_e164 for target in targets], clock.now())
    blocked = {**{e164: "skipped_cooldown" for e164 in screening.cooldown if e164 not in attempted},
               **{e164: "skipped_dnc" for e164 in screening.dnc | screening.ncpr}}
    skipped: dict[str, int] = {}
    for e164, counter in blocked.items():
        if runs.finish_target(tenant_id, run_id, e164, counter.removeprefix("skipped_")):
            skipped[counter] = skipped.get(counter, 0) + 1
    if skipped:
        runs.add_counters(tenant_id, workflow_id, run_id, {**skipped, "targets_finished": sum(skipped.values())})
    items = [_item(target) for target in targets if target.phone_e164 not in blocked]
    return _written(settings.media_bucket, key, items, _max_concurrency(tenant_id))


def _item(target: Any) -> dict[str, Any]:
    """The Map's item for a target: its number, its name, and the sandbox callee its row named (only when it did:
    the dial step hands it to the sandbox carrier; a real carrier ignores it)."""
    name = (target.variables or {}).get("name") if isinstance(target.variables, dict) else None
    behaviour = target.sandbox_behaviour
    return {"phone": target.phone_e164, **({"name": str(name)[:80]} if name else {}),
            **({"sandbox_behaviour": behaviour} if behaviour else {})}


def _max_concurrency(tenant_id: int) -> int:
    """The tenant's concurrent-call limit (one Map slot per call in flight)."""
    del tenant_id  # one platform-wide default until plans carry their own limit
    return max(1, get_settings().default_concurrent_calls)


def _written(bucket: str, key: str, items: list[dict[str, Any]], max_concurrency: int) -> dict[str, Any]:
    runs.save_manifest(bucket, key, items)
    return {"bucket": bucket, "key": key, "count": len(items), "max_concurrency": max_concurrency}
