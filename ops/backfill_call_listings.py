"""Give calls written before the calls API its listing keys: `python -m ops.backfill_call_listings [--dry-run]`.

`GET /calls` filters by status through GSI2 and by workflow, run and number through `CallRef` items
(ACCESS_PATTERNS.md, CL4/CL5); calls stored before those existed list only unfiltered until this has run once
after the deploy that adds GSI2. It scans the table for calls without a status key (an ops tool, never a request
path) and writes each one's keys and refs in one transaction; running it again changes nothing. A call whose
status changes meanwhile gets its new status key from that write, as every call does. The table and region come
from the usual settings (TABLE_NAME, AWS_REGION).
"""

from __future__ import annotations

import argparse
import sys


def backfill(dry_run: bool = False) -> tuple[int, int]:
    """(calls found without listing keys, calls given them)."""
    from shared.calls import repository

    found = indexed = 0
    for call in repository.calls_without_listing():
        found += 1
        if not dry_run and repository.add_listing(call):
            indexed += 1
    return found, indexed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="count the calls without listing keys, change nothing")
    arguments = parser.parse_args(argv)
    found, indexed = backfill(arguments.dry_run)
    print(f"{found} calls without listing keys; {indexed} given them.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
