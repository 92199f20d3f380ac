"""Property 14 for case work: viewing visits and referrals, printing and saving letters, the
access export and erasure all reach the hash-chained audit log with ids only."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select, update

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.referral import ReferralStatus
from desktop_app.domain.users import Role
from desktop_app.storage.audit_models import AuditRow
from desktop_app.storage.models import MetaRow
from desktop_app.usecases import accounts, audit, data_rights, people, referrals, visits
from desktop_app.usecases.accounts import Session
from tests.unit.test_visits import consent_answers, full_life_situation

TODAY = dt.date(2026, 11, 25)
NAMES = ("Петрова", "Мария", "Pass", "0176")


def _entries(session: Session, pid: str) -> list[audit.AuditEntry]:
    """The person's entries, oldest first."""
    return list(reversed(audit.list_entries(session.store, session.user, record_id=pid)))


def test_views_prints_export_and_erasure_are_audited_and_the_chain_holds(
    session: Session,
) -> None:
    store, me = session.store, session.user
    accounts.add_user(session, "eva", "Eva Beraterin", Role.ADVISOR, "advisor pass 9")
    eva = accounts.log_in(store.paths.data_dir, "eva", "advisor pass 9")
    pid = people.register_person(
        store, me, PersonDraft("Мария", "Петрова", phone="0176 5550101")
    ).id
    visits.record_consent(store, me, pid, consent_answers(), today=TODAY)
    answers = {**full_life_situation(), "work_exploitation_signs": ["documents_taken"]}
    answers["exploitation_notes"] = "Pass abgenommen"
    visit = visits.finish_visit(store, me, pid, "life_situation", answers, today=TODAY)
    referral = referrals.issue_referral(
        store, me, pid, "clearingstelle", "health_insurance", client_lang="bg"
    )
    start = len(_entries(session, pid))

    try:
        # another user on the same laptop opens the visit and the person's lists
        assert visits.get_visit(eva.store, eva.user, visit.id) is not None
        assert len(visits.visit_history(eva.store, eva.user, pid)) == 1
        assert len(referrals.referrals_of(eva.store, eva.user, pid)) == 1
        # a re-display (language change, repaint) is not a new view
        visits.visit_history(eva.store, eva.user, pid, log_view=False)
        referrals.referrals_of(eva.store, eva.user, pid, log_view=False)
        # the letter: printed from the preview, saved as PDF, queued and printed from the queue
        shown = referrals.make_letter(eva.store, eva.user, referral.id)
        assert shown.pdf.startswith(b"%PDF")
        assert not referrals.record_letter_output(
            eva.store, eva.user, referral.id, "print", "bg", shown=shown
        )
        assert referrals.record_letter_output(
            eva.store, eva.user, referral.id, "pdf", "de", shown=shown
        )
        job = referrals.queue_for_printing(eva.store, eva.user, referral.id)
        # the queue names the person: looking at it is a view of them
        assert [j.id for j in referrals.print_queue(eva.store, eva.user)] == [job]
        referrals.mark_printed(eva.store, eva.user, job)
        referrals.change_status(eva.store, eva.user, referral.id, ReferralStatus.APPOINTMENT_MADE)
        # the person's rights: a copy of their data, then erasure
        data_rights.export_person(store, me, pid)
        data_rights.erase_person(store, me, pid)
    finally:
        eva.close()

    new = _entries(session, pid)[start:]
    summary = [(e.action, e.record_kind, e.details.get("via")) for e in new]
    assert summary == [
        ("view", "visit", None),
        ("view", "visits", None),
        ("view", "referrals", None),
        ("view", "letter", None),  # the preview
        ("print", "letter", "print"),
        ("print", "letter", "pdf"),
        ("print", "letter", "queue"),
        ("view", "print_queue", None),
        ("print", "letter", "queue_print"),
        ("change", "referral", None),
        ("export", "person", None),
        ("erase", "person", None),
    ]
    assert new[3].details == {"referral_id": referral.id, "lang": "bg"}
    assert new[7].details == {"letters": 1}
    letters = [e.details for e in new if e.record_kind == "letter" and e.action == "print"]
    assert [d["reprint"] for d in letters] == [False, True, True, True]
    assert all(d["referral_id"] == referral.id for d in letters)
    assert [d["lang"] for d in letters] == ["bg", "de", "bg", "bg"]
    assert new[0].details == {"visit_id": visit.id, "form": "life_situation"}
    # who, on which laptop, when
    assert {e.user_id for e in new[:10]} == {eva_id(session)}
    assert {e.user_id for e in new[10:]} == {me.id}
    assert {e.device_id for e in new} == {store.device_id}
    now = dt.datetime.now(dt.UTC)
    assert all(now - dt.timedelta(minutes=5) < e.when <= now + dt.timedelta(seconds=1) for e in new)
    # creation of the visit, consent and referral were logged before
    kinds = {(e.action, e.record_kind) for e in _entries(session, pid)[:start]}
    assert {("create", "consent"), ("create", "visit"), ("create", "referral")} <= kinds
    assert audit.verify_chain(store) == []
    # nothing personal in any entry: ids, codes and languages only
    with store.reading() as db:
        rows = db.scalars(select(AuditRow)).all()
    text = json.dumps([[r.record_id, r.details, r.record_kind] for r in rows], ensure_ascii=False)
    assert not [n for n in NAMES if n in text]


def eva_id(session: Session) -> str:
    return next(u.id for u in accounts.list_users(session.store) if u.account == "eva")


def test_a_changed_print_entry_breaks_the_chain(session: Session) -> None:
    store, me = session.store, session.user
    pid = people.register_person(store, me, PersonDraft("Ana", "Pop")).id
    referral = referrals.issue_referral(store, me, pid, "jobcenter", "buergergeld")
    shown = referrals.make_letter(store, me, referral.id)
    referrals.record_letter_output(store, me, referral.id, "print", "de", shown=shown)
    assert audit.verify_chain(store) == []
    with store.transaction() as db:
        db.execute(
            update(AuditRow)
            .where(AuditRow.action == "print")
            .values(details=json.dumps({"referral_id": "someone-else"}))
        )
    assert [p.code for p in audit.verify_chain(store)] == ["hash_mismatch"]


def test_a_damaged_head_row_does_not_stop_the_log(session: Session) -> None:
    store, me = session.store, session.user
    pid = people.register_person(store, me, PersonDraft("Ana", "Pop")).id
    with store.transaction() as db:
        db.execute(update(MetaRow).where(MetaRow.key == audit.HEAD_KEY).values(value="x:y"))
    people.get_person(store, me, pid)  # appends after the newest entry it finds
    assert audit.verify_chain(store) == []
    seqs = [e.seq for e in audit.list_entries(store, me)]
    assert sorted(seqs) == list(range(1, len(seqs) + 1))


def test_the_follow_ups_due_are_a_view_of_each_person_they_name(session: Session) -> None:
    """The follow-ups list names people and their phone numbers, as the print queue and the
    letters awaiting sign-off name people: each person listed is a view in the audit log,
    with how many of their referrals it lists (ids and counts only), but not those the same
    open window logged already, and nothing for a list shown again."""
    store, me = session.store, session.user
    due = TODAY - dt.timedelta(days=2)
    maria = people.register_person(
        store, me, PersonDraft("Мария", "Петрова", phone="0176 5550101")
    ).id
    ion = people.register_person(store, me, PersonDraft("Ion", "Pop", phone="0176 5550202")).id
    nobody_due = people.register_person(store, me, PersonDraft("Ana", "Pop")).id
    for service in ("clearingstelle", "jobcenter"):
        referrals.issue_referral(store, me, maria, service, "health_insurance", follow_up=due)
    referrals.issue_referral(store, me, ion, "jobcenter", "buergergeld", follow_up=due)
    referrals.issue_referral(store, me, nobody_due, "jobcenter", "buergergeld")

    def follow_up_views() -> list[audit.AuditEntry]:
        return [e for e in audit.list_entries(store, me) if e.record_kind == "follow_ups"]

    listed = referrals.follow_ups_due(store, me, TODAY)
    assert sorted(f.person_name for f in listed) == ["Ion Pop", "Мария Петрова", "Мария Петрова"]
    views = follow_up_views()
    assert sorted((e.record_id, e.details["referrals"]) for e in views) == sorted(
        [(maria, 2), (ion, 1)]
    )
    assert {(e.action, e.user_id, e.device_id) for e in views} == {("view", me.id, store.device_id)}
    # shown again (a language switch): no new view; listed anew while the window is open
    # (a sync, a status changed): only those it did not log yet
    referrals.follow_ups_due(store, me, TODAY, log_view=False)
    referrals.follow_ups_due(store, me, TODAY, logged={maria, ion})
    assert len(follow_up_views()) == 2
    referrals.follow_ups_due(store, me, TODAY, logged={maria})
    assert [e.record_id for e in follow_up_views()].count(ion) == 2
    # the day before any is due: nobody named, nothing logged
    assert referrals.follow_ups_due(store, me, due - dt.timedelta(days=1)) == []
    assert len(follow_up_views()) == 3
    assert audit.verify_chain(store) == []
    with store.reading() as db:
        rows = db.scalars(select(AuditRow).where(AuditRow.record_kind == "follow_ups")).all()
    text = json.dumps([[r.record_id, r.details] for r in rows], ensure_ascii=False)
    assert not [n for n in (*NAMES, "Pop", "5550202") if n in text]
