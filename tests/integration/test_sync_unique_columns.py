"""A pulled record that cannot take its place in a table with a UNIQUE column (a referral
without its reference number, a publication under another's name) refuses itself only: the
rest of its page is applied, and the next sync goes on. Real encrypted stores and a real
server process on 127.0.0.1; the broken records are sealed with the team key and pushed as a
laptop of another version would."""

from __future__ import annotations

import time
import uuid

from sqlalchemy import select

from desktop_app.storage.models import data_columns
from desktop_app.storage.reference_models import ReferenceRow
from desktop_app.storage.referrals_models import ReferralRow
from desktop_app.usecases import people
from desktop_app.usecases import referrals as referrals_uc
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import (
    Laptops,
    add_person,
    device_id,
    push_state,
    record_state,
)
from tests.unit.test_referrals import _issue, _person


def _referral_values(session: Session, referral_id: str) -> dict[str, object]:
    """The synced fields of a referral held by ``session``'s laptop."""
    with session.store.reading() as db:
        row = db.get(ReferralRow, referral_id)
        assert row is not None
        return {name: getattr(row, name) for name in data_columns(ReferralRow)}


def _references(session: Session) -> dict[str, str]:
    with session.store.reading() as db:
        return {rid: ref for rid, ref in db.execute(select(ReferralRow.id, ReferralRow.reference))}


def test_referrals_without_a_reference_refuse_themselves_and_the_rest_of_the_page_applies(
    laptops: Laptops,
) -> None:
    a, b = laptops.new("A"), laptops.new("B")
    person = _person(a)
    before = _issue(a, person)
    laptops.sync(a)
    values = _referral_values(a, before.id)
    # An older version's referral without the field, and one with it empty: both would
    # have been written with the reference "" (UNIQUE: the second stopped the whole pull).
    missing, empty = str(uuid.uuid4()), str(uuid.uuid4())
    without = {n: v for n, v in values.items() if n != "reference"}
    push_state(a, record_state("referral", missing, without, device_id(a)))
    push_state(a, record_state("referral", empty, {**values, "reference": ""}, device_id(a)))
    after = _issue(a, person, service_id="jobcenter", reason="job_search")
    other = add_person(a, "Elena", "Radu")
    laptops.sync(a)

    (report,) = laptops.sync(b)
    assert report.refused == 2 and sorted(report.refused_ids) == sorted([missing, empty])
    held = _references(b)
    assert held == {before.id: before.reference, after.id: after.reference}, held
    assert referrals_uc.get_referral(b.store, b.user, after.id) == after
    assert people.get_person(b.store, b.user, other) is not None
    # The next sync does not stop at them: what comes after arrives.
    later = add_person(a, "Ion", "Zamfir")
    laptops.sync(a)
    (again,) = laptops.sync(b)
    assert again.refused == 0 and people.get_person(b.store, b.user, later) is not None
    assert _references(b) == held


def test_a_referral_that_repeats_anothers_reference_refuses_itself_only(
    laptops: Laptops,
) -> None:
    """Written in the ORM (the referral held here, changed) and in one INSERT (new here)."""
    a, b = laptops.new("A"), laptops.new("B")
    person = _person(a)
    first, second = _issue(a, person), _issue(a, person, service_id="jobcenter")
    laptops.sync(a, b)
    copy = str(uuid.uuid4())
    values = _referral_values(a, first.id)
    push_state(a, record_state("referral", copy, values, device_id(a)))  # new on B
    changed = {**_referral_values(a, second.id), "reference": first.reference}
    push_state(a, record_state("referral", second.id, changed, device_id(a)), revision=5)
    good = add_person(a, "Elena", "Radu")
    laptops.sync(a)
    (report,) = laptops.sync(b)
    assert sorted(report.refused_ids) == sorted([copy, second.id]), report.refused_ids
    assert _references(b) == {first.id: first.reference, second.id: second.reference}
    assert people.get_person(b.store, b.user, good) is not None
    (again,) = laptops.sync(b)
    assert again.refused == 0


def test_a_publication_under_anothers_name_refuses_itself_only(laptops: Laptops) -> None:
    """reference_data.name is UNIQUE too (a publication's id is made from its name): a
    record under another id with a name held here is refused, written in the ORM (it has
    ``on_save``); the record beside it applies."""
    from desktop_app.usecases import reference

    a, b = laptops.new("A"), laptops.new("B")
    reference.publish_directory(a.store, a.user, reference.shipped_directory_files())
    laptops.sync(a, b)
    assert reference.published_directory(b.store) is not None
    impostor = str(uuid.uuid4())
    content = '{"files": {}}'
    values = {"name": reference.SERVICES, "content": content}
    push_state(a, record_state("reference", impostor, values, device_id(a)))
    good = add_person(a, "Elena", "Radu")
    laptops.sync(a)
    (report,) = laptops.sync(b)
    assert report.refused_ids == [impostor]
    assert people.get_person(b.store, b.user, good) is not None
    with b.store.reading() as db:
        assert db.get(ReferenceRow, impostor) is None
    assert reference.published_directory(b.store) is not None  # the team's, as it was


def test_two_tombstones_of_publications_do_not_share_an_empty_name(laptops: Laptops) -> None:
    """A tombstone's content is wiped; its UNIQUE name keeps the record's id, so that a second
    one is not refused (nor stops the pull) for the name "" the first holds."""
    from desktop_app.sync.merge import RecordState

    a, b = laptops.new("A"), laptops.new("B")
    laptops.sync(a, b)
    gone = [str(uuid.uuid4()), str(uuid.uuid4())]
    clock = f"{time.time_ns() // 1_000_000:013d}-00000-{device_id(a)}"
    for record_id in gone:
        push_state(a, RecordState("reference", record_id, {}, True, clock))
    (report,) = laptops.sync(b)
    assert report.refused == 0 and report.applied >= 2
    with b.store.reading() as db:
        rows = [db.get(ReferenceRow, record_id) for record_id in gone]
    assert all(row is not None and row.deleted and row.content == "" for row in rows)
