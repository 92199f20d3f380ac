"""Import of a 10,000-row client list (CSV and XLSX): read, dry run, import, in seconds.

Budget: the whole CSV import (read + dry run + import) of 10,000 rows <= 15 s.
Baseline in the same run: ``register_many`` of the same people as drafts (no file, no checks
for duplicates), so the ratio shows what reading, mapping and duplicate checks add.
"""

from __future__ import annotations

import csv
import tempfile
import time
from pathlib import Path

from _common import report

ROWS = 10_000


def write_files(folder: Path) -> tuple[Path, Path]:
    from openpyxl import Workbook

    from desktop_app.domain.demo import generate_people

    drafts = generate_people(ROWS, seed=11)
    header = ["Nachname", "Vorname", "Geburtsdatum", "Geschlecht", "Staatsangehörigkeit",
              "Sprachen", "Telefon", "Bemerkung"]  # fmt: skip
    rows = []
    for d in drafts:
        rows.append([d.family_name, d.given_name, d.date_of_birth, d.sex, d.nationality,
                     ", ".join(d.languages), d.phone, d.notes])  # fmt: skip
    csv_path = folder / "clients.csv"
    with csv_path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    xlsx_path = folder / "clients.xlsx"
    book.save(xlsx_path)
    return csv_path, xlsx_path


def timed_import(folder: Path, name: str, path: Path) -> tuple[float, float, int]:
    from desktop_app.usecases.accounts import create_first_account
    from desktop_app.usecases.people_import import dry_run, guess_mapping, import_people, read_table

    session = create_first_account(folder / name, "bench", "Bench", "bench-password-1")
    started = time.perf_counter()
    table = read_table(path)
    mapping = guess_mapping(table.headers)
    read_s = time.perf_counter() - started
    dry_run(session.store, table, mapping)
    result = import_people(session.store, session.user, table, mapping, policy="import")
    total = time.perf_counter() - started
    session.close()
    return read_s, total, result.stored


def main() -> int:
    import os

    os.environ.setdefault("WELCOME_DESK_FAST_KDF", "1")
    from desktop_app.domain.demo import generate_people
    from desktop_app.usecases.accounts import create_first_account
    from desktop_app.usecases.people import register_many

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        csv_path, xlsx_path = write_files(folder)
        base = create_first_account(folder / "base", "bench", "Bench", "bench-password-1")
        started = time.perf_counter()
        register_many(base.store, base.user, generate_people(ROWS, seed=11))
        baseline = time.perf_counter() - started
        base.close()
        csv_read, csv_total, csv_stored = timed_import(folder, "csv", csv_path)
        xlsx_read, xlsx_total, xlsx_stored = timed_import(folder, "xlsx", xlsx_path)
    print(f"{ROWS:,} rows; stored csv={csv_stored:,} xlsx={xlsx_stored:,}")
    print(f"ratio csv import / register_many baseline: {csv_total / baseline:.1f}x")
    return report(
        [
            ("baseline register_many [s]", baseline, "(baseline)", True),
            ("csv read [s]", csv_read, "-", True),
            ("csv read+dry run+import [s]", csv_total, "<= 15 s", csv_total <= 15),
            ("xlsx read [s]", xlsx_read, "-", True),
            ("xlsx read+dry run+import [s]", xlsx_total, "<= 30 s", xlsx_total <= 30),
        ]
    )


if __name__ == "__main__":
    raise SystemExit(main())
