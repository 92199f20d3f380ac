"""Two entries of one person merged on one laptop (kind ``person_merge``), with a real server
process on 127.0.0.1 (SQLite and PostgreSQL) and real encrypted stores: three laptops, one of
them offline during the merge and recording a visit for the entry merged away. In every
order of arrival all of them end with one person holding every visit, no conflict, nothing
refused, nothing counted as work an erasure removed; a laptop joining later reads the same.
Erasing the kept person later erases the merge record everywhere. A change of the entry
merged away made offline meanwhile is carried over to the kept entry, or is a conflict on it,
in every order of arrival."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from desktop_app.domain.person import Person
from desktop_app.storage.models import DistinctPeopleRow, PersonMergeRow
from desktop_app.storage.referrals_models import ReferralRow
from desktop_app.storage.sync_models import ConflictRow
from desktop_app.sync import engine
from desktop_app.usecases import conflicts, data_rights, duplicates, merges, people, visits
from desktop_app.usecases import referrals as referrals_uc
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import (
    Laptops,
    add_person,
    assert_converged,
    edit_person,
    live_people,
)
from tests.unit.test_visits import full_life_situation


def _visits(laptop: Session, person_id: str) -> int:
    return len(visits.visit_history(laptop.store, laptop.user, person_id))


def _maps(laptop: Session) -> list[tuple[str, str, bool]]:
    with laptop.store.reading() as db:
        rows = db.execute(
            select(PersonMergeRow.merged_id, PersonMergeRow.kept_id, PersonMergeRow.deleted)
        ).all()
    return sorted((str(m), str(k), bool(d)) for m, k, d in rows)


def _conflicts(laptop: Session) -> int:
    with laptop.store.reading() as db:
        return len(db.scalars(select(ConflictRow.id)).all())


def _references(laptop: Session, person_id: str) -> list[str]:
    with laptop.store.reading() as db:
        return sorted(
            db.scalars(select(ReferralRow.reference).where(ReferralRow.person_id == person_id))
        )


def _two_marias(laptops: Laptops) -> tuple[Session, Session, Session, str, str]:
    """Laptops A, B and C; Maria Popescu registered offline on A (with a visit) and on B (with
    a visit and a referral), all three synced: each page names the other entry. Returned: the
    entry a merge keeps, then the other (``merges.kept_and_merged``)."""
    a, b, c = laptops.new("Büro"), laptops.new("Outreach Hbf"), laptops.new("Outreach Markt")
    kept = add_person(a, "Maria", "Popescu", "12.04.1990", "0151 1111111")
    other = add_person(b, "Maria", "Popescu", "12.04.1990", "0151 2222222")
    visits.finish_visit(a.store, a.user, kept, "life_situation", full_life_situation())
    visits.finish_visit(b.store, b.user, other, "life_situation", full_life_situation())
    # The checks filled in what the entries lacked (``people.take_over_check_facts``): set
    # back, each entry holds what registering gave it.
    edit_person(a, kept, nationality="", sex="", languages="")
    edit_person(b, other, nationality="", sex="", languages="")
    referrals_uc.issue_referral(b.store, b.user, other, "jobcenter", "buergergeld")
    laptops.sync(a, b, c, a)
    person = people.get_person(a.store, a.user, kept, log_view=False)
    assert person is not None
    assert [e.id for e in people.possible_duplicates(a.store, person)] == [other]
    return a, b, c, *merges.kept_and_merged(kept, other)


def _one_maria_everywhere(
    laptops: Laptops, kept: str, other: str, reports: list[sync_uc.SyncReport], *everyone: Session
) -> None:
    """A's, B's and C's visit and B's referral on the kept entry everywhere; C's offline visit
    was moved, not lost."""
    _one_person_everywhere(laptops, kept, other, reports, *everyone, visits=3, referrals=1)


# Who reaches the server first: the merge (C offline meanwhile), C's visit for the entry
# merged away (A merged offline), or C's visit that A pulls before merging.
ORDERS = ["merge first", "visit first", "visit pulled, then merged"]


@pytest.mark.parametrize("order", ORDERS)
def test_three_laptops_end_with_one_person_holding_every_visit(
    laptops: Laptops, order: str
) -> None:
    a, b, c, kept, other = _two_marias(laptops)
    references = sorted(_references(b, other) + _references(b, kept))
    assert len(references) == 1
    reports: list[sync_uc.SyncReport] = []
    visits.finish_visit(c.store, c.user, other, "life_situation", full_life_situation())
    if order == "merge first":
        # A change of the kept entry made before the merge goes out before it: the page C
        # pulls holds people's records ahead of the merge (applied first all the same).
        edit_person(a, kept, notes="Sucht eine Wohnung")
        merges.merge_people(a.store, a.user, kept, other)
        reports += laptops.sync(a)
        # The merge, the moved records and the tombstone come in one page: C's visit,
        # recorded offline and not sent, moves to the kept entry and goes out so.
        (at_c,) = laptops.sync(c)
        assert at_c.erased_work == at_c.erased_people == 0
        assert _visits(c, kept) == 3 and _visits(c, other) == 0
        reports.append(at_c)
    elif order == "visit first":
        reports += laptops.sync(c)  # C's visit goes out about the entry merged away on A
        merges.merge_people(a.store, a.user, kept, other)
        reports += laptops.sync(a)  # A moves it as it arrives
        assert _visits(a, kept) == 3
    else:
        reports += laptops.sync(c, a)
        assert _visits(a, other) == 2
        merges.merge_people(a.store, a.user, kept, other)
        assert _visits(a, kept) == 3
    # B synced last: everything arrives in one go.
    _one_maria_everywhere(laptops, kept, other, reports, a, b, c)
    assert _references(b, kept) == references  # unchanged
    d = laptops.new("Contact point")
    laptops.sync(d)
    assert _visits(d, kept) == 3 and other not in live_people(d)
    assert _maps(d) == [(other, kept, False)]


def test_the_merge_goes_out_before_the_tombstone_also_a_page_at_a_time(
    laptops: Laptops, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages of one envelope: the merge record reaches C in a page before the tombstone of
    the entry merged away, so C's unsent visit is never taken for erased work."""
    a, b, c, kept, other = _two_marias(laptops)
    visits.finish_visit(c.store, c.user, other, "life_situation", full_life_situation())
    merges.merge_people(a.store, a.user, kept, other)
    reports = laptops.sync(a)
    monkeypatch.setattr(engine, "PULL_PAGE", 1)
    (at_c,) = laptops.sync(c)
    assert at_c.erased_work == 0 and at_c.refused == 0
    assert _visits(c, kept) == 3
    reports.append(at_c)
    _one_maria_everywhere(laptops, kept, other, reports, a, b, c)


def test_two_laptops_merging_the_same_entries_offline_write_one_record(laptops: Laptops) -> None:
    """A and C both merge B's entry into A's before either syncs: one merge record, each
    moved record holds the same person on both sides: no conflict."""
    a, b, c, kept, other = _two_marias(laptops)
    merges.merge_people(a.store, a.user, kept, other)
    merges.merge_people(c.store, c.user, kept, other)
    reports = laptops.sync(a, c)
    visits.finish_visit(b.store, b.user, other, "life_situation", full_life_situation())
    _one_maria_everywhere(laptops, kept, other, reports, a, b, c)


def test_erasing_the_kept_person_erases_the_merge_record_everywhere(laptops: Laptops) -> None:
    a, b, c, kept, other = _two_marias(laptops)
    merges.merge_people(a.store, a.user, kept, other)
    laptops.sync(a, b, c)
    assert _maps(c) == [(other, kept, False)]
    counts = data_rights.erase_person(a.store, a.user, kept)
    assert counts["merges"] == 1
    laptops.sync(a, b, c, a)
    for laptop in (a, b, c):
        assert _maps(laptop) == []
        assert live_people(laptop) == set()
    record = merges.merge_id(other)
    with laptops.server.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT kind, erases FROM envelopes WHERE record_id = "
            + ("%s" if conn.dialect.name == "postgresql" else "?"),
            (record,),
        ).all()
    assert [(str(k), bool(e)) for k, e in rows] == [("person_merge", True)]
    # What the server holds of the merge is ciphertext: neither entry's id.
    with laptops.server.engine.connect() as conn:
        texts = conn.exec_driver_sql(
            "SELECT ciphertext FROM envelopes WHERE kind = 'person_merge'"
        ).all()
    assert all(kept.encode() not in bytes(t[0]) for t in texts)


def test_a_laptop_holding_drafts_of_both_entries_keeps_the_merged_ones_answers(
    laptops: Laptops,
) -> None:
    """B had a life-situation check begun for both entries (at an outreach point) and a skills
    check for the entry merged away; A merges. B's sync brings the merge: the check of the
    entry merged away stays beside the kept entry's, with its answers (it went with the
    tombstone without a word), its skills check becomes the kept entry's draft. Erasing the
    kept person on A later deletes them on B too."""
    a, b, _c, kept, other = _two_marias(laptops)
    for pid, phone in ((kept, "0151 1111111"), (other, "0151 2222222")):
        visits.save_draft(b.store, b.user, pid, "life_situation", {"phone": phone})
    visits.save_draft(b.store, b.user, other, "skills_check", {"latin_literacy": "partly"})
    merges.merge_people(a.store, a.user, kept, other)
    laptops.sync(a, b)
    assert live_people(b) == {kept}
    (carried,) = visits.list_carried_drafts(b.store, b.user, kept)
    assert carried.carried_from == other and carried.draft.form_id == "life_situation"
    assert carried.draft.answers == {"phone": "0151 2222222"}
    own = visits.load_draft(b.store, b.user, kept, "life_situation")
    assert own is not None and own.answers == {"phone": "0151 1111111"}
    skills = visits.load_draft(b.store, b.user, kept, "skills_check")
    assert skills is not None and skills.answers == {"latin_literacy": "partly"}
    assert visits.list_open_drafts(b.store, b.user, other) == []
    laptops.sync(b)  # nothing of it goes out, nothing comes back changed
    assert len(visits.list_carried_drafts(b.store, b.user, kept)) == 1

    data_rights.erase_person(a.store, a.user, kept)
    laptops.sync(a, b)
    assert live_people(b) == set()
    assert visits.list_carried_drafts(b.store, b.user, kept) == []
    assert visits.list_open_drafts(b.store, b.user) == []


def _referrals(laptop: Session, person_id: str) -> int:
    return len(_references(laptop, person_id))


@pytest.mark.parametrize("first", ["A", "B", "A chose the other phone"])
def test_opposite_merges_offline_keep_one_entry_with_everything(
    laptops: Laptops, first: str
) -> None:
    """A merges from one entry's page, B from the other's, both offline after each recorded a
    visit for both entries: both keep the entry with the smaller id, write the same merge
    record and the same tombstone, and every laptop ends with that entry holding every visit
    and referral, whichever merge reaches the server first. (Before, each kept the entry
    whose page was open, and the two tombstones erased both.)"""
    a, b, c, kept, other = _two_marias(laptops)
    for laptop in (a, b):
        for pid in (kept, other):
            visits.finish_visit(
                laptop.store, laptop.user, pid, "life_situation", full_life_situation()
            )
    referrals_uc.issue_referral(a.store, a.user, kept, "jobcenter", "buergergeld")
    merged_away = people.get_person(a.store, a.user, other, log_view=False)
    assert merged_away is not None and merged_away.phone
    # From the kept entry's page; in one case A takes the other entry's phone, B does not:
    # only A changes the field, so her choice holds everywhere, no conflict.
    chosen = frozenset({"phone"}) if first == "A chose the other phone" else frozenset()
    merges.merge_people(a.store, a.user, kept, other, chosen)
    merges.merge_people(b.store, b.user, other, kept)  # from the other entry's page
    assert kept in live_people(b) and other not in live_people(b)
    order = (b, a) if first == "B" else (a, b)
    reports = laptops.sync(*order)
    _one_person_everywhere(laptops, kept, other, reports, a, b, c, visits=6, referrals=2)
    if chosen:
        for laptop in (a, b, c):
            person = people.get_person(laptop.store, laptop.user, kept, log_view=False)
            assert person is not None and person.phone == merged_away.phone


def _one_person_everywhere(
    laptops: Laptops,
    kept: str,
    other: str,
    reports: list[sync_uc.SyncReport],
    *everyone: Session,
    visits: int,
    referrals: int,
) -> None:
    reports += laptops.sync(*everyone, *everyone)
    assert sum(r.refused for r in reports) == 0, [r.refused_ids for r in reports]
    assert sum(r.conflicts for r in reports) == 0
    assert sum(r.erased_work for r in reports) == 0
    assert sum(r.erased_people for r in reports) == 0
    assert_converged(laptops.server, *everyone)  # before reading: reading is audited
    for laptop in everyone:
        assert live_people(laptop) == {kept}, laptop.user.display_name
        assert _visits(laptop, kept) == visits, laptop.user.display_name
        assert _visits(laptop, other) == 0
        assert _referrals(laptop, kept) == referrals
        assert _maps(laptop) == [(other, kept, False)]
        assert _conflicts(laptop) == 0


@pytest.mark.parametrize("first", ["A", "B"])
def test_one_entry_merged_into_two_others_offline_ends_in_the_smaller(
    laptops: Laptops, first: str
) -> None:
    """Three entries of one woman x < y < z; offline, A merges z into x and B merges z into y:
    one merge record id, two kept entries. Every laptop settles on x for z (the smaller kept
    id) without a conflict, in either order; the visit B recorded for z offline stays on y,
    where B moved it, and y stays a live entry named as a duplicate of x; nothing is lost."""
    a, b, c = laptops.new("Büro"), laptops.new("Outreach Hbf"), laptops.new("Outreach Markt")
    x, y, z = sorted(add_person(c, "Maria", "Popescu", "12.04.1990") for _ in "xyz")
    for pid in (x, y, z):
        visits.finish_visit(c.store, c.user, pid, "life_situation", full_life_situation())
    laptops.sync(c, a, b)
    for laptop in (a, b):  # each records a visit for z offline
        visits.finish_visit(laptop.store, laptop.user, z, "life_situation", full_life_situation())
    merges.merge_people(a.store, a.user, z, x)
    merges.merge_people(b.store, b.user, z, y)
    order = (a, b) if first == "A" else (b, a)
    reports = laptops.sync(*order)
    reports += laptops.sync(a, b, c, a, b, c)
    assert sum(r.refused for r in reports) == 0, [r.refused_ids for r in reports]
    assert sum(r.conflicts for r in reports) == 0
    assert sum(r.erased_work for r in reports) == 0
    assert_converged(laptops.server, a, b, c)
    for laptop in (a, b, c):
        assert live_people(laptop) == {x, y}, laptop.user.display_name
        assert _maps(laptop) == [(z, x, False)]
        assert _conflicts(laptop) == 0
        # Five visits in all: z's own and A's on x, B's on y (besides x's and y's own).
        assert (_visits(laptop, x), _visits(laptop, y), _visits(laptop, z)) == (3, 2, 0)
        entry = people.get_person(laptop.store, laptop.user, y, log_view=False)
        assert entry is not None
        assert [e.id for e in people.possible_duplicates(laptop.store, entry)] == [x]
    # A laptop joining later reads the same.
    d = laptops.new("Contact point")
    laptops.sync(d)
    assert _visits(d, x) == 3 and _visits(d, y) == 2


# When B's offline change of the entry merged away reaches the server: before A (offline,
# not having pulled it) merges, or after the merge (and C, with a change of its own, pulls
# the merge a page of one envelope at a time).
EDIT_ORDERS = ["edit first", "merge first"]


@pytest.mark.parametrize("order", EDIT_ORDERS)
def test_an_offline_change_of_the_entry_merged_away_is_kept_on_the_kept_entry(
    laptops: Laptops, monkeypatch: pytest.MonkeyPatch, order: str
) -> None:
    """B, offline, changes the other entry's notes (the kept entry has none: the merge takes
    the other's) and its phone (the kept entry keeps its own) while A merges. Every laptop
    ends with the kept entry holding B's notes and a conflict over its phone, B's number
    the other value, nothing refused or counted as erased work. Merge first, C's offline
    change of the languages (the kept entry has none) is kept too. B also registers a cousin
    of her name and birth date and decides, offline, that she and the other entry are two
    people, and so are the two entries: every laptop ends with the kept entry and the
    cousin decided apart (one record), and no decision of the kept entry with itself."""
    a, b, c, kept, other = _two_marias(laptops)
    before = people.get_person(a.store, a.user, kept, log_view=False)
    assert before is not None and before.phone and not before.notes and not before.languages
    edit_person(b, other, notes="Neue Adresse: Hauptstr. 1", phone="0151 3333333")
    cousin = add_person(b, "Maria", "Popescu", "12.04.1990")
    for one in (cousin, kept):
        assert duplicates.mark_different_people(b.store, b.user, other, one)
    languages: tuple[str, ...] = ()
    if order == "edit first":
        reports = laptops.sync(b)
        merges.merge_people(a.store, a.user, kept, other)  # A has not pulled B's change
        reports += laptops.sync(a)
        assert _kept(a, kept).notes == "Neue Adresse: Hauptstr. 1"  # carried as it arrived
    else:
        languages = ("ro", "de")
        edit_person(c, other, languages=",".join(languages))
        merges.merge_people(a.store, a.user, kept, other)
        reports = laptops.sync(a, b)
        assert _kept(b, kept).notes == "Neue Adresse: Hauptstr. 1"
        with monkeypatch.context() as pages:
            pages.setattr(engine, "PULL_PAGE", 1)
            reports += laptops.sync(c)
        assert _kept(c, kept).languages == languages
    reports += laptops.sync(a, b, c, a, b, c)
    assert sum(r.refused for r in reports) == 0, [r.refused_ids for r in reports]
    assert sum(r.erased_work for r in reports) == sum(r.erased_people for r in reports) == 0
    assert_converged(laptops.server, a, b, c)
    for laptop in (a, b, c):
        assert live_people(laptop) == {kept, cousin}, laptop.user.display_name
        person = _kept(laptop, kept)
        assert (person.notes, person.languages) == ("Neue Adresse: Hauptstr. 1", languages)
        assert people.possible_duplicates(laptop.store, person) == []
        assert _decisions(laptop) == [(duplicates.pair_id(kept, cousin), False)]
        found = [
            (x.record_kind, x.record_id, x.field, x.kept_value, x.other_value)
            for x in conflicts.open_conflicts(laptop.store, laptop.user)
        ]
        assert found == [("person", kept, "phone", before.phone, "0151 3333333")]
        assert _visits(laptop, kept) == 2


def _decisions(laptop: Session) -> list[tuple[str, bool]]:
    """The decisions that two entries are different people held (ids, deleted or not)."""
    with laptop.store.reading() as db:
        rows = db.execute(select(DistinctPeopleRow.id, DistinctPeopleRow.deleted)).all()
    return sorted((str(rid), bool(deleted)) for rid, deleted in rows)


def _kept(laptop: Session, person_id: str) -> Person:
    person = people.get_person(laptop.store, laptop.user, person_id, log_view=False)
    assert person is not None
    return person
