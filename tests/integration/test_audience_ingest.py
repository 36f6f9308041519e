"""Audience ingest on moto (the service, without the route): counts, screening, storage, modes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shared.audience import service
from shared.audience.models import Target
from shared.audience.uploads import parse_csv, parse_json_rows, read_csv
from shared.compliance import ncpr_repository
from shared.compliance import service as compliance
from shared.platform import clock
from shared.platform.errors import BadRequest

EXCEL_EXPORT = Path(__file__).with_name("test_audience_excel_export.csv")
TENANT, OTHER_TENANT, WORKFLOW = 41, 42, "wf_audience"
NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def table(api):
    """An empty table (the `api` fixture empties it) and a frozen clock."""
    clock.freeze(NOW)
    return api


def _json_rows(*phones: str) -> list:
    return parse_json_rows([{"phone": phone, "name": f"n{index}"} for index, phone in enumerate(phones)])


def test_the_excel_export_gives_exact_counts(table) -> None:
    # Given the spreadsheet export (200 rows: 6 junk, 5 repeats, 189 distinct valid Indian numbers)
    rows = parse_csv(EXCEL_EXPORT.read_bytes())

    # When it is ingested for an Indian tenant
    result = service.ingest_audience(TENANT, WORKFLOW, "IN", rows)

    # Then every row is accounted for, and the 189 numbers are stored
    assert result.model_dump() == {"accepted": 189, "rejected_dnc": 0, "rejected_ncpr": 0, "rejected_cooldown": 0,
                                   "rejected_invalid": 6, "duplicates": 5, "total_targets": 189}
    assert service.count_targets(TENANT, WORKFLOW) == 189


def test_the_excel_export_is_screened_against_dnc_ncpr_and_cooldown(table) -> None:
    # Given numbers of the export on the DNC list, the NCPR and in cool-down
    compliance.add_for_tenant(TENANT, "+918161973069", "asked", source="api", actor="user:usr_t")
    ncpr_repository.register([("+916881836553", None), ("+919053246119", "1")], NOW)
    compliance.record_call_attempt(TENANT, "+918601571670", NOW - timedelta(days=2))
    compliance.record_call_attempt(TENANT, "+916976787301", NOW - timedelta(days=8))  # cool-down over

    # When the export is ingested
    result = service.ingest_audience(TENANT, WORKFLOW, "IN", parse_csv(EXCEL_EXPORT.read_bytes()))

    # Then each listed number is rejected once, under its list; the rest are accepted
    assert (result.rejected_dnc, result.rejected_ncpr, result.rejected_cooldown) == (1, 2, 1)
    assert result.accepted == 185
    assert result.total_targets == 185


def test_variables_of_the_first_row_of_a_number_are_stored_with_its_target(table) -> None:
    rows = parse_csv(b"Phone Number,Name,Plan\r\n+1 415 555 2671,Ann,gold\r\n(415) 555-2671,Bob,free\r\n")

    service.ingest_audience(TENANT, WORKFLOW, "US", rows)

    assert list(service.iter_targets(TENANT, WORKFLOW)) == [Target("+14155552671", {"Name": "Ann", "Plan": "gold"})]


def test_a_dnc_entry_of_another_tenant_does_not_filter(table) -> None:
    compliance.add_for_tenant(OTHER_TENANT, "+14155552671", None, source="api", actor="user:usr_o")

    result = service.ingest_audience(TENANT, WORKFLOW, "US", _json_rows("+14155552671"))

    assert (result.accepted, result.rejected_dnc) == (1, 0)


def test_ncpr_applies_only_to_indian_numbers(table) -> None:
    # Given a US number somehow present in the registry table
    ncpr_repository.register([("+14155552671", None)], NOW)

    result = service.ingest_audience(TENANT, WORKFLOW, "US", _json_rows("+14155552671"))

    assert (result.accepted, result.rejected_ncpr) == (1, 0)


def test_replace_is_the_default_and_drops_the_previous_audience(table) -> None:
    service.ingest_audience(TENANT, WORKFLOW, "US", _json_rows("+14155552671", "+12125550100"))

    result = service.ingest_audience(TENANT, WORKFLOW, "US", _json_rows("+13105550199"))

    assert result.total_targets == 1
    assert [target.phone_e164 for target in service.iter_targets(TENANT, WORKFLOW)] == ["+13105550199"]


def test_append_adds_new_numbers_and_counts_stored_ones_as_duplicates(table) -> None:
    service.ingest_audience(TENANT, WORKFLOW, "US", _json_rows("+14155552671", "+12125550100"))

    result = service.ingest_audience(TENANT, WORKFLOW, "US", _json_rows("+12125550100", "+13105550199"),
                                     mode="append")

    assert (result.accepted, result.duplicates, result.total_targets) == (1, 1, 3)
    assert {target.phone_e164 for target in service.iter_targets(TENANT, WORKFLOW)} == {
        "+14155552671", "+12125550100", "+13105550199"}


def test_a_large_upload_is_stored_in_pages_and_replaced_by_a_smaller_one(table) -> None:
    # Given 2,500 distinct numbers (three pages)
    many = [f"+1415555{index:04d}" for index in range(2500)]
    assert service.ingest_audience(TENANT, WORKFLOW, "US", _json_rows(*many)).total_targets == 2500

    # When a 10-number upload replaces it
    service.ingest_audience(TENANT, WORKFLOW, "US", _json_rows(*many[:10]))

    # Then only those 10 remain (the stale pages are gone)
    assert len(list(service.iter_targets(TENANT, WORKFLOW))) == 10
    assert service.count_targets(TENANT, WORKFLOW) == 10


def test_delete_targets_empties_the_audience(table) -> None:
    service.ingest_audience(TENANT, WORKFLOW, "US", _json_rows("+14155552671"))

    service.delete_targets(TENANT, WORKFLOW)

    assert service.count_targets(TENANT, WORKFLOW) == 0
    assert list(service.iter_targets(TENANT, WORKFLOW)) == []


def test_a_streamed_upload_over_the_row_limit_is_refused_before_anything_is_written(table, monkeypatch) -> None:
    # Given a stored audience, and a limit of 3 rows per upload
    service.ingest_audience(TENANT, WORKFLOW, "US", _json_rows("+14155552671"))
    monkeypatch.setattr(service, "MAX_ROWS", 3)
    csv_file = b"phone\n+12125550100\n+12125550101\n+12125550102\n+12125550103\n"

    # When a 4-row CSV is streamed into a replacing upload
    with pytest.raises(BadRequest) as refused:
        service.ingest_audience(TENANT, WORKFLOW, "US", read_csv(csv_file))

    # Then it is refused whole, and the stored audience is as it was
    assert (refused.value.code, refused.value.field) == ("TOO_MANY_ROWS", "file")
    assert [target.phone_e164 for target in service.iter_targets(TENANT, WORKFLOW)] == ["+14155552671"]
    assert service.count_targets(TENANT, WORKFLOW) == 1


def test_a_streamed_csv_gives_the_same_counts_and_targets_as_a_parsed_one(table) -> None:
    data = EXCEL_EXPORT.read_bytes()

    parsed = service.ingest_audience(TENANT, WORKFLOW, "IN", parse_csv(data))
    parsed_targets = list(service.iter_targets(TENANT, WORKFLOW))
    streamed = service.ingest_audience(TENANT, WORKFLOW, "IN", read_csv(data))

    assert streamed == parsed
    assert list(service.iter_targets(TENANT, WORKFLOW)) == parsed_targets


def test_a_sandbox_behaviour_is_kept_on_its_target_and_the_first_row_of_a_number_wins(table) -> None:
    csv_file = (b"phone,name,sandbox_behaviour\n+14155550101,Ann,Convert\n+14155550102,Bo,\n"
                b"(415) 555-0101,Ann again,busy\n")

    result = service.ingest_audience(TENANT, WORKFLOW, "US", read_csv(csv_file))

    assert (result.accepted, result.duplicates, result.rejected_invalid) == (2, 1, 0)
    assert list(service.iter_targets(TENANT, WORKFLOW)) == [Target("+14155550101", {"name": "Ann"}, "convert"),
                                                           Target("+14155550102", {"name": "Bo"})]


def test_appending_keeps_the_stored_targets_behaviours(table) -> None:
    service.ingest_audience(TENANT, WORKFLOW, "US", read_csv(b"phone,sandbox_behaviour\n+14155550101,voicemail\n"))

    service.ingest_audience(TENANT, WORKFLOW, "US", read_csv(b"phone,sandbox_behaviour\n+14155550101,busy\n"
                                                            b"+14155550102,transfer\n"), mode="append")

    assert list(service.iter_targets(TENANT, WORKFLOW)) == [Target("+14155550101", {}, "voicemail"),
                                                           Target("+14155550102", {}, "transfer")]


def test_an_unknown_sandbox_behaviour_refuses_the_upload_before_anything_is_written(table) -> None:
    service.ingest_audience(TENANT, WORKFLOW, "US", _json_rows("+14155552671"))
    csv_file = b"phone,sandbox_behaviour\n+12125550100,convert\n+12125550101,hang up\n"

    with pytest.raises(BadRequest) as refused:
        service.ingest_audience(TENANT, WORKFLOW, "US", read_csv(csv_file))

    assert (refused.value.code, refused.value.field) == ("INVALID_SANDBOX_BEHAVIOUR", "file")
    assert 'Row 3, column "sandbox_behaviour"' in refused.value.message
    assert [target.phone_e164 for target in service.iter_targets(TENANT, WORKFLOW)] == ["+14155552671"]
