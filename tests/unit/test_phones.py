"""E.164 normalisation: any common spelling in, E.164 or None out; validity always checked."""

import pytest

from shared.phones import PhoneNormaliser, country_of, is_indian, to_e164


@pytest.mark.parametrize("raw", ["+91 98765 43210", "098765-43210", "00919876543210", "9876543210",
                                 "91-98765-43210", "'+919876543210"])
def test_indian_spellings_become_one_e164_number(raw: str) -> None:
    assert to_e164(raw, "IN") == "+919876543210"


def test_the_default_region_applies_only_without_a_country_code() -> None:
    assert to_e164("(415) 555-2671", "US") == "+14155552671"
    assert to_e164("+1 415 555 2671", "IN") == "+14155552671"


@pytest.mark.parametrize("raw", ["+91 12", "12345", "98765-4321", "N/A", "", None, "9.19876E+11", "1" * 80])
def test_invalid_or_junk_input_is_none(raw) -> None:
    assert to_e164(raw, "IN") is None


def test_country_of_a_number() -> None:
    assert (country_of("+14155552671"), country_of("+919876543210")) == ("US", "IN")


def test_only_plus_91_numbers_are_indian() -> None:
    assert is_indian("+919876543210") and not is_indian("+14155552671")


def test_the_normaliser_gives_the_same_answers_as_to_e164_for_repeats() -> None:
    normalise = PhoneNormaliser("IN")

    assert [normalise(raw) for raw in ["9876543210", "9876543210", "bad", "bad"]] == [
        "+919876543210", "+919876543210", None, None]
