"""Whether a referral was issued as a draft travels in its record: set where it is made, the same
on every laptop after a sign-off elsewhere; a referral from the version before (without the
field) applies and gets it told from its sign-off; the version before keeps one that has it
until it is updated. Real encrypted stores and a real server process on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import replace

import pytest

from desktop_app.domain.referral import Referral
from desktop_app.domain.users import Role
from desktop_app.sync.merge import FieldState, RecordState
from desktop_app.sync.records import ADAPTERS, LocalRecord, RowAdapter, load_one, reader_version
from desktop_app.usecases import accounts
from desktop_app.usecases import referrals as uc
from desktop_app.usecases.accounts import Session
from tests.conftest import mark_sent
from tests.integration.sync_harness import Laptops, add_person, device_id, push_state

HELPER_PASSWORD = "student pass 7"
ISSUED = dt.datetime(2026, 12, 1, 10, 15)


def _helper(laptop: Session, name: str) -> Session:
    accounts.add_user(laptop, "mihai", name, Role.HELPER, HELPER_PASSWORD)
    return accounts.log_in(laptop.store.paths.data_dir, "mihai", HELPER_PASSWORD)


def _referral(laptop: Session, referral_id: str) -> Referral:
    return uc.get_referral(laptop.store, laptop.user, referral_id, log_view=False)


def _held(laptop: Session, referral_id: str) -> LocalRecord:
    with laptop.store.reading() as db:
        held = load_one(ADAPTERS["referral"], db, referral_id)
    assert held is not None
    return held


def _without_the_field(state: RecordState) -> RecordState:
    """The record as the version before sent it."""
    fields = {n: f for n, f in state.fields.items() if n != "issued_as_draft"}
    return replace(state, fields=fields)


def _signed_off_by_the_version_before(state: RecordState, laptop: Session) -> RecordState:
    """``state`` signed off on ``laptop`` by a version before the field, a minute later."""
    clock = f"{time.time_ns() // 1_000_000 + 60_000:013d}-00000-{device_id(laptop)}"
    fields = dict(state.fields)
    for name, value in (
        ("signed_off_by", "Anna Schmidt"),
        ("signed_off_at", "2026-12-02T09:00:00"),
    ):
        fields[name] = FieldState(value, clock, state.fields[name].clock)
    return replace(state, fields=fields)


def test_a_helpers_draft_signed_off_on_another_laptop_is_a_draft_on_both(
    laptops: Laptops,
) -> None:
    """A helper on A, of the name of B's advisor, prepares a referral; B's advisor signs it
    off within the second it was made. Both laptops hold it as issued as a draft, at the clock
    it was made at; an advisor's own made on B is not one, on both."""
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Ionuț", "Popa", "2002")
    helper = _helper(a, b.user.display_name)
    try:
        draft = uc.issue_referral(
            helper.store, helper.user, pid, "jobcenter", "buergergeld", now=ISSUED
        )
    finally:
        helper.close()
    made_at = _held(a, draft.id).state.fields["issued_as_draft"]
    assert made_at.value is True and made_at.clock == _held(a, draft.id).state.newest_clock()
    laptops.sync(a, b)
    assert _referral(b, draft.id).issued_as_draft and not _referral(b, draft.id).signed_off
    uc.sign_off(b.store, b.user, draft.id, now=ISSUED)
    own = uc.issue_referral(b.store, b.user, pid, "vhs", "integration_course", now=ISSUED)
    reports = laptops.sync(b, a, b)
    assert all(r.conflicts == 0 and r.refused == 0 and r.deferred == 0 for r in reports)
    for laptop in (a, b):
        signed = _referral(laptop, draft.id)
        assert signed.issued_as_draft and signed.signed_off_by == b.user.display_name
        assert signed.signed_off_at == signed.created_at == ISSUED
        assert _held(laptop, draft.id).state.fields["issued_as_draft"] == made_at
        assert not _referral(laptop, own.id).issued_as_draft
    assert _held(a, draft.id).state == _held(b, draft.id).state
    assert _held(a, own.id).state == _held(b, own.id).state


def test_referrals_of_the_version_before_apply_and_are_told_from_their_sign_off(
    laptops: Laptops,
) -> None:
    """A runs the version before: it sends a helper's draft waiting for sign-off and an
    advisor's own, without the field. B applies both, the draft as one, the advisor's own
    not, at the oldest clock (as the migration tells the referrals a laptop held). The draft
    signed off by the version before (still without the field) stays a draft on B, and is
    no news to send back; C, joining later, holds the same."""
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Радка", "Стоянова", "1990")
    laptops.sync(a, b)
    helper = _helper(a, "Mihai Student")
    try:
        draft = uc.issue_referral(helper.store, helper.user, pid, "jobcenter", "buergergeld").id
    finally:
        helper.close()
    own = uc.issue_referral(a.store, a.user, pid, "vhs", "integration_course").id
    old: dict[str, RecordState] = {}
    for rid in (draft, own):
        mark_sent(a.store, rid)  # A's own push of it is the old version's below
        old[rid] = _without_the_field(_held(a, rid).state)
        push_state(a, old[rid], revision=1)
    (report,) = laptops.sync(b)
    assert report.refused == 0 and report.deferred == 0 and report.conflicts == 0
    assert _referral(b, draft).issued_as_draft and not _referral(b, draft).signed_off
    assert not _referral(b, own).issued_as_draft and _referral(b, own).signed_off
    for rid, value in ((draft, True), (own, False)):
        assert _held(b, rid).state.fields["issued_as_draft"] == FieldState(value, "", "")
    held_before = _held(b, draft)
    # The version before signs the draft off: a revision without the field.
    signed = _signed_off_by_the_version_before(old[draft], a)
    push_state(a, signed, revision=2)
    (report,) = laptops.sync(b)
    assert report.refused == 0 and report.deferred == 0 and report.conflicts == 0
    now_held = _held(b, draft)
    assert _referral(b, draft).issued_as_draft and _referral(b, draft).signed_off
    assert now_held.state.fields["issued_as_draft"] == held_before.state.fields["issued_as_draft"]
    assert now_held.revision == 2  # as sent: the merge made nothing new of it
    c = laptops.new("C")
    (report,) = laptops.sync(c)
    assert report.refused == 0 and report.deferred == 0
    for rid in (draft, own):
        assert _held(c, rid).state == _held(b, rid).state


def test_the_version_before_keeps_a_referral_with_the_field_and_applies_it_once_updated(
    laptops: Laptops, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Laptop B runs the version before (its referral adapter without the field, refusing a
    record with a field it does not know): a helper's draft made on A is kept, not refused
    and not half-applied; updated, B applies it, as a draft."""
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Мария", "Георгиева", "1990")
    laptops.sync(a, b)
    helper = _helper(a, "Mihai Student")
    try:
        draft = uc.issue_referral(helper.store, helper.user, pid, "jobcenter", "buergergeld").id
    finally:
        helper.close()
    laptops.sync(a)
    adapter = ADAPTERS["referral"]
    assert isinstance(adapter, RowAdapter)
    updated_reader = reader_version()
    before = tuple(name for name in adapter.fields if name != "issued_as_draft")
    monkeypatch.setattr(adapter, "fields", before)
    monkeypatch.setattr(adapter, "_plain", frozenset(before))
    monkeypatch.setattr(adapter, "guessed", {})
    assert reader_version() != updated_reader
    (report,) = laptops.sync(b)
    assert report.refused == 0 and report.deferred == 1
    with pytest.raises(uc.ReferralNotFound):
        _referral(b, draft)
    monkeypatch.undo()  # B updated to this version: the record kept is applied
    (report,) = laptops.sync(b)
    assert report.refused == 0 and report.applied == 1
    assert _referral(b, draft).issued_as_draft
