"""Merging two entries of one person (``usecases.merges``) in a real SQLCipher store: what
moves, what the kept entry takes, the merge record and the order it goes out in, the audit
entries, who may, what is refused, erasure of the kept person, and the map's chains."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop_app.domain.hlc import Timestamp
from desktop_app.domain.permissions import PermissionDenied
from desktop_app.domain.person import Person, PersonDraft
from desktop_app.domain.users import Role
from desktop_app.storage.models import DistinctPeopleRow, OutboxRow, PersonMergeRow, PersonRow
from desktop_app.storage.referrals_models import ReferralRow
from desktop_app.storage.visits_models import CarriedDraftRow, DraftRow, VisitRow
from desktop_app.sync.conflict_records import record_conflict, synced_state
from desktop_app.sync.merge import Conflict, FieldState, RecordState
from desktop_app.sync.person_merges import FOLLOWS, MOVES, STAYS, kept_entries, moved
from desktop_app.sync.records import ABOUT_ERASED, ADAPTERS, ToSave
from desktop_app.usecases import (
    accounts,
    audit,
    conflicts,
    data_rights,
    duplicates,
    merges,
    people,
    person_data,
    visits,
)
from desktop_app.usecases import referrals as referrals_uc
from desktop_app.usecases.accounts import Session, create_first_account, log_in
from tests.conftest import PASSWORD, downgrade_store
from tests.unit.test_visits import consent_answers, full_life_situation


def _two_marias(session: Session) -> tuple[str, str]:
    """Maria Popescu registered twice (on two laptops, synced): the entry a merge keeps (the
    smaller id, ``merges.kept_and_merged``) with a phone, the other with another phone, a
    nationality and notes; a visit each, a referral and a consent on the other."""
    store, user = session.store, session.user
    bare = PersonDraft("Maria", "Popescu", "12.04.1990")
    first, second = merges.kept_and_merged(
        *(people.register_person(store, user, bare, confirm_duplicates=True).id for _ in "12")
    )
    # The checks first: what they fill into a record (``people.take_over_check_facts``) the
    # edits after them set as each entry holds it here.
    visits.finish_visit(store, user, first, "life_situation", full_life_situation())
    visits.finish_visit(store, user, second, "life_situation", full_life_situation())
    people.update_person(store, user, first, replace(bare, phone="0151 1111111"))
    people.update_person(
        store,
        user,
        second,
        replace(bare, nationality="RO", phone="0151 2222222", notes="Arbeitet in der Gastronomie"),
    )
    referrals_uc.issue_referral(store, user, second, "jobcenter", "buergergeld")
    visits.record_consent(store, user, second, consent_answers())
    return first, second


def _references(session: Session, person_id: str) -> list[str]:
    with session.store.reading() as db:
        return sorted(
            db.scalars(select(ReferralRow.reference).where(ReferralRow.person_id == person_id))
        )


def test_the_preview_shows_both_sides_and_what_the_advisor_chooses(session: Session) -> None:
    kept, other = _two_marias(session)
    shown = merges.preview(session.store, session.user, kept, other)
    assert shown.kept.person.id == kept and shown.merged.person.id == other
    assert shown.kept.counts == {"visits": 1, "referrals": 0, "consents": 0}
    assert shown.merged.counts["visits"] == 1 and shown.merged.counts["referrals"] == 1
    assert shown.merged.counts["consents"] >= 1
    assert shown.differing == ("phone",)  # both hold one, not the same
    assert shown.filled == ("nationality", "notes")  # only the other holds them


def test_everything_moves_to_the_kept_entry_and_the_other_is_a_tombstone(
    session: Session,
) -> None:
    kept, other = _two_marias(session)
    consents = merges.preview(session.store, session.user, kept, other).merged.counts["consents"]
    references = _references(session, other)
    moved_counts = merges.merge_people(session.store, session.user, kept, other)
    assert moved_counts == {"visits": 1, "consents": consents, "referrals": 1}
    history = visits.visit_history(session.store, session.user, kept)
    assert len(history) == 2  # one history: both entries' visits
    assert _references(session, kept) == references  # reference numbers unchanged
    # The kept entry's phone by default; what only the other held is filled in.
    assert _phone_nationality_notes(session, kept) == (
        "0151 1111111",
        "RO",
        "Arbeitet in der Gastronomie",
    )
    with session.store.reading() as db:
        gone = db.scalar(select(PersonRow).where(PersonRow.id == other))
        assert gone is not None and gone.deleted and gone.given_name == "" and gone.phone == ""
        record = db.get(PersonMergeRow, merges.merge_id(other))
        assert record is not None and (record.merged_id, record.kept_id) == (other, kept)
        assert db.scalars(select(VisitRow.id).where(VisitRow.person_id == other)).all() == []
    # The entry merged away is named on no page and found by no search any more.
    assert people.get_person(session.store, session.user, other, log_view=False) is None
    survivor = people.get_person(session.store, session.user, kept, log_view=False)
    assert survivor is not None
    assert people.possible_duplicates(session.store, survivor) == []


def test_the_other_value_is_taken_where_the_advisor_chose_it(session: Session) -> None:
    kept, other = _two_marias(session)
    merges.merge_people(session.store, session.user, kept, other, frozenset({"phone"}))
    person = people.get_person(session.store, session.user, kept, log_view=False)
    assert person is not None and person.phone == "0151 2222222"
    with pytest.raises(ValueError):
        merges.merge_people(session.store, session.user, kept, other, frozenset({"password"}))


def test_the_merge_record_goes_out_before_the_tombstone(session: Session) -> None:
    """The push sends records in the order of their first outbox entry: the merge record's
    comes before the tombstone's, also where the entry merged away had an older change
    waiting (its entries are replaced by the tombstone's), so that no laptop gets the
    tombstone before it knows where the records went."""
    kept, other = _two_marias(session)
    people.update_person(
        session.store,
        session.user,
        other,
        PersonDraft("Maria", "Popescu", "12.04.1990", nationality="RO", phone="0151 3333333"),
    )
    merges.merge_people(session.store, session.user, kept, other)
    with session.store.reading() as db:
        rows = db.execute(
            select(OutboxRow.record_kind, OutboxRow.record_id).order_by(OutboxRow.seq)
        ).all()
    first_seen: dict[str, int] = {}
    for index, (_kind, record_id) in enumerate(rows):
        first_seen.setdefault(record_id, index)
    assert first_seen[merges.merge_id(other)] < first_seen[other]
    assert [k for k, rid in rows if rid == other] == ["person"]  # only the tombstone


def test_audited_for_both_entries(session: Session) -> None:
    kept, other = _two_marias(session)
    merges.merge_people(session.store, session.user, kept, other, frozenset({"phone"}))
    (on_kept,) = audit.list_entries(session.store, session.user, action="merge_kept")
    (on_other,) = audit.list_entries(session.store, session.user, action="merged_away")
    assert on_kept.record_id == kept and on_kept.details["other_entry"] == other
    assert on_kept.details["visits"] == 1
    assert on_kept.details["fields"] == "nationality,notes,phone"
    assert on_other.record_id == other and on_other.details["other_entry"] == kept


def test_a_helper_may_not_merge_and_nothing_is_written(session: Session) -> None:
    kept, other = _two_marias(session)
    accounts.add_user(session, "mihai", "Mihai Student", Role.HELPER, "student pass 7")
    helper = log_in(session.store.paths.data_dir, "mihai", "student pass 7")
    try:
        with pytest.raises(PermissionDenied):
            merges.preview(helper.store, helper.user, kept, other)
        with pytest.raises(PermissionDenied):
            merges.merge_people(helper.store, helper.user, kept, other)
    finally:
        helper.close()
    with session.store.reading() as db:
        assert db.scalars(select(PersonMergeRow)).all() == []
    assert len(visits.visit_history(session.store, session.user, other)) == 1


def test_the_entry_kept_is_the_same_from_either_page(session: Session) -> None:
    """Started from the other entry's page, the merge keeps the same entry (the smaller id),
    so two advisors merging one pair each way offline write the same merge record."""
    kept, other = _two_marias(session)
    assert merges.kept_and_merged(other, kept) == (kept, other)
    shown = merges.preview(session.store, session.user, other, kept)
    assert shown.kept.person.id == kept and shown.merged.person.id == other
    merges.merge_people(session.store, session.user, other, kept, frozenset({"phone"}))
    person = people.get_person(session.store, session.user, kept, log_view=False)
    assert person is not None and person.phone == "0151 2222222"  # the other's, as chosen
    with session.store.reading() as db:
        record = db.get(PersonMergeRow, merges.merge_id(other))
        assert record is not None and (record.merged_id, record.kept_id) == (other, kept)
        assert db.get(PersonMergeRow, merges.merge_id(kept)) is None


def test_refused_for_one_entry_twice_an_unknown_or_a_merged_away_one(session: Session) -> None:
    kept, other = _two_marias(session)
    with pytest.raises(ValueError):
        merges.merge_people(session.store, session.user, kept, kept)
    with pytest.raises(data_rights.PersonNotFound):
        merges.merge_people(session.store, session.user, kept, "no-such-entry")
    merges.merge_people(session.store, session.user, kept, other)
    with pytest.raises(data_rights.PersonNotFound):  # merged already: gone
        merges.merge_people(session.store, session.user, kept, other)
    with pytest.raises(data_rights.PersonNotFound):
        merges.merge_people(session.store, session.user, other, kept)


def test_an_entry_merged_away_meanwhile_is_told_apart_from_one_erased(session: Session) -> None:
    """The other entry merged away meanwhile (here or by a sync) was refused as any entry
    gone, and said as "the person was erased meanwhile": which merge took it is told now."""
    store, user = session.store, session.user
    kept, other = _two_marias(session)
    third = people.register_person(
        store, user, PersonDraft("Maria", "Popescu", "12.04.1990"), confirm_duplicates=True
    ).id
    merges.merge_people(store, user, kept, other)
    # The same merge again (two advisors, or the dialog open while a sync brought it).
    for one, two in ((kept, other), (other, kept)):
        with pytest.raises(merges.EntryMergedAway) as same:
            merges.merge_people(store, user, one, two)
        assert same.value.code == "entries_merged" and same.value.kept_id == kept
    # Merged into an entry not of this merge: the one it is in now is named.
    for one, two in ((other, third), (third, other)):
        with pytest.raises(merges.EntryMergedAway) as into_another:
            merges.merge_people(store, user, one, two)
        assert into_another.value.code == "person_merged"
        assert into_another.value.kept_id == kept
    # Erased: not merged, said as before.
    erased = people.register_person(store, user, PersonDraft("Ion", "Popa")).id
    fresh = people.register_person(
        store, user, PersonDraft("Ion", "Popa"), confirm_duplicates=True
    ).id
    data_rights.erase_person(store, user, erased)
    with pytest.raises(data_rights.PersonNotFound) as exc:
        merges.merge_people(store, user, fresh, erased)
    assert type(exc.value) is data_rights.PersonNotFound
    assert exc.value.code == "person_not_found"


def _drafts_held(session: Session) -> list[tuple[str, str, str]]:
    """Every draft held here: whose, which form, and its answers (JSON), own and carried."""
    with session.store.reading() as db:
        own = db.execute(select(DraftRow.person_id, DraftRow.form_id, DraftRow.answers)).all()
        carried = db.execute(
            select(CarriedDraftRow.person_id, CarriedDraftRow.form_id, CarriedDraftRow.answers)
        ).all()
    held = [(str(p), str(f), str(a)) for p, f, a in own]
    return sorted(held + [("carried " + str(p), str(f), str(a)) for p, f, a in carried])


def test_a_draft_of_a_form_both_entries_began_is_kept_beside_the_kept_entrys(
    session: Session,
) -> None:
    """A form begun on both entries: the merged entry's answers stay on the kept entry as a
    carried draft (they went with the tombstone); a form only it began becomes the kept
    entry's draft, as before. The dialog's preview names the form begun on both."""
    kept, other = _two_marias(session)
    store, user = session.store, session.user
    visits.save_draft(store, user, other, "skills_check", {"literacy": "yes"})
    visits.save_draft(store, user, other, "life_situation", {"phone": "0151 2222222"})
    visits.save_draft(store, user, kept, "life_situation", {"phone": "0151 1111111"})
    assert merges.preview(store, user, kept, other).drafts_on_both == ("life_situation",)
    moved_counts = merges.merge_people(store, user, kept, other)
    assert moved_counts["drafts"] == 1 and moved_counts["drafts_carried"] == 1
    assert _drafts_held(session) == sorted(
        [
            (kept, "life_situation", '{"phone":"0151 1111111"}'),
            (kept, "skills_check", '{"literacy":"yes"}'),
            ("carried " + kept, "life_situation", '{"phone":"0151 2222222"}'),
        ]
    )
    (carried,) = visits.list_carried_drafts(store, user, kept)
    assert carried.carried_from == other and carried.author == user.display_name
    assert carried.draft.answers == {"phone": "0151 2222222"}
    assert carried.draft.person_id == kept and carried.draft.form_id == "life_situation"
    # The kept entry's own draft is still the one its form opens with.
    own = visits.load_draft(store, user, kept, "life_situation")
    assert own is not None and own.answers == {"phone": "0151 1111111"}
    assert [d.form_id for d in visits.list_open_drafts(store, user, kept)].count(
        "life_situation"
    ) == 1


def test_a_carried_draft_is_continued_in_place_of_the_own_only_when_asked(
    session: Session,
) -> None:
    kept, other = _two_marias(session)
    store, user = session.store, session.user
    visits.save_draft(store, user, other, "life_situation", {"phone": "0151 2222222"})
    visits.save_draft(store, user, kept, "life_situation", {"phone": "0151 1111111"})
    merges.merge_people(store, user, kept, other)
    with pytest.raises(visits.OwnDraftHeld):
        visits.continue_carried_draft(store, user, kept, "life_situation", other)
    assert len(_drafts_held(session)) == 2  # nothing changed
    draft = visits.continue_carried_draft(
        store, user, kept, "life_situation", other, replace_own=True
    )
    assert draft.answers == {"phone": "0151 2222222"}
    assert _drafts_held(session) == [(kept, "life_situation", '{"phone":"0151 2222222"}')]
    assert visits.list_carried_drafts(store, user, kept) == []
    with pytest.raises(LookupError):  # continued already
        visits.continue_carried_draft(store, user, kept, "life_situation", other)


def test_a_carried_draft_becomes_the_draft_once_the_own_one_is_finished(
    session: Session,
) -> None:
    """Finishing the kept entry's own form first keeps both: the carried one then continues
    without replacing anything."""
    kept, other = _two_marias(session)
    store, user = session.store, session.user
    visits.save_draft(store, user, other, "skills_check", {"literacy": "yes"})
    visits.save_draft(store, user, kept, "skills_check", {"literacy": "no"})
    merges.merge_people(store, user, kept, other)
    assert visits.discard_draft(store, user, kept, "skills_check")  # or finished
    draft = visits.continue_carried_draft(store, user, kept, "skills_check", other)
    assert draft.answers == {"literacy": "yes"}
    loaded = visits.load_draft(store, user, kept, "skills_check")
    assert loaded is not None and loaded.answers == {"literacy": "yes"}


def test_a_carried_draft_is_discarded_alone(session: Session) -> None:
    kept, other = _two_marias(session)
    store, user = session.store, session.user
    visits.save_draft(store, user, other, "skills_check", {"literacy": "yes"})
    visits.save_draft(store, user, kept, "skills_check", {"literacy": "no"})
    merges.merge_people(store, user, kept, other)
    assert visits.discard_carried_draft(store, user, kept, "skills_check", other)
    assert not visits.discard_carried_draft(store, user, kept, "skills_check", other)
    assert _drafts_held(session) == [(kept, "skills_check", '{"literacy":"no"}')]


def test_carried_drafts_follow_a_second_merge_and_are_in_the_copy_and_erased(
    session: Session,
) -> None:
    """Three entries of one woman, x < y < z, each with a skills check begun: z into y keeps
    z's beside y's, y into x keeps both beside x's. The data copy of x holds all three; the
    erasure of x deletes all three."""
    store, user = session.store, session.user
    x, y, z = sorted((*_two_marias(session), *_more_marias(session, 1)))
    for pid, level in ((x, "no"), (y, "yes"), (z, "partly")):
        visits.save_draft(store, user, pid, "skills_check", {"literacy": level})
    merges.merge_people(store, user, y, z)
    merges.merge_people(store, user, x, y)
    carried = visits.list_carried_drafts(store, user, x)
    assert sorted((c.carried_from, c.draft.answers["literacy"]) for c in carried) == sorted(
        [(y, "yes"), (z, "partly")]
    )
    raw, _pdf = data_rights.export_person(store, user, x)
    answers = sorted(d["answers"]["literacy"] for d in json.loads(raw)["drafts"])
    assert answers == ["no", "partly", "yes"]
    counts = data_rights.erase_person(store, user, x)
    assert counts["drafts"] == 3 and _drafts_held(session) == []


def test_the_data_copy_of_the_kept_person_shows_the_merged_history(session: Session) -> None:
    kept, other = _two_marias(session)
    references = _references(session, other)
    merges.merge_people(session.store, session.user, kept, other)
    raw, _pdf = data_rights.export_person(session.store, session.user, kept)
    data = json.loads(raw)
    assert len(data["visits"]) == 2
    assert [r["reference"] for r in data["referrals"]] == references
    assert data["consents"] and other not in raw.decode()


def test_erasing_the_kept_person_erases_the_merge_record(session: Session) -> None:
    kept, other = _two_marias(session)
    merges.merge_people(session.store, session.user, kept, other)
    counts = data_rights.erase_person(session.store, session.user, kept)
    assert counts["merges"] == 1 and counts["visits"] == 2
    record = merges.merge_id(other)
    with session.store.reading() as db:
        assert db.scalars(select(PersonMergeRow)).all() == []
        revisions = db.scalars(select(OutboxRow.revision).where(OutboxRow.record_id == record))
        assert sorted(revisions) == [1, 2]  # the merge, then its tombstone


def test_a_third_entry_merged_later_carries_the_first_merge_along(session: Session) -> None:
    """Three entries of one woman x < y < z: z into y, then y into x. The map names x for
    both, so a record arriving later for z moves to x."""
    a, b = _two_marias(session)
    c = people.register_person(
        session.store,
        session.user,
        PersonDraft("Maria", "Popescu", "12.04.1990"),
        confirm_duplicates=True,
    ).id
    x, y, z = sorted((a, b, c))
    merges.merge_people(session.store, session.user, z, y)
    merges.merge_people(session.store, session.user, y, x)
    assert len(visits.visit_history(session.store, session.user, x)) == 2
    with session.store.reading() as db:
        assert kept_entries(db, [x, y, z]) == {y: x, z: x}
    a, b, c = y, z, x  # as below: b merged into a, a into c
    state = RecordState("visit", "v1", {"person_id": FieldState(b, "0001", "")})
    turned = moved(state, {b: c}, "0002")
    assert turned is not None and turned.fields["person_id"] == FieldState(c, "0002", "0001")
    # A conflict over the merged-away entry's own fields stays with it (erased with it).
    conflict = RecordState(
        "conflict",
        "c1",
        {"person_id": FieldState(b, "0001"), "record_kind": FieldState("person", "0001")},
    )
    assert moved(conflict, {b: c}, "0002") is None


def test_a_store_of_the_version_before_is_migrated_and_merges(tmp_path: Path) -> None:
    data_dir = tmp_path / "laptop"
    session = create_first_account(data_dir, "anna", "Anna", PASSWORD)
    kept, other = _two_marias(session)
    downgrade_store(session.store, "outbox_sent")
    with session.store.engine.connect() as conn:
        tables = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")
        assert "person_merges" not in set(tables.scalars())
    session.close()
    session = log_in(data_dir, "anna", PASSWORD)  # migrates to head
    try:
        merges.merge_people(session.store, session.user, kept, other)
        assert len(visits.visit_history(session.store, session.user, kept)) == 2
    finally:
        session.close()


def _as_b_changed_it(before: RecordState, **values: str) -> RecordState:
    """The entry merged away as laptop B changed it offline, unseen by the merge: ``values``
    at a clock of B's after every clock of the merge, each built on the value it replaces."""
    clock = str(Timestamp(Timestamp.parse(before.newest_clock()).wall_ms + 60_000, 0, "laptop-b"))
    fields = dict(before.fields)
    for name, value in values.items():
        fields[name] = FieldState(value, clock, fields[name].clock)
    return replace(before, fields=fields)


def _carry(session: Session, state: RecordState, kept: str) -> dict[str, int]:
    with session.store.transaction() as db:
        return merges.carry_over(db, session.store, state, kept, session.user.id)


def _open_conflicts(session: Session) -> list[tuple[str, str, str, object, object]]:
    return [
        (c.record_kind, c.record_id, c.field, c.kept_value, c.other_value)
        for c in conflicts.open_conflicts(session.store, session.user)
    ]


def test_a_change_of_the_merged_entry_unseen_by_the_merge_is_carried_over(
    session: Session,
) -> None:
    """B's newer notes (which the kept entry took from the other) become the kept entry's;
    B's newer phone (the kept entry kept its own) is a conflict on it; what the merge saw
    changes nothing; carrying the same change again (another laptop) adds nothing."""
    kept, other = _two_marias(session)
    with session.store.reading() as db:
        before = synced_state(db, "person", other)
    assert before is not None
    merges.merge_people(session.store, session.user, kept, other)
    with session.store.reading() as db:
        row = db.get(PersonMergeRow, merges.merge_id(other))
        assert row is not None
        seen = merges.MergeSeen.from_json(row.seen)
    assert seen.clocks["notes"] == before.fields["notes"][1:]
    assert {"notes", "nationality", "given_name"} <= seen.carried and "phone" not in seen.carried
    assert _carry(session, before, kept) == {"fields": 0, "conflicts": 0}
    changed = _as_b_changed_it(before, notes="Neue Adresse", phone="0151 3333333")
    assert _carry(session, changed, kept) == {"fields": 1, "conflicts": 1}
    assert _phone_nationality_notes(session, kept) == ("0151 1111111", "RO", "Neue Adresse")
    assert _open_conflicts(session) == [("person", kept, "phone", "0151 1111111", "0151 3333333")]
    assert _carry(session, changed, kept) == {"fields": 0, "conflicts": 0}


def test_a_change_older_than_the_kept_entrys_own_later_edit_is_a_conflict(
    session: Session,
) -> None:
    """The kept entry's notes (taken from the other) edited after the merge and after B's
    change: B's value does not overwrite the edit, it is a conflict on it."""
    kept, other = _two_marias(session)
    with session.store.reading() as db:
        before = synced_state(db, "person", other)
    assert before is not None
    merges.merge_people(session.store, session.user, kept, other)
    changed = _as_b_changed_it(before, notes="Neue Adresse")
    later = Timestamp.parse(changed.fields["notes"].clock).wall_ms + 1
    session.store.clock.observe(Timestamp(later, 0, "laptop-b"))
    person = people.get_person(session.store, session.user, kept, log_view=False)
    assert person is not None
    people.update_person(
        session.store, session.user, kept, replace(_draft_of(person), notes="Zieht um")
    )
    assert _carry(session, changed, kept) == {"fields": 0, "conflicts": 1}
    assert _open_conflicts(session) == [("person", kept, "notes", "Zieht um", "Neue Adresse")]


def test_an_open_conflict_over_the_merged_entrys_field_goes_to_the_kept_entry(
    session: Session,
) -> None:
    kept, other = _two_marias(session)
    clock = str(session.store.clock.now())
    with session.store.transaction() as db:
        record_conflict(
            db,
            session.store,
            Conflict("person", other, "phone", "0151 2222222", clock, "0151 4444444", clock),
            other,
        )
    moved_counts = merges.merge_people(session.store, session.user, kept, other)
    assert moved_counts["conflicts_carried"] == 1
    assert _open_conflicts(session) == [("person", kept, "phone", "0151 1111111", "0151 4444444")]


def _draft_of(person: Person) -> PersonDraft:
    values = people.person_values(person)
    languages = tuple(code for code in values.pop("languages").split(",") if code)
    return PersonDraft(**values, languages=languages)


def test_every_kind_naming_a_person_moves_or_says_why_and_is_a_source_of_their_data() -> None:
    """One list of the kinds naming a person: the sync's adapters (``person_of``). Each of
    them moves with a merge (``MOVES``, whose tables are the adapters'), follows it as a
    record of its own (``FOLLOWS``) or says why it stays (``STAYS``), and a source of person
    data covers it, so the data copy and erasure reach it. A kind added to one list and not
    the others fails here. Quick contacts name no one."""
    naming = {
        kind
        for kind, adapter in ADAPTERS.items()
        if getattr(adapter, "person_of", None) is not None and kind != "person"
    }
    assert "quick_contact" not in naming
    lists = (set(MOVES), set(FOLLOWS), set(STAYS))
    assert set().union(*lists) == naming and sum(map(len, lists)) == len(naming)
    covered = [kind for source in person_data.sources() for kind in source.record_kinds]
    assert sorted(covered) == sorted(naming)  # each by one source
    for kind, column in MOVES.items():
        assert column in merges.model_of(kind).__table__.c, kind


def _phone_nationality_notes(session: Session, person_id: str) -> tuple[str, str, str]:
    person = people.get_person(session.store, session.user, person_id, log_view=False)
    assert person is not None
    return person.phone, person.nationality, person.notes


def _decided(session: Session) -> set[tuple[str, str]]:
    """The live decisions that two entries are different people, each as its pair; checked
    against its id (one record per pair, whoever wrote it)."""
    with session.store.reading() as db:
        rows = db.scalars(select(DistinctPeopleRow).where(DistinctPeopleRow.deleted.is_(False)))
        pairs = {(r.id, r.person_a, r.person_b) for r in rows}
    assert all(rid == duplicates.pair_id(a, b) and a < b for rid, a, b in pairs)
    return {(a, b) for _rid, a, b in pairs}


def _more_marias(session: Session, count: int) -> list[str]:
    """Further entries of Maria Popescu's name and date of birth: other women (cousins)."""
    draft = PersonDraft("Maria", "Popescu", "12.04.1990")
    return [
        people.register_person(session.store, session.user, draft, confirm_duplicates=True).id
        for _ in range(count)
    ]


def _pair(one: str, other: str) -> tuple[str, str]:
    first, second = sorted((one, other))
    return first, second


def test_a_decision_naming_the_merged_entry_follows_it_to_the_kept_one(session: Session) -> None:
    """The merged entry and a cousin were decided two people: the kept entry and the cousin
    are, or the kept entry's page named the cousin as a possible duplicate again. A pair the
    kept entry was decided on already is not written twice; the merged entry decided apart
    from the kept one (then merged all the same) gives no decision of the kept entry with
    itself."""
    store, user = session.store, session.user
    kept, other = _two_marias(session)
    cousin, aunt = _more_marias(session, 2)
    for one, two in ((other, cousin), (other, aunt), (kept, aunt), (other, kept)):
        assert duplicates.mark_different_people(store, user, one, two)
    moved_counts = merges.merge_people(store, user, kept, other)
    assert moved_counts["distinct_people"] == 1  # the cousin's; the aunt's was held
    assert _decided(session) == {_pair(kept, cousin), _pair(kept, aunt)}
    person = people.get_person(store, user, kept, log_view=False)
    assert person is not None and people.possible_duplicates(store, person) == []
    with store.reading() as db:  # the new decision goes out, as one decided here does
        queued = db.scalars(
            select(OutboxRow.record_id).where(OutboxRow.record_kind == "distinct_people")
        )
        assert duplicates.pair_id(kept, cousin) in set(queued)
    (entry,) = audit.list_entries(store, user, action="merge_kept")
    assert entry.details["distinct_people"] == 1


def test_a_decision_arriving_after_the_merge_follows_it_too(session: Session) -> None:
    """Laptop B decided the merged entry and a cousin apart, offline, before it heard of the
    merge: the decision arriving here is about a tombstone (refused, its tombstone queued) and
    the kept entry and the cousin are decided apart instead, in the same record as where the
    decision was held at the merge (the same on every laptop, whatever came first). One
    arriving naming the kept entry and itself (B decided the two entries apart) is dropped."""
    store, user = session.store, session.user
    kept, other = _two_marias(session)
    (cousin,) = _more_marias(session, 1)
    merges.merge_people(store, user, kept, other)
    assert _decided(session) == set()
    clock = str(Timestamp(Timestamp.parse(str(store.clock.now())).wall_ms + 60_000, 0, "b"))
    arriving = [
        RecordState(
            "distinct_people",
            duplicates.pair_id(one, two),
            {
                "person_a": FieldState(min(one, two), clock),
                "person_b": FieldState(max(one, two), clock),
            },
        )
        for one, two in ((other, cousin), (other, kept))
    ]
    with store.transaction() as db:
        refused = ADAPTERS["distinct_people"].save_many(
            db, store, [ToSave(state, 1, user.id) for state in arriving]
        )
    assert refused == {state.id: ABOUT_ERASED for state in arriving}
    assert _decided(session) == {_pair(kept, cousin)}
    person = people.get_person(store, user, kept, log_view=False)
    assert person is not None and people.possible_duplicates(store, person) == []
