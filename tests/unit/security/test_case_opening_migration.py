"""Migration ``case_opened``: case openings a version before the ``opened`` field stored as
deleted records, in a real SQLCipher store migrated on login."""

from __future__ import annotations

import json
from pathlib import Path

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.sync.records import ADAPTERS
from desktop_app.usecases import access, accounts, data_rights, people
from desktop_app.usecases.accounts import create_first_account, log_in
from tests.conftest import PASSWORD, downgrade_store

OLD = "0000000000002-00000-old-laptop"


def test_deleted_case_openings_become_closed_ones_or_go_with_an_erased_person(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "laptop"
    session = create_first_account(data_dir, "anna", "Anna", PASSWORD)
    kept = people.register_person(
        session.store, session.user, PersonDraft("Radka", "Stoyanova"), confirm_duplicates=True
    ).id
    erased = people.register_person(
        session.store, session.user, PersonDraft("Maria", "Petrova"), confirm_duplicates=True
    ).id
    data_rights.erase_person(session.store, session.user, erased)
    accounts.add_user(session, "mihai", "Mihai Student", Role.HELPER, "student pass 7")
    helper = log_in(data_dir, "mihai", "student pass 7")
    helper_id = helper.user.id
    helper.close()
    downgrade_store(session.store, "draft_base")
    with session.store.engine.begin() as conn:
        for record, deleted, person, kind in (
            ("o1", 0, kept, "health"),  # open
            ("o2", 1, kept, "exploitation"),  # closed here
            ("o3", 1, "", ""),  # closed on another laptop: emptied when it arrived
            ("o4", 1, erased, "health"),  # erased here with the person
        ):
            conn.exec_driver_sql(
                "INSERT INTO case_openings (id, revision, updated_hlc, device_id, author_id, "
                "deleted, field_clocks, person_id, helper_id, kind) "
                "VALUES (?, 2, ?, 'old-laptop', 'x', ?, '{}', ?, ?, ?)",
                (record, OLD, deleted, person, helper_id if person else "", kind),
            )
        conn.exec_driver_sql("DELETE FROM outbox")
    session.close()
    session = log_in(data_dir, "anna", PASSWORD)  # migrates to head
    try:
        assert access.openings_of(session.store, session.user, kept) == {
            helper_id: frozenset({"health"})
        }
        with session.store.reading() as db:
            local = ADAPTERS["case_opening"].load_many(db, ["o1", "o2", "o3", "o4"])
            outbox = (
                db.connection()
                .exec_driver_sql(
                    "SELECT record_kind, record_id, revision FROM outbox "
                    "WHERE record_kind != 'audit'"
                )
                .all()
            )
            raw: dict[str, str] = dict(
                db.connection().exec_driver_sql("SELECT id, field_clocks FROM case_openings").all()
            )
        assert sorted(local) == ["o1", "o2", "o3"]
        states = {rid: record.state for rid, record in local.items()}
        assert not any(s.deleted for s in states.values())
        assert [states[r].fields["opened"].value for r in ("o1", "o2", "o3")] == [
            True,
            False,
            False,
        ]
        # Closed at the deletion's clock; an emptied one's person, helper and section take
        # the oldest clock, so the next revision that holds them fills them in.
        assert states["o2"].fields["opened"].clock == OLD
        assert states["o2"].fields["person_id"].value == kept
        assert json.loads(raw["o3"])["person_id"] == ["", ""]
        # The erased person's opening is gone, and a tombstone above it waits to be pushed.
        assert [tuple(r) for r in outbox] == [("case_opening", "o4", 3)]
    finally:
        session.close()
