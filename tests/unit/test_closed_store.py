"""A closed store refuses every use and no longer holds its key: a reference kept to a session
or store after logging out, quitting or switching to a restored store can neither read nor
write the data, and does not keep the key in the engine (which reconnected with it before)."""

from __future__ import annotations

import gc
import threading
import types
import weakref
from pathlib import Path

import pytest
from sqlalchemy import text

from desktop_app.domain.person import PersonDraft
from desktop_app.storage.db import StoreClosed, StoreError
from desktop_app.storage.models import MetaRow
from desktop_app.usecases import people
from desktop_app.usecases.accounts import create_first_account, log_in
from tests.conftest import PASSWORD


def _key_texts(key: bytes) -> tuple[str, str]:
    return key.hex(), key.hex().upper()


def test_store_closed_is_a_store_error() -> None:
    assert issubclass(StoreClosed, StoreError)


def test_every_entry_point_of_a_closed_store_raises_store_closed(data_dir: Path) -> None:
    s = create_first_account(data_dir, "anna", "Anna", PASSWORD)
    people.register_person(s.store, s.user, PersonDraft("Ștefan", "Țăranu", "1990-02-28"))
    store = s.store
    s.close()

    assert store.closed
    with pytest.raises(StoreClosed), store.transaction():
        pass
    with pytest.raises(StoreClosed), store.background_transaction():
        pass
    with pytest.raises(StoreClosed), store.reading():
        pass
    with pytest.raises(StoreClosed):
        store.meta("device_id")
    with pytest.raises(StoreClosed):
        store.integrity_ok()
    # The engine itself, taken by code that holds it (backup, migrations), does not reconnect.
    with pytest.raises(StoreClosed), store.engine.connect() as conn:
        conn.execute(text("SELECT count(*) FROM people"))
    # A use case run on a kept session: refused, nothing read.
    with pytest.raises(StoreClosed):
        people.register_person(s.store, s.user, PersonDraft("Ion", "Popescu", "1985-01-01"))
    # Closing again is harmless.
    s.close()
    store.close()

    # Nothing was written after closing: the one person is there, the refused one is not.
    again = log_in(data_dir, "anna", PASSWORD)
    try:
        found = people.list_people(again.store, 0, 50)
        assert [p.family_name for p in found] == ["Țăranu"]
    finally:
        again.close()


def test_a_closed_store_holds_the_key_nowhere_in_its_engine_or_session(data_dir: Path) -> None:
    s = create_first_account(data_dir, "anna", "Anna", PASSWORD)
    key = s.key
    assert key
    engine = s.store.engine
    lower, upper = _key_texts(key)
    assert lower in str(engine.url.password)  # open: the URL holds it (as SQLAlchemy keeps it)
    s.close()

    assert engine.url.password is None
    rendered = engine.url.render_as_string(hide_password=False)
    assert lower not in rendered and upper not in rendered
    assert s.key == b""
    assert s.recovery_code is None
    # Nothing reachable from the engine's pool (its connection factory, its connect hooks)
    # keeps the key's text: the pool that could reconnect with it is gone.
    gc.collect()
    reachable = _reachable_strings(engine) + _reachable_strings(s)
    assert not any(lower in t or upper in t for t in reachable)


def _reachable_strings(root: object, limit: int = 200_000) -> list[str]:
    """The strings reachable from ``root``: attributes, containers, and the closures and
    defaults of functions (not their module globals, which reach the whole program)."""
    seen: set[int] = set()
    stack: list[object] = [root]
    found: list[str] = []
    while stack and len(seen) < limit:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, str):
            found.append(obj)
        elif isinstance(obj, types.FunctionType):
            cells = [c.cell_contents for c in obj.__closure__ or () if _filled(c)]
            stack.extend([*cells, obj.__defaults__, obj.__kwdefaults__])
        elif isinstance(obj, types.MethodType):
            stack.extend([obj.__self__, obj.__func__])
        elif not isinstance(obj, (bytes, int, float, type, types.ModuleType)) and obj is not None:
            stack.extend(gc.get_referents(obj))
    assert not stack, "the walk stopped early"
    return found


def _filled(cell: types.CellType) -> bool:
    try:
        cell.cell_contents  # noqa: B018 - an empty cell raises
    except ValueError:
        return False
    return True


def test_the_reachable_strings_walk_finds_the_key_of_an_open_engine(data_dir: Path) -> None:
    """The check above can fail: before closing, the walk finds the key in the engine."""
    s = create_first_account(data_dir, "anna", "Anna", PASSWORD)
    try:
        lower, _upper = _key_texts(s.key)
        assert any(lower in t for t in _reachable_strings(s.store.engine))
    finally:
        s.close()


def test_close_waits_for_a_transaction_in_progress_on_another_thread(data_dir: Path) -> None:
    """A worker's transaction (an autosave) that began before closing commits; one that
    begins after it is refused with StoreClosed, and nothing else goes wrong."""
    s = create_first_account(data_dir, "anna", "Anna", PASSWORD)
    inside = threading.Event()
    go_on = threading.Event()
    outcome: list[object] = []

    def worker() -> None:
        try:
            with s.store.transaction() as session:
                inside.set()
                go_on.wait()
                session.add(MetaRow(key="autosave.test", value="kept"))
            outcome.append("committed")
        except Exception as exc:
            outcome.append(exc)

    thread = threading.Thread(target=worker)
    thread.start()
    inside.wait()
    closer = threading.Thread(target=s.close)
    closer.start()
    go_on.set()
    thread.join()
    closer.join()
    assert outcome == ["committed"]
    with pytest.raises(StoreClosed), s.store.transaction():
        pass
    again = log_in(data_dir, "anna", PASSWORD)
    try:
        assert again.store.meta("autosave.test") == "kept"
    finally:
        again.close()


def test_a_closed_store_leaves_nothing_compiled_for_it_in_memory(data_dir: Path) -> None:
    """Each mapper caches the inserts and updates it compiled (``Mapper._compiled_cache``),
    keyed by the engine's dialect: every store opened and closed left its dialect there, and
    with it what the dialect had made (its type adaptations, compiled statements, quoted
    names), some 650 objects more at every user switch at the lock. A closed store's dialect
    is freed, however many stores were opened and closed."""
    create_first_account(data_dir, "anna", "Anna", PASSWORD).close()
    dialects: list[weakref.ref[object]] = []
    for n in range(3):
        s = log_in(data_dir, "anna", PASSWORD)
        # The unit of work's inserts and updates (person, outbox, audit log, meta).
        people.register_person(s.store, s.user, PersonDraft("Ion", f"Popescu{n}", "1985-01-01"))
        dialects.append(weakref.ref(s.store.engine.dialect))
        s.close()
        del s
    gc.collect()

    assert [d() is None for d in dialects] == [True, True, True]
