"""Property 1: a copied data folder (database with drafts, visits and the print queue, logs,
backup, key slots) reveals no names."""

from __future__ import annotations

import logging
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.domain.person import PersonDraft
from desktop_app.i18n.translit import fold
from desktop_app.logs import REDACTED, configure_logging, install_excepthook
from desktop_app.usecases import accounts, backup, people, referrals, visits
from tests.conftest import PASSWORD
from tests.unit.test_visits import consent_answers, full_life_situation

PEOPLE = [
    PersonDraft("Радостина", "Жечева", "14.03.1985", phone="0176 5550101", notes="Склад Дортмунд"),
    PersonDraft("Ștefan", "Țăranu", "02.05.1979", notes="caută loc de muncă"),
    PersonDraft("Mihaela", "Constantinescu", "1990"),
]


def _needles() -> list[bytes]:
    words = [w for d in PEOPLE for w in (d.given_name, d.family_name, d.phone, d.notes) if w]
    words += [fold(w) for w in words]
    found = {w.encode(enc) for w in words for enc in ("utf-8", "utf-16-le")}
    return sorted(found - {b""})


@pytest.fixture
def logging_to(data_dir: Path) -> Iterator[Path]:
    handler = configure_logging(data_dir / "logs")
    hook = sys.excepthook
    install_excepthook()
    yield data_dir / "logs"
    sys.excepthook = hook
    logging.getLogger().removeHandler(handler)
    handler.close()


def test_copied_data_folder_holds_no_known_name(
    data_dir: Path, tmp_path: Path, logging_to: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    session = accounts.create_first_account(data_dir, "anna", "Anna", PASSWORD)
    log = logging.getLogger("welcome_desk.test")
    for draft in PEOPLE:
        person = people.register_person(session.store, session.user, draft)
        people.get_person(session.store, session.user, person.id)
        # Careless log calls of the kind a future change might add:
        log.info("registered %s %s (%s)", draft.given_name, draft.family_name, person.id)
        log.warning(f"registered {draft.given_name} {draft.family_name}")
        try:
            raise ValueError(f"bad phone for {draft.family_name}: {draft.phone}")
        except ValueError:
            log.exception("registering failed for %s", person.id)
            sys.excepthook(*sys.exc_info())
    # drafts, a finished visit and a letter waiting in the print queue live in the store too
    first = people.search_people(session.store, "Жечева")[0].id
    typed = {"family_name": "Жечева", "given_names": "Радостина", "notes": "Склад Дортмунд"}
    visits.save_draft(session.store, session.user, first, "life_situation", typed)
    visits.record_consent(session.store, session.user, first, consent_answers())
    visits.finish_visit(session.store, session.user, first, "life_situation", full_life_situation())
    referral = referrals.issue_referral(
        session.store, session.user, first, "jobcenter", "buergergeld", client_lang="bg"
    )
    assert referrals.render_letter(session.store, session.user, referral.id).startswith(b"%PDF")
    referrals.queue_for_printing(session.store, session.user, referral.id)
    assert referrals.print_queue(session.store, session.user)[0].person_name == "Радостина Жечева"
    backup.write_backup(session, data_dir / "backups" / "today.wdbackup", "backup phrase 1")
    session.close()
    copy = tmp_path / "copied"
    shutil.copytree(data_dir, copy)

    files = [p for p in copy.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert {"welcome-desk.db", "keyslots.json", "welcome-desk.log", "today.wdbackup"} <= names
    for path in files:
        raw = path.read_bytes()
        leaked = [n.decode("utf-8", "replace") for n in _needles() if n in raw]
        assert not leaked, f"{path.name} contains {leaked}"
    log_text = (copy / "logs" / "welcome-desk.log").read_text(encoding="utf-8")
    assert REDACTED in log_text and "ValueError" in log_text and "registering failed" in log_text
    stderr = capsys.readouterr().err
    assert "ValueError" in stderr
    assert not [n for n in _needles() if n in stderr.encode("utf-8")]


def test_ids_and_codes_stay_readable_in_the_log(logging_to: Path) -> None:
    log = logging.getLogger("welcome_desk.test")
    log.info(
        "person %s erased: %d items, code %s",
        "6f1c2a9e-1b2c-4d5e-8f90-123456789abc",
        3,
        "login_delayed",
    )
    logging.getLogger().handlers[-1].flush()
    text = (logging_to / "welcome-desk.log").read_text(encoding="utf-8")
    assert "6f1c2a9e-1b2c-4d5e-8f90-123456789abc" in text and "3 items" in text
    assert "login_delayed" in text
