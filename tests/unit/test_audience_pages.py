"""Audience pages: encoded a page at a time, and cut exactly as target by target would cut them."""

from __future__ import annotations

import json

from shared.audience.models import Target
from shared.audience.repository import PAGE_TARGETS, _pages, _pages_target_by_target


def _targets(count: int, note: str = "") -> list[Target]:
    return [Target(f"+9198765{index:05d}", {"name": f"Åsa {index}", **({"note": note} if note else {})})
            for index in range(count)]


def test_small_targets_fill_pages_of_a_thousand():
    targets = _targets(2_500)

    pages = list(_pages(targets))

    assert [count for _, count in pages] == [PAGE_TARGETS, PAGE_TARGETS, 500]
    assert [Target(*pair) for text, _ in pages for pair in json.loads(text)] == targets
    assert pages == list(_pages_target_by_target(targets))


def test_large_targets_are_cut_by_size_exactly_as_one_by_one():
    targets = _targets(1_200) + _targets(1_500, note="é" * 600)  # the later pages pass PAGE_BYTES first

    pages = list(_pages(targets))

    assert pages == list(_pages_target_by_target(targets))
    assert all(len(text.encode()) < 400_000 for text, _ in pages)  # DynamoDB's item limit
    assert [Target(*pair) for text, _ in pages for pair in json.loads(text)] == targets


def test_a_target_without_a_sandbox_behaviour_is_stored_as_before_and_one_with_it_keeps_it():
    targets = [Target("+14155550101", {"name": "Ann"}), Target("+14155550102", {}, "transfer")]

    (text, count), = _pages(targets)

    assert json.loads(text) == [["+14155550101", {"name": "Ann"}], ["+14155550102", {}, "transfer"]]
    assert [Target(*stored) for stored in json.loads(text)] == targets and count == 2
    assert [(text, count)] == list(_pages_target_by_target(targets))
