"""Load India's NCPR registry file into the table: `python -m ops.load_ncpr registry.csv`.

The file is a CSV with a phone column (phone, number, msisdn, mobile, … — the audience upload's names)
and an optional `preference` column (the register's category code). Numbers are normalised with India
as the default region; non-Indian and invalid numbers are skipped. Writes use BatchWriteItem (25 a
request) and overwrite earlier loads. The table and region come from the usual settings (TABLE_NAME,
AWS_REGION).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

SAMPLE_PATH = Path(__file__).resolve().parents[1] / "infra_local" / "ncpr_sample.csv"


def load_file(path: Path) -> tuple[int, int]:
    """(loaded, skipped) for a registry file."""
    from shared.audience.uploads import read_csv
    from shared.compliance import ncpr_repository
    from shared.phones import PhoneNormaliser, is_indian
    from shared.platform import clock

    normalise = PhoneNormaliser("IN")
    registrations: dict[str, str | None] = {}
    skipped = 0
    with path.open("rb") as registry:  # streamed: the regulator's file is never read into memory whole
        for row in read_csv(registry):
            e164 = normalise(row.phone)
            if e164 is None or not is_indian(e164):
                skipped += 1
                continue
            registrations[e164] = next((value for name, value in row.variables.items()
                                        if name.strip().lower() == "preference"), None)
    loaded = ncpr_repository.register(registrations.items(), clock.now_seconds())
    return loaded, skipped


def load_local_sample() -> None:
    """Bootstrap step of the local stack: the small sample registry."""
    load_file(SAMPLE_PATH)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("registry", type=Path, help="the NCPR CSV file")
    arguments = parser.parse_args(argv)
    loaded, skipped = load_file(arguments.registry)
    print(f"NCPR: {loaded} numbers loaded, {skipped} rows skipped (invalid or not +91)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
