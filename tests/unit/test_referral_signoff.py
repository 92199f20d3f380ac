"""A helper prepares a referral; its letter leaves the app only after an advisor signs it off."""

from __future__ import annotations

import io

import pypdf
import pytest

from desktop_app.domain.permissions import PermissionDenied
from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.usecases import accounts, audit, people
from desktop_app.usecases import referrals as uc
from desktop_app.usecases.accounts import Session

HELPER_PASSWORD = "helper pass 12"


def _text(pdf: bytes) -> str:
    return " ".join(p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_a_helpers_referral_is_a_draft_until_an_advisor_signs_it_off(session: Session) -> None:
    accounts.add_user(session, "mihai", "Mihai", Role.HELPER, HELPER_PASSWORD)
    helper = accounts.log_in(session.store.paths.data_dir, "mihai", HELPER_PASSWORD)
    try:
        person = people.register_person(
            helper.store, helper.user, PersonDraft("Ион", "Попа", "1988"), confirm_duplicates=True
        )
        prepared = uc.issue_referral(
            helper.store, helper.user, person.id, service_id="jobcenter", reason="buergergeld"
        )
        assert not prepared.signed_off
        draft = uc.render_letter(helper.store, helper.user, prepared.id)
        assert "ENTWURF" in _text(draft)  # the preview says so on every page
        with pytest.raises(uc.NotSignedOff):
            uc.queue_for_printing(helper.store, helper.user, prepared.id)
        with pytest.raises(uc.NotSignedOff):
            uc.record_letter_output(helper.store, helper.user, prepared.id, "pdf", "ro")
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
    finally:
        helper.close()


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

    accounts.add_user(session, "mihai", "Mihai", Role.HELPER, HELPER_PASSWORD)
    helper = accounts.log_in(session.store.paths.data_dir, "mihai", HELPER_PASSWORD)
    try:
        person = people.register_person(
            helper.store, helper.user, PersonDraft("Ион", "Попа", "1988"), confirm_duplicates=True
        )
        prepared = uc.issue_referral(
            helper.store, helper.user, person.id, service_id="jobcenter", reason="buergergeld"
        )
        uc.change_status(helper.store, helper.user, prepared.id, ReferralStatus.CLOSED)
    finally:
        helper.close()
    before = audit.list_entries(session.store, session.user, action="sign_off")
    with pytest.raises(uc.ReferralClosed):
        uc.sign_off(session.store, session.user, prepared.id)
    kept = uc.get_referral(session.store, session.user, prepared.id)
    assert not kept.signed_off and kept.status is ReferralStatus.CLOSED
    assert audit.list_entries(session.store, session.user, action="sign_off") == before


def test_the_advisor_who_signs_off_a_helpers_letter_signs_it(session: Session) -> None:
    """A letter a helper prepared is signed under its closing by the advisor who signed it
    off (who answers for it); the helper, who met the person, stays the contact for
    questions. It was signed by the helper, and nothing on it named the advisor."""
    import re

    from tests.conftest import record_sharing_consent

    accounts.add_user(session, "ana", "Ana Moldovan", Role.HELPER, HELPER_PASSWORD)
    helper = accounts.log_in(session.store.paths.data_dir, "ana", HELPER_PASSWORD)
    try:
        person = people.register_person(
            helper.store, helper.user, PersonDraft("Ionuț", "Popa", "2002"), confirm_duplicates=True
        )
        record_sharing_consent(session, person.id)  # else no letter goes to the office
        prepared = uc.issue_referral(
            helper.store, helper.user, person.id, service_id="jobcenter", reason="buergergeld"
        )

        def signature() -> str:
            text = " ".join(_text(uc.render_letter(helper.store, helper.user, prepared.id)).split())
            found = re.search(r"Mit freundlichen Grüßen (.+?) Anlage:", text)
            assert found, text
            return found.group(1)

        assert signature().startswith("Ana Moldovan")  # the draft: no one has signed it
        uc.sign_off(session.store, session.user, prepared.id)
        signed = " ".join(_text(uc.render_letter(helper.store, helper.user, prepared.id)).split())
        assert signature().startswith("Anna Schmidt") and "Ana Moldovan" not in signature()
        assert "erreichen Sie Ana Moldovan" in signed  # the contact for questions
    finally:
        helper.close()
