"""The shared objection library as the API shows it (public, not tenant-scoped)."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, Field

Category = Literal["price", "timing", "authority", "need", "competitor", "trust", "already_paid", "call_back_later",
                   "opt_out", "language", "payment_difficulty", "information"]
CATEGORIES: tuple[str, ...] = get_args(Category)


class Objection(BaseModel):
    """One seeded objection: what a callee says and a suggested answer. `{business}` in a rebuttal is filled
    with the tenant's business name when a rule book uses it."""

    id: str
    category: Category
    trigger_text: str
    rebuttal_template: str
    language: str = Field(description="BCP 47 tag of the trigger: 'en' or 'hi' (Hindi, Devanagari or romanised)")


class ObjectionView(Objection):
    """One row of `GET /objections`: the objection and how many rule books have used it."""

    use_count: int
