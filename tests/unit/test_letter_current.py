"""The letter a preview shows is checked before it is printed or saved, on a real encrypted
store: what changed since it was made (an appointment, the service's phone number, the
person's consent; as a sync would bring it) gives the letter made again, and nothing else."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pypdf
import pytest

from desktop_app.domain.referral import ReferralStatus
from desktop_app.usecases import audit, data_rights, reference
from desktop_app.usecases import referrals as uc
from desktop_app.usecases.accounts import Session
from tests.conftest import record_sharing_consent
from tests.pdf_text import pdf_text as _text
from tests.unit.test_reference import _edited
from tests.unit.test_referrals import _issue, _person

APPOINTMENT = dt.datetime(2026, 12, 8, 10, 0)  # a Tuesday


def _letter_views(session: Session, referral_id: str) -> int:
    entries = audit.list_entries(session.store, session.user, action="view")
    return sum(
        e.record_kind == "letter" and e.details.get("referral_id") == referral_id for e in entries
    )


def test_a_letter_nothing_changed_for_is_the_one_shown(session: Session) -> None:
    person = _person(session)
    referral = _issue(session, person, service_id="jobcenter", reason="buergergeld")
    shown = uc.make_letter(session.store, session.user, referral.id, "ro")
    assert shown.lang == "ro" and shown.to_service and len(shown.inputs) == 64
    assert shown.pdf == uc.render_letter(session.store, session.user, referral.id, "ro")
    # a status step alone: the letter never shows it
    uc.change_status(
        session.store, session.user, referral.id, ReferralStatus.APPOINTMENT_MADE, "angerufen"
    )
    views = _letter_views(session, referral.id)
    assert uc.current_letter(session.store, session.user, shown) is shown
    assert _letter_views(session, referral.id) == views  # nothing new was shown


def test_an_appointment_made_while_the_preview_was_open_is_in_the_letter_printed(
    session: Session,
) -> None:
    person = _person(session)
    referral = _issue(session, person, service_id="jobcenter", reason="buergergeld")
    shown = uc.make_letter(session.store, session.user, referral.id, "ro")
    assert "Încă nu aveți o programare" in _text(shown.pdf)
    views = _letter_views(session, referral.id)
    uc.change_status(  # as a sync would bring it: a colleague made the appointment
        session.store,
        session.user,
        referral.id,
        ReferralStatus.APPOINTMENT_MADE,
        appointment=APPOINTMENT,
    )
    current = uc.current_letter(session.store, session.user, shown)
    assert current.pdf != shown.pdf and current.inputs != shown.inputs
    text = _text(current.pdf)
    assert "marți, 8 decembrie 2026, ora 10:00" in text
    assert "Încă nu aveți o programare" not in text
    assert "Data: 25 noiembrie 2026" in text  # still dated the day of issue, in the language
    # the letter made again is shown to the user before it is printed: a view of it
    assert _letter_views(session, referral.id) == views + 1
    # checked again, it is current now
    assert uc.current_letter(session.store, session.user, current) is current


def test_the_services_new_phone_number_reaches_the_letter_printed(
    session: Session, tmp_path: Path
) -> None:
    person = _person(session)
    referral = _issue(session, person, service_id="jobcenter", reason="buergergeld")
    shown = uc.make_letter(session.store, session.user, referral.id, "de")
    assert "0231 842-4242" not in _text(shown.pdf)
    folder = _edited(session, tmp_path, phone="0231 842-4242")
    reference.publish_directory_folder(session.store, session.user, folder)
    current = uc.current_letter(session.store, session.user, shown)
    assert "0231 842-4242" in _text(current.pdf)


def test_a_consent_withdrawn_meanwhile_leaves_the_letter_to_the_service_out(
    session: Session,
) -> None:
    person = _person(session)
    referral = _issue(session, person)
    shown = uc.make_letter(session.store, session.user, referral.id)
    assert shown.to_service
    record_sharing_consent(session, person.id, "refused")  # the person's new consent form
    current = uc.current_letter(session.store, session.user, shown)
    assert not current.to_service
    assert len(pypdf.PdfReader(io.BytesIO(current.pdf)).pages) < len(
        pypdf.PdfReader(io.BytesIO(shown.pdf)).pages
    )
    assert "Sehr geehrte" not in _text(current.pdf)  # the letter to the service is not in it


def test_a_person_erased_meanwhile_has_no_letter_to_print(session: Session) -> None:
    person = _person(session)
    referral = _issue(session, person)
    shown = uc.make_letter(session.store, session.user, referral.id)
    data_rights.erase_person(session.store, session.user, person.id)
    with pytest.raises(uc.ReferralNotFound):
        uc.current_letter(session.store, session.user, shown)
