"""The names an audience's `sandbox_behaviour` cell may use: canonical, case- and separator-blind, refused otherwise."""

from __future__ import annotations

import pytest

from shared.providers.telephony.sandbox_behaviours import BEHAVIOURS, UnknownBehaviour, behaviour_named


@pytest.mark.parametrize("name", BEHAVIOURS)
def test_each_behaviour_is_read_in_its_own_spelling(name):
    assert behaviour_named(name) == name


@pytest.mark.parametrize(("cell", "name"), [
    (" Convert ", "convert"), ("OPTOUT", "optout"), ("opt_out", "optout"), ("opt-out", "optout"),
    ("no-answer", "no_answer"), ("No Answer", "no_answer"), ("noanswer", "no_answer"),
    ("not-interested", "not_interested"), ("Not Interested", "not_interested"), ("VoiceMail", "voicemail")])
def test_case_spaces_dashes_and_underscores_do_not_matter(cell, name):
    assert behaviour_named(cell) == name


@pytest.mark.parametrize("cell", [None, "", "   ", "-"])
def test_an_empty_cell_names_no_behaviour(cell):
    assert behaviour_named(cell) is None


@pytest.mark.parametrize("cell", ["convrt", "yes", "8", "barge_in", "transfers"])
def test_anything_else_is_refused_with_the_accepted_names(cell):
    with pytest.raises(UnknownBehaviour, match="convert, optout, discount"):
        behaviour_named(cell)
