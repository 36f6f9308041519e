"""List payment events held for review (never credited): `python -m ops.payment_reviews [--limit N]`.

Each line is one verified processor event that disagreed with our own records — another amount or
currency than its top-up intent, another tenant or intent, or no intent of ours — newest first. The
tenant also sees it in its wallet history (`kind: payment_review`, amount 0). The table and region
come from the usual settings (TABLE_NAME, AWS_REGION).
"""

from __future__ import annotations

import argparse
import sys


def describe(limit: int) -> list[str]:
    from shared.billing.payment_review_repository import list_reviews

    lines = []
    for review in list_reviews(limit):
        expected = f"{review.intent_amount_minor} {review.intent_currency}" if review.intent_id else "no intent"
        tenant = review.tenant_id if review.tenant_id is not None else "-"
        lines.append(f"{review.created_at.isoformat()}  {review.reason:<17}  event {review.event_id}  "
                     f"checkout {review.external_id}  tenant {tenant}  "
                     f"intent {review.intent_id or '-'}  claimed {review.event_amount_minor} {review.event_currency}, "
                     f"expected {expected}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=50, help="how many, newest first (at most 200)")
    arguments = parser.parse_args(argv)
    lines = describe(arguments.limit)
    print("\n".join(lines) if lines else "No payment events held for review.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
