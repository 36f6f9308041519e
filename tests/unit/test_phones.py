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


def test_is_valid_answers_as_phonenumbers_does_for_every_country_code_shared_by_several_regions() -> None:
    import random

    import phonenumbers

    from shared.phones import is_valid

    rng = random.Random(11)
    shared = [code for code, regions in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.items() if len(regions) > 1]
    numbers = []
    for code in [*shared, 91, 49]:
        for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[code]:  # each region's own example numbers
            for kind in (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE):
                example = phonenumbers.example_number_for_type(region, kind)
                if example is not None:
                    numbers.append(example)
        for _ in range(300):  # and random national numbers of plausible lengths: mostly invalid, some valid
            national = rng.randrange(10 ** rng.randint(6, 11))
            numbers.append(phonenumbers.PhoneNumber(country_code=code, national_number=national))

    answers = [(is_valid(number), phonenumbers.is_valid_number(number)) for number in numbers]

    assert all(ours == theirs for ours, theirs in answers)
    assert sum(ours for ours, _ in answers) > 500  # the sample holds valid numbers of many regions, not only junk
