"""A merge of two entries arriving by sync is logged on the laptop it reaches as the merging
laptop logs it (``merged_away``, with the entry kept, the laptop it was made on and, where
known, the role it was made with), not as an erasure; a real erasure arriving stays one. The
person's log of consultations says a merge, in every language of the copy (its PDF read back
with pypdf). Real server process on 127.0.0.1 (SQLite and PostgreSQL), real encrypted stores."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from desktop_app.domain.users import Role
from desktop_app.i18n.text import gettext_in
from desktop_app.storage.audit_models import AuditRow
from desktop_app.sync import engine
from desktop_app.usecases import audit, data_rights, merges, person_data_notice
from desktop_app.usecases.accounts import Session
from tests.integration.sync_harness import Laptops, add_person
from tests.pdf_text import pdf_text as _text

LANGUAGES = ("de", "bg", "ro", "en")
JOINED, ERASED = "Joined two entries about you into one", "Erased data"


def _entries(laptop: Session, person_id: str) -> dict[tuple[str, str], dict[str, object]]:
    """The log's entries about ``person_id`` on ``laptop`` that erase or merge it: details by
    (action, the store id of the chain they are in)."""
    with laptop.store.reading() as db:
        rows = db.execute(
            select(AuditRow.action, AuditRow.device_id, AuditRow.details).where(
                AuditRow.record_id == person_id,
                AuditRow.action.in_(["erase", "merged_away", "merge_kept"]),
            )
        ).all()
    return {(str(action), str(device)): json.loads(details) for action, device, details in rows}


def _purposes(laptop: Session, person_id: str, lang: str) -> list[str]:
    """The purposes the person's log of consultations gives on ``laptop``, in ``lang``."""
    with laptop.store.reading() as db:
        said = person_data_notice.consultations(db, person_id, lang, laptop.store.device_id)
    return [c.purpose for c in said]


def _merging(laptops: Laptops) -> tuple[Session, Session, str, str]:
    """B coordinates; A, an advisor's laptop, holds two entries of one woman (B too) and
    merges them. Returned: A, B, the entry kept, the entry merged away."""
    b = laptops.new("Koordination")
    a = laptops.new("Beratung Hbf", role=Role.ADVISOR)
    one = add_person(a, "Maria", "Popescu", "12.04.1990", "0151 1111111")
    other = add_person(a, "Maria", "Popescu", "12.04.1990", "0151 2222222")
    laptops.sync(a, b)
    kept, merged = merges.kept_and_merged(one, other)
    return a, b, kept, merged


@pytest.mark.parametrize("page", [engine.PULL_PAGE, 1])
def test_a_merge_arriving_is_logged_as_the_merge_it_is(
    laptops: Laptops, monkeypatch: pytest.MonkeyPatch, page: int
) -> None:
    """B logged the tombstone of the entry merged away as an erasure (``erase``, remote),
    which the audit window and the person's log of consultations took for one. It logs the
    merge: ``merged_away``, naming the entry kept and A. A's own entry of it is pushed after
    the tombstone: in one page (applied first) it gives the advisor's role; in pages of one
    envelope the tombstone comes first and the role is left out."""
    monkeypatch.setattr(engine, "PULL_PAGE", page)
    a, b, kept, merged = _merging(laptops)
    merges.merge_people(a.store, a.user, kept, merged)
    laptops.sync(a, b, a)
    on_b = _entries(b, merged)
    assert set(on_b) == {("merged_away", a.store.device_id), ("merged_away", b.store.device_id)}
    mine, theirs = on_b["merged_away", b.store.device_id], on_b["merged_away", a.store.device_id]
    assert theirs["user_role"] == "advisor"  # A's own entry
    assert mine["other_entry"] == theirs["other_entry"] == kept
    assert (mine["remote"], mine[data_rights.ERASED_ON]) == (True, a.store.device_id)
    if page == 1:
        assert "user_role" not in mine
    else:
        assert mine["user_role"] == "advisor"
    with b.store.reading() as db:  # written under the merging user's id, as A's entry
        users = set(db.scalars(select(AuditRow.user_id).where(AuditRow.record_id == merged)))
    assert users == {a.user.id}
    # The person's log of consultations at B: the merge once (A's entry on the entry kept),
    # no erasure, in every language of the copy; the PDF says so.
    for lang in LANGUAGES:
        joined, erased = (gettext_in(lang, text) for text in (JOINED, ERASED))
        purposes = _purposes(b, kept, lang)
        assert joined in purposes and erased not in purposes, lang
        if page == 1:
            continue  # the copy is the same: read once
        _raw, pdf = data_rights.export_person(b.store, b.user, kept, lang=lang)
        text = _text(pdf)
        assert joined in text and erased not in text, lang
    # B's entry travels back to A whole: every chain verifies on both laptops.
    assert _entries(a, merged)["merged_away", b.store.device_id] == mine
    assert audit.verify_chain(a.store) == audit.verify_chain(b.store) == []


def test_a_real_erasure_arriving_after_a_merge_is_logged_as_an_erasure(laptops: Laptops) -> None:
    """The entry kept by a merge is erased later on the coordinator's laptop: where it
    arrives it is an erasure (a merge record names the entry as the one kept, not as merged
    away), with that laptop and the coordinator's role, the merge before it still a merge."""
    b = laptops.new("Koordination")
    a = laptops.new("Beratung Hbf", role=Role.ADVISOR)
    one = add_person(b, "Radka", "Stoyanova", "1990")
    other = add_person(b, "Radka", "Stoyanova", "1990")
    kept, merged = merges.kept_and_merged(one, other)
    laptops.sync(b, a)
    merges.merge_people(b.store, b.user, kept, merged)
    laptops.sync(b, a)
    assert set(_entries(a, merged)) == {
        ("merged_away", b.store.device_id),
        ("merged_away", a.store.device_id),
    }
    data_rights.erase_person(b.store, b.user, kept)
    laptops.sync(b, a, b)
    on_a = _entries(a, kept)
    assert ("erase", a.store.device_id) in on_a
    assert ("merged_away", a.store.device_id) not in on_a
    arrived = on_a["erase", a.store.device_id]
    assert (arrived["remote"], arrived[data_rights.ERASED_ON]) == (True, b.store.device_id)
    assert arrived["user_role"] == "coordinator"
    assert "other_entry" not in arrived
    assert _entries(b, kept)["erase", a.store.device_id] == arrived
    assert audit.verify_chain(a.store) == audit.verify_chain(b.store) == []
