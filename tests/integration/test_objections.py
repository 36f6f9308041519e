"""GET /objections (public) and the library's use counters on moto."""


import pytest

from shared.objections import service
from shared.objections.models import CATEGORIES

pytestmark = pytest.mark.integration


def test_the_library_is_public_and_lists_every_seeded_objection_with_zero_uses(api):
    # Given a fresh table (nothing seeded) and no credentials
    # When the library is read
    reply = api.get("/objections")

    # Then every shipped objection is listed in the contract's shape, none used yet
    assert reply.status == 200
    objections = reply.body["objections"]
    assert len(objections) >= 40
    assert {"id", "category", "trigger_text", "rebuttal_template", "use_count"} <= objections[0].keys()
    assert {objection["use_count"] for objection in objections} == {0}
    assert len({objection["id"] for objection in objections}) == len(objections)


def test_the_library_covers_many_categories_and_hindi_triggers(api):
    objections = api.get("/api/objections").body["objections"]

    assert len({objection["category"] for objection in objections}) >= 10
    hindi = [objection["trigger_text"].lower() for objection in objections if objection["language"] == "hi"]
    assert any("abhi time nahi hai" in trigger for trigger in hindi)
    assert any("call mat karo" in trigger for trigger in hindi)


def test_a_category_filter_returns_only_that_category(api):
    reply = api.get("/objections", query="category=opt_out")

    assert reply.status == 200
    assert reply.body["objections"] and {o["category"] for o in reply.body["objections"]} == {"opt_out"}


def test_an_unknown_category_is_a_400_naming_the_field(api):
    reply = api.get("/objections", query="category=astrology")

    assert reply.status == 400 and reply.body["field"] == "category"


def test_recorded_uses_show_in_the_listing(api):
    # Given two rule books that used objections (one twice in the same book, one unknown id)
    service.record_use(["price-too-expensive", "optout-stop-calling", "price-too-expensive", "no-such-objection"])
    service.record_use(["price-too-expensive"])

    # When the library is read
    counts = {o["id"]: o["use_count"] for o in api.get("/objections").body["objections"]}

    # Then each rule book counted each objection once, and nothing else moved
    assert counts["price-too-expensive"] == 2 and counts["optout-stop-calling"] == 1
    assert sum(counts.values()) == 3 and "no-such-objection" not in counts


def test_every_category_of_the_library_is_offered_by_the_filter(api):
    listed = {o["category"] for o in api.get("/objections").body["objections"]}

    assert listed == set(CATEGORIES)
