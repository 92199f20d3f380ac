"""Looking up a person's requests about personal data in a register of 300 and 3,000 open
requests (SQLCipher store): the person's open copy request (``data_rights.open_request``, as the
person's page and the export, erase and record-request dialogs read it, and an arriving request
is checked) and the unlinking an erasure does (``unlink_requests``, rolled back).

Each size is timed with the index on ``data_requests.person_id`` (migration 0037) and with it
dropped (the schema before). Budget: p95 < 5 ms a lookup with the index. Exits 1 when missed.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ACCOUNT, PASSWORD, median, p95, report

if TYPE_CHECKING:
    from desktop_app.usecases.accounts import Session

BUDGET_P95_MS = 5.0
SIZES = (300, 3_000)
LOOKUPS = 200


def _filled(folder: Path, requests: int) -> tuple[Session, list[str]]:
    """A new store with ``requests`` people, each with one open copy request; the session
    and the people's ids."""
    from sqlalchemy import insert, select

    from desktop_app.domain.person import PersonDraft
    from desktop_app.storage.models import DataRequestRow, PersonRow
    from desktop_app.usecases.accounts import create_first_account
    from desktop_app.usecases.people import register_many

    session = create_first_account(folder, ACCOUNT, "Bench", PASSWORD)
    drafts = [PersonDraft(f"Given{i}", f"Family{i}", "1980") for i in range(requests)]
    register_many(session.store, session.user, drafts)
    with session.store.reading() as db:
        ids = list(db.scalars(select(PersonRow.id)))
    hlc = str(session.store.clock.now())
    with session.store.transaction() as db:
        db.execute(
            insert(DataRequestRow),
            [
                {
                    "id": str(uuid.uuid4()),
                    "revision": 1,
                    "updated_hlc": hlc,
                    "device_id": session.store.device_id,
                    "author_id": session.user.id,
                    "deleted": False,
                    "field_clocks": "{}",
                    "reference": f"R{n:07d}",
                    "kind": "copy",
                    "received": "2026-11-20",
                    "answered": "",
                    "answered_by": "",
                    "person_id": pid,
                }
                for n, pid in enumerate(ids)
            ],
        )
    return session, ids


def _timed(session: Session, ids: list[str]) -> tuple[list[float], list[float], list[float]]:
    from desktop_app.usecases import data_rights

    store, user = session.store, session.user
    picked = [ids[(i * 7919) % len(ids)] for i in range(LOOKUPS)]
    opened = []
    for pid in picked:
        started = time.perf_counter()
        assert data_rights.open_request(store, user, pid, data_rights.COPY) is not None
        opened.append((time.perf_counter() - started) * 1000)
    query = []  # the lookup's SQL alone (SQLite's part, without the ORM's)
    sql = (
        "SELECT id FROM data_requests WHERE person_id = ? AND kind = 'copy' "
        "AND answered = '' AND deleted = 0"
    )
    with store.engine.connect() as conn:
        for pid in picked:
            started = time.perf_counter()
            assert conn.exec_driver_sql(sql, (pid,)).first() is not None
            query.append((time.perf_counter() - started) * 1000)
    unlinked = []
    for pid in picked[:50]:
        try:
            with store.transaction() as db:
                started = time.perf_counter()
                assert data_rights.unlink_requests(db, store, pid, user.id) == 1
                db.flush()
                unlinked.append((time.perf_counter() - started) * 1000)
                raise _Undo
        except _Undo:
            pass  # rolled back: the register stays as it was
    return opened, query, unlinked


class _Undo(Exception):
    pass


def main() -> int:
    from sqlalchemy import text

    rows: list[tuple[str, float, str, bool]] = []
    for size in SIZES:
        folder = Path(tempfile.mkdtemp(prefix=f"bench-requests-{size}-"))
        try:
            session, ids = _filled(folder, size)
            for indexed in (True, False):
                if not indexed:
                    with session.store.transaction() as db:
                        db.execute(text("DROP INDEX ix_data_requests_person_id"))
                _timed(session, ids)  # warm the page cache
                opened, query, unlinked = _timed(session, ids)
                label = "with index" if indexed else "no index  "
                budget = f"p95 < {BUDGET_P95_MS} ms" if indexed else "(the schema before)"
                rows.append(
                    (f"open_request    {size:>5} open, {label} median ms", median(opened), "", True)
                )
                rows.append(
                    (
                        f"open_request    {size:>5} open, {label} p95 ms",
                        p95(opened),
                        budget,
                        not indexed or p95(opened) < BUDGET_P95_MS,
                    )
                )
                rows.append(
                    (f"its SQL alone   {size:>5} open, {label} median ms", median(query), "", True)
                )
                name = f"unlink (erase)  {size:>5} open, {label} median ms"
                rows.append((name, median(unlinked), "", True))
            session.close()
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return report(rows)


if __name__ == "__main__":
    sys.exit(main())
