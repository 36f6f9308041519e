"""The ops NCPR loader: a registry file becomes NCPR items that screening finds."""

from __future__ import annotations

from ops.load_ncpr import SAMPLE_PATH, load_file, main
from shared.compliance import ncpr_repository


def test_the_local_sample_loads_every_indian_number(api) -> None:
    loaded, skipped = load_file(SAMPLE_PATH)

    assert (loaded, skipped) == (6, 0)
    assert ncpr_repository.registered_numbers(["+919911223344", "+919000000001", "+919876543210"]) == {
        "+919911223344", "+919000000001"}


def test_invalid_and_non_indian_rows_are_skipped(api, tmp_path, capsys) -> None:
    registry = tmp_path / "ncpr.csv"
    registry.write_text("msisdn\n9812345670\n+14155552671\njunk\n")

    assert main([str(registry)]) == 0

    assert "1 numbers loaded, 2 rows skipped" in capsys.readouterr().out
    assert ncpr_repository.registered_numbers(["+919812345670", "+14155552671"]) == {"+919812345670"}
