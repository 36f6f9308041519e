"""The payment processor billing charges through, and the amounts one charge may have.

Shared by top-ups and auto-recharge. Kept apart from `topups` so that auto-recharge (started by a
ledger debit) does not import `topups`, which credits through the ledger: ledger → autocharge →
topups → ledger was an import cycle.
"""

from __future__ import annotations

from shared.providers.payments.port import PaymentProcessor
from shared.providers.payments.selection import get_payment_processor

MIN_TOPUP_MINOR = 1
MAX_TOPUP_MINOR = 10_000_000


def processor() -> PaymentProcessor:
    return get_payment_processor()
