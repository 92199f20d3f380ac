"""A helper prepares a referral; its letter leaves the app only after an advisor signs it off."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest

from desktop_app.domain.permissions import PermissionDenied
from desktop_app.domain.person import Person, PersonDraft
from desktop_app.domain.referral import Referral
from desktop_app.domain.users import Role
from desktop_app.usecases import accounts, audit, people
from desktop_app.usecases import referrals as uc
from desktop_app.usecases.accounts import Session
from desktop_app.usecases.settings import get_letterhead
from tests.conftest import record_sharing_consent
from tests.pdf_text import pdf_pages
from tests.pdf_text import pdf_text as _text

HELPER_PASSWORD = "helper pass 12"
ION = PersonDraft("Ион", "Попа", "1988")


@contextmanager
def _helpers_draft(
    session: Session,
    login: str,
    name: str,
    person: PersonDraft = ION,
    *,
    consent: bool = False,
    **referral: Any,
) -> Iterator[tuple[Session, Person, Referral]]:
    """A helper's account ``login`` named ``name``, logged in (closed at the end of the block),
    who registers ``person`` and prepares a referral for them (to the Jobcenter for Bürgergeld
    unless ``referral`` says otherwise); with ``consent``, the person agreed to their data
    going to the services (else no letter goes to the office)."""
    accounts.add_user(session, login, name, Role.HELPER, HELPER_PASSWORD)
    helper = accounts.log_in(session.store.paths.data_dir, login, HELPER_PASSWORD)
    try:
        registered = people.register_person(
            helper.store, helper.user, person, confirm_duplicates=True
        )
        if consent:
            record_sharing_consent(session, registered.id)
        issued = {"service_id": "jobcenter", "reason": "buergergeld", **referral}
        prepared = uc.issue_referral(helper.store, helper.user, registered.id, **issued)
        yield helper, registered, prepared
    finally:
        helper.close()


def _familienkasse_draft(
    session: Session, login: str, name: str, phone: str, email: str = ""
) -> AbstractContextManager[tuple[Session, Person, Referral]]:
    """A helper's draft to the Familienkasse for Ион Попа, with the helper's own ``phone`` and
    ``email`` and a Bulgarian copy, the person agreeing to the letter: what the sign-off's
    contact tests start from."""
    return _helpers_draft(
        session,
        login,
        name,
        consent=True,
        service_id="familienkasse",
        reason="kindergeld",
        client_lang="bg",
        advisor_phone=phone,
        advisor_email=email,
    )


def test_a_helpers_referral_is_a_draft_until_an_advisor_signs_it_off(session: Session) -> None:
    with _helpers_draft(session, "mihai", "Mihai") as (helper, person, prepared):
        assert not prepared.signed_off
        draft = uc.render_letter(helper.store, helper.user, prepared.id)
        assert "ENTWURF" in _text(draft)  # the preview says so on every page
        with pytest.raises(uc.NotSignedOff):
            uc.queue_for_printing(helper.store, helper.user, prepared.id)
        with pytest.raises(uc.NotSignedOff):
            uc.record_letter_output(
                helper.store, helper.user, prepared.id, "pdf", "ro",
                shown=uc.make_letter(helper.store, helper.user, prepared.id),
            )  # fmt: skip
        with pytest.raises(PermissionDenied):
            uc.sign_off(helper.store, helper.user, prepared.id)
        assert uc.print_queue(session.store, session.user) == []
        # The coordinator (an advisor's rights and more) signs it off.
        signed = uc.sign_off(session.store, session.user, prepared.id)
        assert (signed.signed_off, signed.signed_off_by) == (True, "Anna Schmidt")
        assert uc.get_referral(helper.store, helper.user, prepared.id).signed_off
        final = uc.render_letter(helper.store, helper.user, prepared.id)
        assert "ENTWURF" not in _text(final)
        uc.queue_for_printing(helper.store, helper.user, prepared.id)
        assert len(uc.print_queue(session.store, session.user)) == 1
        actions = [
            e.action for e in audit.list_entries(session.store, session.user, record_id=person.id)
        ]
        assert "sign_off" in actions


def test_an_advisors_referral_is_signed_off_as_it_is_issued(session: Session) -> None:
    person = people.register_person(
        session.store, session.user, PersonDraft("Ana", "Pop", "1990"), confirm_duplicates=True
    )
    referral = uc.issue_referral(
        session.store, session.user, person.id, service_id="vhs", reason="integration_course"
    )
    assert referral.signed_off and referral.signed_off_by == "Anna Schmidt"
    assert "ENTWURF" not in _text(uc.render_letter(session.store, session.user, referral.id))
    uc.queue_for_printing(session.store, session.user, referral.id)


def test_a_closed_draft_cannot_be_signed_off(session: Session) -> None:
    """A helper's referral closed before anyone signed it off stays a draft: a sign-off would
    make its letter one that may be printed, for a matter that is over."""
    from desktop_app.domain.referral import ReferralStatus

    with _helpers_draft(session, "mihai", "Mihai") as (helper, _person, prepared):
        uc.change_status(helper.store, helper.user, prepared.id, ReferralStatus.CLOSED)
    before = audit.list_entries(session.store, session.user, action="sign_off")
    with pytest.raises(uc.ReferralClosed):
        uc.sign_off(session.store, session.user, prepared.id)
    kept = uc.get_referral(session.store, session.user, prepared.id)
    assert not kept.signed_off and kept.status is ReferralStatus.CLOSED
    assert audit.list_entries(session.store, session.user, action="sign_off") == before


def test_the_advisor_who_signs_off_a_helpers_letter_signs_it(session: Session) -> None:
    """A letter a helper prepared is signed under its closing by the advisor who signed it
    off (who answers for it), who is also the contact for questions. It was signed by the
    helper, and nothing on it named the advisor."""
    import re

    ionut = PersonDraft("Ionuț", "Popa", "2002")
    with _helpers_draft(session, "ana", "Ana Moldovan", ionut, consent=True) as (
        helper,
        _person,
        prepared,
    ):

        def signature() -> str:
            text = _text(uc.render_letter(helper.store, helper.user, prepared.id))
            found = re.search(r"Mit freundlichen Grüßen (.+?) Anlage:", text)
            assert found, text
            return found.group(1)

        assert signature().startswith("Ana Moldovan")  # the draft: no one has signed it
        uc.sign_off(session.store, session.user, prepared.id)
        signed = _text(uc.render_letter(helper.store, helper.user, prepared.id))
        assert signature().startswith("Anna Schmidt") and "Ana Moldovan" not in signature()
        assert "erreichen Sie Anna Schmidt" in signed  # the contact for questions
        assert "Ana Moldovan" not in signed


def test_referrals_held_before_the_field_say_what_they_were_issued_as_after_the_migration(
    session: Session,
) -> None:
    """Migration ``issued_as_draft``: a store at ``carried_drafts`` holds an advisor's own
    referral and helpers' drafts, waiting and signed off. Each is told from its sign-off as
    the status history told them (the best that can be known), at the oldest clock, as a
    laptop that pulls one of them from a version before guesses it (``sync.kinds``)."""
    import datetime as dt
    import json

    from desktop_app.storage.db import SCHEMA_HEAD
    from desktop_app.sync.records import ADAPTERS, load_one
    from tests.conftest import PASSWORD, downgrade_store

    accounts.add_user(session, "mihai", "Mihai", Role.HELPER, HELPER_PASSWORD)
    accounts.add_user(session, "anna.s", "Anna Schmidt", Role.HELPER, HELPER_PASSWORD)
    issued = dt.datetime(2026, 11, 2, 9, 30)
    person = people.register_person(session.store, session.user, ION, confirm_duplicates=True)
    made: dict[str, str] = {}
    for account, name in (("mihai", "waiting"), ("mihai", "later"), ("mihai", "at once")):
        helper = accounts.log_in(session.store.paths.data_dir, account, HELPER_PASSWORD)
        try:
            made[name] = uc.issue_referral(
                helper.store, helper.user, person.id, "jobcenter", "buergergeld", now=issued
            ).id
        finally:
            helper.close()
    helper = accounts.log_in(session.store.paths.data_dir, "anna.s", HELPER_PASSWORD)
    try:  # a helper of the advisor's name, signed off within the second: not to be told
        made["namesake"] = uc.issue_referral(
            helper.store, helper.user, person.id, "vhs", "integration_course", now=issued
        ).id
    finally:
        helper.close()
    made["own"] = uc.issue_referral(
        session.store, session.user, person.id, "vhs", "integration_course", now=issued
    ).id
    uc.sign_off(session.store, session.user, made["later"], now=issued + dt.timedelta(hours=2))
    uc.sign_off(session.store, session.user, made["at once"], now=issued)
    uc.sign_off(session.store, session.user, made["namesake"], now=issued)
    downgrade_store(session.store, "carried_drafts")
    with session.store.engine.connect() as conn:
        columns = [row[1] for row in conn.exec_driver_sql("PRAGMA table_info(referrals)")]
    assert "issued_as_draft" not in columns  # the store as the version before left it
    data_dir = session.store.paths.data_dir
    session.close()
    again = accounts.log_in(data_dir, "anna", PASSWORD)  # migrates to head on opening
    try:
        with again.store.engine.connect() as conn:
            head = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
            rows = conn.exec_driver_sql("SELECT id, field_clocks FROM referrals").fetchall()
        stored: dict[str, str] = {rid: clocks for rid, clocks in rows}
        assert head == SCHEMA_HEAD
        told = {
            name: uc.get_referral(again.store, again.user, rid).issued_as_draft
            for name, rid in made.items()
        }
        assert told == {
            "waiting": True,
            "later": True,
            "at once": True,  # signed off by another name
            "namesake": False,  # the guess's limit: as the history took it before
            "own": False,
        }
        for name, rid in made.items():
            assert json.loads(stored[rid])["issued_as_draft"] == ["", ""], name
            with again.store.reading() as db:
                held = load_one(ADAPTERS["referral"], db, rid)
            assert held is not None
            assert held.state.fields["issued_as_draft"] == (told[name], "", "")
        # the report facts' triggers are kept (a plain ADD COLUMN, no copy of the table)
        with again.store.engine.connect() as conn:
            triggers = set(
                conn.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                    "AND tbl_name = 'referrals'"
                ).scalars()
            )
        assert "tr_report_month_referrals_insert" in triggers
    finally:
        again.close()


def test_a_helpers_letter_signed_off_names_the_advisor_as_its_contact_not_the_helper(
    session: Session,
) -> None:
    """The contact on a letter a helper prepared is the advisor who signed it off: in the
    letter's information block, in "for questions" and on the person's copy, with the
    organisation's phone and e-mail (not the helper's own number, which the referral holds).
    The unsigned draft named the helper, with the helper's number."""
    own_phone = "0176 9988776"
    with _familienkasse_draft(session, "andrei", "Andrei Lungu", own_phone) as (
        helper,
        _person,
        prepared,
    ):
        draft = pdf_pages(uc.render_letter(helper.store, helper.user, prepared.id))
        assert len(draft) == 2  # the letter to the office and the person's Bulgarian copy
        letter, copy = draft
        assert "Name: Andrei Lungu" in letter and f"Telefon: {own_phone}" in letter
        assert f"erreichen Sie Andrei Lungu unter {own_phone}" in letter
        assert "Andrei Lungu ·" in copy and own_phone in copy
        assert "Anna Schmidt" not in " ".join(draft)

        uc.sign_off(session.store, session.user, prepared.id)
        letter, copy = pdf_pages(uc.render_letter(session.store, session.user, prepared.id))
        organisation = get_letterhead(session.store)
        assert organisation.phone and organisation.phone != own_phone
        assert "Name: Anna Schmidt" in letter
        assert f"Telefon: {organisation.phone}" in letter
        assert f"erreichen Sie Anna Schmidt unter {organisation.phone}" in letter
        assert "Mit freundlichen Grüßen Anna Schmidt" in letter
        assert "Anna Schmidt ·" in copy and organisation.phone in copy
        for page in (letter, copy):
            assert "Andrei Lungu" not in page and own_phone not in page


def test_a_helper_and_the_advisor_who_signs_off_with_the_same_name_are_told_apart(
    session: Session,
) -> None:
    """Two accounts, one name: a helper "Anna Schmidt" prepares a letter with her own phone
    and e-mail, the coordinator "Anna Schmidt" (the session's account) signs it off. The
    signed letter gives the organisation's phone and e-mail for its contact, as for any
    helper's letter signed off; it gave the helper's, since the sign-off was told by the
    names, which were the same. A letter queued then (with the helper's phone) is made again,
    and the person's copy of their data says who signed it off."""
    import json
    from dataclasses import replace

    from desktop_app.storage.referrals_models import PrintJobRow
    from desktop_app.usecases import data_rights

    assert session.user.display_name == "Anna Schmidt"
    own_phone, own_email = "0176 9988776", "anna.helper@example.org"
    with _familienkasse_draft(session, "anna.h", "Anna Schmidt", own_phone, own_email) as (
        helper,
        person,
        prepared,
    ):
        assert helper.user.id != session.user.id
        draft = _text(uc.render_letter(helper.store, helper.user, prepared.id))
        assert own_phone in draft and own_email in draft  # unsigned: the helper's

    signed = uc.sign_off(session.store, session.user, prepared.id)
    assert signed.signed_off_by == signed.advisor_name == "Anna Schmidt"
    assert signed.signed_off_by_another
    organisation = get_letterhead(session.store)
    assert organisation.phone and organisation.email
    letter, copy = pdf_pages(uc.render_letter(session.store, session.user, prepared.id))
    assert "Name: Anna Schmidt" in letter and f"Telefon: {organisation.phone}" in letter
    assert f"erreichen Sie Anna Schmidt unter {organisation.phone}" in letter
    assert "Anna Schmidt ·" in copy and organisation.phone in copy
    for page in (letter, copy):
        assert own_phone not in page and own_email not in page

    # Queued before the fix: the letter gave the helper's phone, under the fingerprint of
    # the referral told as signed off by its issuer (what the names said).
    job = uc.queue_for_printing(session.store, session.user, prepared.id)
    inputs = uc._letter_inputs(session.store, session.user, prepared.id, "bg", None)
    before = replace(inputs, referral=replace(inputs.referral, issued_as_draft=False))
    old_pdf = uc._render(before)
    assert own_phone in _text(old_pdf)
    with session.store.transaction() as db:
        row = db.get(PrintJobRow, job)
        assert row is not None
        row.pdf, row.inputs = old_pdf, before.digest()
    assert uc.update_queued_letters(session.store, session.user) == 1
    queued = _text(uc.print_job_pdf(session.store, session.user, job))
    assert own_phone not in queued and organisation.phone in queued

    raw, _pdf = data_rights.export_person(session.store, session.user, person.id, lang="bg")
    (referral,) = json.loads(raw)["referrals"]
    assert (referral["advisor"], referral["signed_off_by"]) == ("Anna Schmidt", "Anna Schmidt")
