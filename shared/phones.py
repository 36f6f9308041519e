"""Phone numbers: E.164 normalisation and the country of a number, with `phonenumbers`.

Validity is always checked: without `is_valid_number`, "+91 12" would become "+9112" (FACTS). Bulk
callers (audience ingest, DNC import) use a `PhoneNormaliser`, which remembers what it has parsed so
a repeated spelling costs a dict lookup instead of a parse. Masking lives in
`shared.platform.observability.mask_phone`.
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException

#: Longer input is not a phone number (phonenumbers' own cap is 250); refusing early keeps junk cheap.
MAX_INPUT_CHARS = 64
INDIA_PREFIX = "+91"


def to_e164(raw: str | None, default_region: str | None) -> str | None:
    """`raw` in any common spelling ("+91 98765-43210", "09876543210", "0091…") as E.164, or None.

    `default_region` (ISO 3166 alpha-2, e.g. the tenant's country) applies to numbers written without
    a country code; a number with one keeps its own. Invalid or unparseable input gives None.
    """
    if not raw or len(raw) > MAX_INPUT_CHARS:
        return None
    try:
        number = phonenumbers.parse(raw, default_region)
    except NumberParseException:
        return None
    if not is_valid(number):
        return None
    # What format_number(E164) returns, without its formatting machinery (≈15 % of a parse).
    if number.italian_leading_zero:
        return f"+{number.country_code}{'0' * (number.number_of_leading_zeros or 1)}{number.national_number}"
    return f"+{number.country_code}{number.national_number}"


def is_valid(number: phonenumbers.PhoneNumber) -> bool:
    """`phonenumbers.is_valid_number`, without checking the number against its region's patterns twice.

    For a country code shared by several regions (+1: US, CA and the Caribbean; +7, +44, +61, …) the library
    first finds the region — for a region without `leading_digits`, by matching the number against that
    region's patterns — and then matches it against the same patterns again to validate it. When the region
    was found that way, the number is valid: the second match is skipped (~40 % of a +1 number's validation).
    Same answers as `is_valid_number` (tests/unit/test_phones.py compares them over every shared code)."""
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(number.country_code)
    if not regions or len(regions) == 1:
        return phonenumbers.is_valid_number(number)
    region = phonenumbers.region_code_for_number(number)
    if region is None:
        return False
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region.upper(), None)
    if metadata is not None and metadata.leading_digits is None:
        return True  # chosen because the number matched one of this region's number types
    return phonenumbers.is_valid_number_for_region(number, region)


def country_of(e164: str) -> str | None:
    """ISO country (e.g. "IN", "US") of an E.164 number; None when it cannot be told."""
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return None
    return phonenumbers.region_code_for_number(number)


def is_indian(e164: str) -> bool:
    """+91: the numbers India's NCPR registry applies to."""
    return e164.startswith(INDIA_PREFIX)


class PhoneNormaliser:
    """`to_e164` for many numbers with one default region; repeated spellings are parsed once."""

    __slots__ = ("_known", "default_region")

    def __init__(self, default_region: str | None) -> None:
        self.default_region = default_region
        self._known: dict[str, str | None] = {}

    def __call__(self, raw: str | None) -> str | None:
        if not raw:
            return None
        known = self._known
        if raw in known:
            return known[raw]
        e164 = known[raw] = to_e164(raw.strip(), self.default_region)
        return e164
