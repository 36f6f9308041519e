"""Every function fits Lambda's unzipped limit with room to grow, measured on the synthesised assembly.

The size is what Lambda checks at deploy: the function's code asset plus all its layers' assets,
unzipped, as the sum of the files' sizes.
"""

from __future__ import annotations

import statistics

import pytest

from functions.catalog import FUNCTIONS
from layers.import_graph import closure
from layers.sizes import LAMBDA_UNZIPPED_LIMIT
from tests.infra.packages import deployed_package
from tests.infra.synthesis import Synthesis

pytestmark = pytest.mark.infra

MB = 1_000_000
#: Targets (issue 11): room for the dependencies the next features bring.
LARGEST_TARGET = 120 * MB
MEDIAN_TARGET = 60 * MB


@pytest.fixture(scope="module")
def sizes(synthesis: Synthesis) -> dict[str, int]:
    return {spec.name: deployed_package(synthesis, spec).unzipped_size for spec in FUNCTIONS}


def _table(sizes: dict[str, int]) -> str:
    largest_first = sorted(sizes.items(), key=lambda item: -item[1])
    return "\n".join(f"{name:22} {size / MB:7.1f} MB" for name, size in largest_first)


def test_every_function_fits_lambdas_unzipped_limit(sizes: dict[str, int]) -> None:
    too_big = {name: size for name, size in sizes.items() if size > LAMBDA_UNZIPPED_LIMIT}
    assert not too_big, f"over Lambda's {LAMBDA_UNZIPPED_LIMIT} bytes:\n{_table(too_big)}"


def test_the_largest_function_stays_under_the_target(sizes: dict[str, int]) -> None:
    assert max(sizes.values()) <= LARGEST_TARGET, _table(sizes)


def test_the_median_function_stays_under_the_target(sizes: dict[str, int]) -> None:
    assert statistics.median(sizes.values()) <= MEDIAN_TARGET, _table(sizes)


def test_no_function_ships_the_unused_heavy_packages(synthesis: Synthesis) -> None:
    """The slim choices hold in what is deployed: no geocoder data, no async HTTP stack, no other Twilio products,
    no models of AWS services no function calls."""
    for spec in FUNCTIONS:
        for layer in deployed_package(synthesis, spec).layers:
            site = layer / "python"
            assert not (site / "phonenumbers" / "geodata").exists(), spec.name
            assert not (site / "aiohttp").exists(), spec.name
            assert not (site / "twilio" / "rest" / "messaging").exists(), spec.name
            assert not (site / "botocore" / "data" / "ec2").exists(), spec.name
            assert not (site / "boto3" / "data" / "ec2").exists(), spec.name
            assert not list(site.glob("*.dist-info/RECORD")), spec.name


def test_the_code_asset_holds_only_the_functions_modules(synthesis: Synthesis) -> None:
    library = deployed_package(synthesis, next(spec for spec in FUNCTIONS if spec.name == "library")).code
    top_level = {path.name for path in library.iterdir()}
    assert top_level == {"functions", "shared"}
    assert {path.name for path in (library / "functions").iterdir()} == {"__init__.py", "library"}
    assert not (library / "shared" / "providers" / "telephony").exists()


def test_phonenumberslite_everywhere_and_time_zones_only_where_calling_windows_are(synthesis: Synthesis) -> None:
    for spec in FUNCTIONS:
        sites = [layer / "python" for layer in deployed_package(synthesis, spec).layers]
        if not any((site / "phonenumbers").is_dir() for site in sites):
            continue
        assert any(list(site.glob("phonenumberslite-*.dist-info")) for site in sites), spec.name
        needs_zones = "phonenumbers.timezone" in closure([spec.module]).third_party
        assert any((site / "phonenumbers" / "tzdata").is_dir() for site in sites) == needs_zones, spec.name
