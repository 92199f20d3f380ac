"""A report export that fails halfway leaves no file behind: a real write cut short by a
file-size limit (``RLIMIT_FSIZE``) in a child process, the way a full stick cuts it."""

from __future__ import annotations

import datetime as dt
import errno
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from desktop_app.paths import project_root
from desktop_app.usecases.reports import Report, ReportFilter, Row, Table, parse_period

resource = pytest.importorskip("resource")  # POSIX only

#: the bytes the child may write to any one file: the file is begun, then cut short
LIMIT = 2048

CHILD = textwrap.dedent(
    """
    import pickle, resource, sys
    from pathlib import Path
    from desktop_app.reports.exports import export

    report = pickle.loads(Path(sys.argv[1]).read_bytes())
    out = Path(sys.argv[3])
    # Python ignores SIGXFSZ: a write past the limit fails with EFBIG, after the bytes that fit
    resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
    try:
        export(report, sys.argv[2], out, "de")
    except OSError as exc:
        print(exc.errno)
    else:
        print("written")
    """
).format(limit=LIMIT)


def _report(rows: int) -> Report:
    table = Table(
        "many", "Many rows", ("People",), tuple(Row(f"row {n}", (5 + n,)) for n in range(rows))
    )
    return Report(parse_period("2026-10"), ReportFilter(), dt.date(2026, 11, 1), (table,))


def _export_limited(tmp_path: Path, fmt: str, out: Path, rows: int) -> str:
    """Export a report of ``rows`` rows as ``fmt`` to ``out`` in a child process that may
    write no more than ``LIMIT`` bytes to a file: ``written``, or the errno it failed with."""
    pickled = tmp_path / "report.pickle"
    pickled.write_bytes(pickle.dumps(_report(rows)))
    done = subprocess.run(
        [sys.executable, "-B", "-c", CHILD, str(pickled), fmt, str(out)],
        cwd=project_root(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip()


# A PDF of a few rows is larger than the limit; a CSV needs many. Not the workbook: openpyxl
# writes its sheets to temporary files first, which the limit cuts before the export begins.
@pytest.mark.parametrize(("fmt", "rows"), [("pdf", 8), ("csv", 400)])
def test_a_report_cut_short_by_a_full_disk_is_not_left_half_written(
    tmp_path: Path, fmt: str, rows: int
) -> None:
    out = tmp_path / f"report.{fmt}"
    assert _export_limited(tmp_path, fmt, out, rows) == str(errno.EFBIG)
    # it was left with the first 2048 bytes: a PDF that does not open, a CSV that stops
    assert not out.exists()


def test_a_report_within_the_limit_is_written_whole(tmp_path: Path) -> None:
    """The child's limit is what cut the file: with room the same export is written."""
    out = tmp_path / "report.csv"
    assert _export_limited(tmp_path, "csv", out, rows=1) == "written"
    assert 0 < out.stat().st_size < LIMIT
    assert "row 0" in out.read_text(encoding="utf-8-sig")


def test_a_file_that_was_there_before_is_not_deleted_by_a_failed_write(tmp_path: Path) -> None:
    """Only a file the export began goes; one it was to replace is not its to delete."""
    out = tmp_path / "report.pdf"
    out.write_bytes(b"the report of last month")
    assert _export_limited(tmp_path, "pdf", out, 8) == str(errno.EFBIG)
    assert out.exists()
