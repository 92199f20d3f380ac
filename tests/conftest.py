"""Shared fixtures. Qt runs offscreen; every store is a real file in a temporary folder."""

from __future__ import annotations

import gc
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("WELCOME_DESK_FAST_KDF", "1")  # tests use cheap Argon2 parameters

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

from desktop_app.domain.referral import Organisation
from desktop_app.i18n.text import set_language

if TYPE_CHECKING:
    from desktop_app.usecases.accounts import Session

# Generated tests count examples, never time: with two xdist workers (and whatever else runs on
# the machine) an example or its data may take longer than hypothesis' 200 ms deadline or its
# "too slow" health check allow, and that is not a failure of the code under test.
settings.register_profile(
    "welcome-desk", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("welcome-desk")


@pytest.fixture(autouse=True)
def _forget_compiled_statements() -> Iterator[None]:
    """The statements SQLAlchemy compiled for a test's stores go with them. Each mapper keeps
    up to 150 compiled inserts and updates in a cache of its own (``Mapper._compiled_cache``,
    bounded, keyed by the engine's dialect): one store a process in the program, but a new
    store in almost every test, so a worker held some 1,000 more objects after every test
    (80,000 after 80 of the window-size tests), and every full cycle collection, the one after
    each UI test too, walked them: 56 ms after 20 tests, 117 ms after 80, twice that under load.
    A store that closes drops its own (``storage.db._forget_compiled``); this is for the stores
    a test leaves open and for the server's engines."""
    yield
    from desktop_app.storage.models import Base as StoreBase
    from sync_server.models import Base as ServerBase

    for base in (StoreBase, ServerBase):
        for mapper in base.registry.mappers:
            mapper._compiled_cache.clear()


def pytest_collection_finish(session: pytest.Session) -> None:
    """What the run imported and collected lives to its end: out of the cycle collector's way
    (``gc.freeze``). Else every full collection walked it all again, the one after each UI test
    too (``tests/ui/conftest.py``): some 300,000 objects, 0.3 s a collection on this machine, a
    third of the UI tests' time."""
    gc.collect()
    gc.freeze()


PASSWORD = "correct horse 42"
# A letterhead an organisation saves in the settings (not the shipped example).
SAVED_LETTERHEAD = Organisation(
    name="Asociația Bun venit Dortmund",
    address_lines=("Münsterstraße 5", "44145 Dortmund"),
    phone="0231 777-0",
    email="info@bun-venit.example.org",
)


@contextlib.contextmanager
def store_write_locked(session: Session, busy_ms: int = 500) -> Iterator[None]:
    """A second SQLCipher connection to ``session``'s store holds its write lock, as a sync in
    another process or a second window writing would. The program's own connections wait
    ``busy_ms`` for it, not the 5 s they wait in use (``db.BUSY_TIMEOUT_MS``): what they then
    say and keep is the same, and a test with a few writes refused took 45 s."""
    from desktop_app.storage import db

    engine = session.store.engine
    kept = db.BUSY_TIMEOUT_MS
    db.BUSY_TIMEOUT_MS = busy_ms
    engine.dispose()  # the pooled connections go: new ones wait ``busy_ms``
    try:
        raw = engine.raw_connection()
        try:
            other = raw.driver_connection
            assert other is not None
            other.execute("BEGIN IMMEDIATE")
            try:
                yield
            finally:
                other.execute("ROLLBACK")
        finally:
            raw.close()
    finally:
        db.BUSY_TIMEOUT_MS = kept
        engine.dispose()


@pytest.fixture(autouse=True)
def _english_ui() -> Iterator[None]:
    """Every test starts in English; tests that switch language see their own change only."""
    set_language("en")
    yield
    set_language("en")


@pytest.fixture(autouse=True)
def _own_user_data(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The default data folder and the data folder chosen in the window beside it
    (``paths.choose_data_dir``) in a folder of each test's own, for the program started in
    a subprocess too: never the user's, nor one another test chose a folder in."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("user-data")))


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def session(data_dir: Path):
    from desktop_app.usecases.accounts import create_first_account

    s = create_first_account(data_dir, "anna", "Anna Schmidt", PASSWORD)
    yield s
    s.close()


def mark_sent(store, record_id: str) -> None:
    """The record's changes as a push the server confirmed leaves them: out of the outbox
    (a change made after that builds on them, see ``hlc.clocks_after_change``)."""
    from sqlalchemy import delete

    from desktop_app.storage.models import OutboxRow

    with store.transaction() as db:
        db.execute(delete(OutboxRow).where(OutboxRow.record_id == record_id))


def record_sharing_consent(
    session, person_id: str, decision: str = "given", named: str | None = None
) -> None:
    """The person's consent form, with passing their data to a service ``decision`` ("given"
    or "refused"): a referral letter goes to a service only where a consent given names it;
    ``named`` (None: every shipped service, by its short name) is what the form names."""
    from desktop_app.letters.directory import default_directory
    from desktop_app.usecases import visits

    answers = {
        "consent_language": "bg",
        "consent_advice": "given",
        "consent_central_storage": "given",
        "consent_referral_sharing": decision,
        "consent_date": "2026-11-25",
        "consent_form": "signed",
    }
    if decision == "given":
        answers["shared_with_service"] = named or ", ".join(
            s.consent_names[0] for s in default_directory().services
        )
    visits.record_consent(session.store, session.user, person_id, answers)


def downgrade_store(store, revision: str) -> None:
    """The open ``store``'s schema taken back to ``revision`` (a store of an earlier version,
    which its next opening migrates to the head)."""
    from alembic import command
    from alembic.config import Config

    from desktop_app.storage import db as storage_db

    config = Config()
    config.set_main_option("script_location", str(Path(storage_db.__file__).parent / "migrations"))
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def with_version_raised(form_yaml: str) -> str:
    """A shipped form's text with its ``version`` one higher (a publication that outranks it)."""
    import re

    match = re.search(r"^version: (\d+)$", form_yaml, flags=re.M)
    assert match, "no version line in the form"
    return form_yaml.replace(match.group(0), f"version: {int(match.group(1)) + 1}", 1)


def shipped_version(form_id: str) -> int:
    """The ``version`` of a form as this program ships it."""
    from desktop_app.forms import load_shipped_forms

    return load_shipped_forms()[form_id].version
