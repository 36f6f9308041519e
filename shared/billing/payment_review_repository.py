"""Payment reviews (patterns W8–W9): one item per processor event that disagreed with our records, keyed by
the event id (so a redelivery records nothing new) and listed for operators through GSI1, newest first."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import PutError

from shared.billing.models import PaymentReview
from shared.platform.storage import keys
from shared.platform.storage.table import Gsi1, TableItem, condition_failed

MAX_LISTED = 200


class _PaymentReviewItem(TableItem, discriminator="PaymentReview"):
    event_id = UnicodeAttribute()
    reason = UnicodeAttribute()
    external_id = UnicodeAttribute()
    tenant_id = NumberAttribute(null=True)
    intent_id = UnicodeAttribute(null=True)
    event_amount_minor = NumberAttribute()
    event_currency = UnicodeAttribute()
    intent_amount_minor = NumberAttribute(null=True)
    intent_currency = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    by_time = Gsi1()


def _item(review: PaymentReview) -> _PaymentReviewItem:
    return _PaymentReviewItem(keys.payment_review_pk(review.event_id), keys.PAYMENT_REVIEW,
                              GSI1PK=keys.PAYMENT_REVIEWS_GSI1PK,
                              GSI1SK=keys.payment_review_time_sk(review.created_at, review.event_id),
                              **review.model_dump())


def _review_of(item: _PaymentReviewItem) -> PaymentReview:
    return PaymentReview(**{name: getattr(item, name) for name in PaymentReview.model_fields})


def record_write(review: PaymentReview):
    """A once-only transaction write (for the wallet's transaction): this event's review, if none yet."""
    def add(tx) -> None:
        tx.save(_item(review), condition=_PaymentReviewItem.PK.does_not_exist())
    return ("review", add)


def record(review: PaymentReview) -> bool:
    """Record a review on its own (no tenant to write a ledger entry for); False when already recorded."""
    try:
        _item(review).save(condition=_PaymentReviewItem.PK.does_not_exist())
    except PutError as error:
        if condition_failed(error):
            return False
        raise
    return True


def list_reviews(limit: int = 50) -> list[PaymentReview]:
    """Every review, newest first (an operator's listing: GSI1 Query, never a Scan)."""
    items = _PaymentReviewItem.by_time.query(keys.PAYMENT_REVIEWS_GSI1PK, scan_index_forward=False,
                                             limit=min(limit, MAX_LISTED))
    return [_review_of(item) for item in items]
