"""The Clearingstelle suggested for an expired EHIC and accepted at the end of the check leads
to a referral letter there that states the card as expired, the person's copy in each of the
four languages saying so beside the card. Real encrypted store, the PDF read back."""

from __future__ import annotations

import datetime as dt

import pytest

from desktop_app.domain.person import PersonDraft
from desktop_app.usecases import people, visits
from desktop_app.usecases import referrals as uc
from desktop_app.usecases.accounts import Session
from tests.conftest import record_sharing_consent
from tests.unit.test_referrals import _text
from tests.unit.test_visits import full_life_situation

STEP = "health_clearing_ehic_expired"
VISIT_DAY = dt.date(2026, 11, 25)
LETTER_DAY = dt.datetime(2026, 11, 25, 10, 15)
CARD = "Europäische Krankenversicherungskarte (EHIC) aus Bulgarien, abgelaufen am 31. Januar 2026"
COPY = {
    "de": "Ihre Karte ist am 31. Januar 2026 abgelaufen (bringen Sie sie trotzdem mit)",
    "bg": "Вашата карта е изтекла на 31 януари 2026 г. (носете я въпреки това)",
    "ro": "cardul dumneavoastră a expirat la 31 ianuarie 2026 (aduceți-l totuși)",
    "en": "your card expired on 31 January 2026 (bring it all the same)",
}


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_the_step_accepted_leads_to_a_letter_that_states_the_card_expired(
    session: Session, lang: str
) -> None:
    store, user = session.store, session.user
    person = people.register_person(
        store,
        user,
        PersonDraft("Петър", "Петров", "1985-03-14", nationality="BG", languages=(lang,)),
        confirm_duplicates=True,
    )
    record_sharing_consent(session, person.id)  # advice and passing data on, given
    answers = {
        **full_life_situation(),
        "address_registration": "registered",
        "insurance_status": "ehic",
        "ehic_valid_until": "2026-01-31",
    }
    visits.finish_visit(
        store,
        user,
        person.id,
        "life_situation",
        answers,
        next_steps={STEP: "accepted"},
        today=VISIT_DAY,
    )
    assert uc.suggested_services(store, user, person.id) == ["clearingstelle"]
    referral = uc.issue_referral(
        store,
        user,
        person.id,
        "clearingstelle",
        "health_insurance",
        now=LETTER_DAY,
        client_lang=lang,
    )
    text = _text(uc.render_letter(store, user, referral.id))
    assert f"Krankenversicherung (eigene Angabe) {CARD}" in text
    assert "gültig bis" not in text
    assert COPY[lang] in text
