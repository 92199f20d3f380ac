"""What a life-situation check learns of the person reaches their record (real encrypted
store): a nationality, sex, phone or languages the record lacks are filled in, in the visit's
transaction, as one audited, synced change of those fields; a value the record holds
otherwise stays and is named; names and the date of birth are never touched."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select, text

from desktop_app.domain.check_facts import FactDifference
from desktop_app.domain.hlc import effective_field_clocks
from desktop_app.domain.person import PERSON_FIELDS, PersonDraft
from desktop_app.storage.audit_models import AuditRow
from desktop_app.storage.models import OutboxRow
from desktop_app.usecases import people, visits
from tests.unit.test_visits import TODAY, consent_answers, full_life_situation


def _person(session: Any, **fields: Any) -> Any:
    store, user = session.store, session.user
    person = people.register_person(
        store, user, PersonDraft("Мария", "Петрова", "1991", **fields), confirm_duplicates=True
    )
    visits.record_consent(store, user, person.id, consent_answers(), today=TODAY)
    return person


def _check(session: Any, person_id: str) -> visits.Visit:
    return visits.finish_visit(
        session.store, session.user, person_id, "life_situation", full_life_situation(), today=TODAY
    )


def _outbox(session: Any, person_id: str) -> list[int]:
    with session.store.reading() as db:
        return sorted(
            db.scalars(select(OutboxRow.revision).where(OutboxRow.record_id == person_id))
        )


def _changes(session: Any, person_id: str) -> list[str]:
    with session.store.reading() as db:
        rows = db.scalars(
            select(AuditRow.details).where(
                AuditRow.record_id == person_id,
                AuditRow.record_kind == "person",
                AuditRow.action == "change",
            )
        )
        return [json.loads(details)["fields"] for details in rows]


def test_finishing_a_check_fills_in_what_the_record_lacks_and_names_what_differs(
    session: Any,
) -> None:
    store, user = session.store, session.user
    person = _person(session, phone="0176 1111111")
    answers = full_life_situation() | {"phone": "0176 2222222", "family_name": "Petrova"}
    visit = visits.finish_visit(store, user, person.id, "life_situation", answers, today=TODAY)
    assert visit.facts is not None
    assert visit.facts.filled == ("nationality", "sex", "languages")
    assert visit.facts.differing == (FactDifference("phone", "0176 1111111", "0176 2222222"),)
    stored = people.get_person(store, user, person.id)
    assert stored is not None and stored == visit.facts.person
    assert (stored.nationality, stored.sex and stored.sex.value, stored.languages) == (
        "BG",
        "female",
        ("bg", "tr"),
    )
    # The phone stays as recorded; names and the date of birth are not touched.
    assert stored.phone == "0176 1111111"
    assert (stored.given_name, stored.family_name, str(stored.date_of_birth.iso())) == (  # type: ignore[union-attr]
        "Мария",
        "Петрова",
        "1991",
    )
    # One change of those fields alone: a revision, an outbox entry, an audit entry.
    assert stored.revision == 2 and _outbox(session, person.id) == [1, 2]
    assert _changes(session, person.id) == ["languages,nationality,sex"]
    clocks = effective_field_clocks(PERSON_FIELDS, stored.field_clocks, stored.updated_hlc)
    assert {n for n, (clock, _b) in clocks.items() if clock != person.updated_hlc} == {
        "languages",
        "nationality",
        "sex",
    }
    # The next check finds nothing to fill in; "Update" takes the phone over on request.
    again = visits.finish_visit(store, user, person.id, "life_situation", answers, today=TODAY)
    assert again.facts is not None and again.facts.filled == ()
    updated = people.take_over_differences(store, user, person.id, again.facts)
    assert updated.phone == "0176 2222222" and updated.nationality == "BG"
    assert [e.id for e in people.search_people(store, "0176 2222222")] == [person.id]


def test_the_same_phone_written_otherwise_and_romani_as_rmy_are_no_difference(
    session: Any,
) -> None:
    store, user = session.store, session.user
    person = _person(session, phone="0176/1111111", languages=("rmy", "bg", "fr"), nationality="PL")
    answers = full_life_situation() | {
        "phone": "0176 111 1111",
        "languages": ["bg", "rom"],
        "nationality": "other_eu",
        "nationality_other": "Polen",
    }
    visit = visits.finish_visit(store, user, person.id, "life_situation", answers, today=TODAY)
    assert visit.facts is not None and visit.facts.differing == ()
    assert visit.facts.filled == ("sex",)
    # Turkish added: the record's French (no option in the form) and its Romani code stay.
    answers["languages"] = ["bg", "rom", "tr"]
    visit = visits.finish_visit(store, user, person.id, "life_situation", answers, today=TODAY)
    assert visit.facts is not None
    (difference,) = visit.facts.differing
    assert difference == FactDifference("languages", "rmy,bg,fr", "bg,rmy,tr,fr")


def test_a_failure_in_the_visits_save_leaves_the_record_untouched(session: Any) -> None:
    """The fill-in is in the visit's transaction: a visit not stored fills in nothing."""
    store, user = session.store, session.user
    person = _person(session)
    with store.transaction() as db:
        db.execute(
            text(
                "CREATE TRIGGER refuse_visit_entry BEFORE INSERT ON audit_log "
                "WHEN NEW.record_kind = 'visit' BEGIN SELECT RAISE(ABORT, 'disk full'); END"
            )
        )
    with pytest.raises(Exception, match="disk full"):
        visits.finish_visit(
            store, user, person.id, "life_situation", full_life_situation(), today=TODAY
        )
    kept = people.get_person(store, user, person.id)
    assert kept is not None and kept.revision == 1 and kept.nationality == ""
    assert _outbox(session, person.id) == [1] and _changes(session, person.id) == []
    with store.transaction() as db:
        db.execute(text("DROP TRIGGER refuse_visit_entry"))
    visits.finish_visit(
        store, user, person.id, "life_situation", full_life_situation(), today=TODAY
    )
    filled = people.get_person(store, user, person.id)
    assert (
        filled is not None and filled.nationality == "BG" and _outbox(session, person.id) == [1, 2]
    )


def test_an_edit_names_only_what_it_changed_and_an_older_check_fills_in_nothing(
    session: Any,
) -> None:
    store, user = session.store, session.user
    person = _person(session, phone="0176 1111111")
    first = visits.finish_visit(
        store, user, person.id, "life_situation", full_life_situation(), today=TODAY
    )
    # The advisor corrects the phone in the person's details afterwards: an unrelated edit of
    # the check does not offer the check's old one back.
    people.update_person(
        store, user, person.id, PersonDraft("Мария", "Петрова", "1991", phone="0176 3333333")
    )
    edited = visits.edit_visit(store, user, first.id, first.answers | {"urgency": "today"})
    assert edited.facts is not None and edited.facts.differing == ()
    assert edited.facts.filled == ("nationality", "sex", "languages")  # emptied by the edit
    edited = visits.edit_visit(store, user, first.id, edited.answers | {"phone": "0176 4444444"})
    assert edited.facts is not None
    assert [d.field for d in edited.facts.differing] == ["phone"]
    # A later check: an edit of the older one neither fills in nor names anything.
    visits.finish_visit(
        store, user, person.id, "life_situation", full_life_situation(), today=TODAY
    )
    people.update_person(store, user, person.id, PersonDraft("Мария", "Петрова", "1991"))
    older = visits.edit_visit(store, user, first.id, edited.answers | {"phone": "0176 5555555"})
    assert older.facts is not None and older.facts.filled == ()
    assert older.facts.differing == ()


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Österreich", "AT"),
        ("  австрия ", "AT"),
        ("Austria", "AT"),
        ("Polonia", "PL"),
        ("Полша", "PL"),
        ("Türkei", ""),  # not an EU country: not "other EU"
        ("irgendwo", ""),
    ],
)
def test_other_eu_with_the_country_named_fills_in_the_record(
    session: Any, written: str, code: str
) -> None:
    """ "Other EU nationality" and "Which nationality?" named the country in any of the UI
    languages: the record lacking a nationality kept none. The country is taken over where
    the text names an EU country (CLDR's names in de/bg/ro/en); a text naming no country, or
    one outside the EU under "other EU", leaves the record as it was."""
    person = _person(session)
    answers = full_life_situation() | {"nationality": "other_eu", "nationality_other": written}
    visit = visits.finish_visit(
        session.store, session.user, person.id, "life_situation", answers, today=TODAY
    )
    assert visit.facts is not None
    stored = people.get_person(session.store, session.user, person.id)
    assert stored is not None and stored.nationality == code
    assert ("nationality" in visit.facts.filled) == bool(code)


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("polnisch", "PL"),
        ("Polnische", "PL"),
        ("poloneză", "PL"),
        ("poloneza", "PL"),  # typed without its comma-below letters
        ("полска", "PL"),
        ("полски", "PL"),
        ("Polish", "PL"),
        ("österreichisch", "AT"),
        ("niederländisch", "NL"),
        ("холандска", "NL"),
        ("maghiară", "HU"),
        ("Slovene", "SI"),
        ("türkisch", ""),  # not an EU nationality: not "other EU"
    ],
)
def test_other_eu_with_the_nationality_as_an_adjective_fills_in_the_record(
    session: Any, written: str, code: str
) -> None:
    """ "Which nationality?" answered with the adjective ("polnisch", "poloneză", "полска",
    "Polish"), as people say it: only the countries' names were known (CLDR has no
    adjectives), and the record lacking a nationality kept none. The EU member states'
    adjectives in de/bg/ro/en are read from resources/nationalities/eu_adjectives.yaml."""
    person = _person(session)
    answers = full_life_situation() | {"nationality": "other_eu", "nationality_other": written}
    visit = visits.finish_visit(
        session.store, session.user, person.id, "life_situation", answers, today=TODAY
    )
    assert visit.facts is not None
    stored = people.get_person(session.store, session.user, person.id)
    assert stored is not None and stored.nationality == code
    assert ("nationality" in visit.facts.filled) == bool(code)


def test_the_eu_adjectives_name_every_member_state_in_every_language_and_are_checked(
    tmp_path: Any,
) -> None:
    from desktop_app.domain.person import EU_COUNTRIES, NATIONALITY_OF_COUNTRY
    from desktop_app.usecases.people_import import eu_adjectives

    table = eu_adjectives()
    assert set(table) == EU_COUNTRIES | set(NATIONALITY_OF_COUNTRY)  # all 27
    assert len(table) == 27
    wrong = tmp_path / "adjectives.yaml"
    wrong.write_text("TR: {de: [türkisch], bg: [турски], ro: [turc], en: [Turkish]}\n")
    with pytest.raises(ValueError, match="'TR' is not the code of an EU member state"):
        eu_adjectives(wrong)
    wrong.write_text("PL: {de: [polnisch], bg: [полска], ro: [poloneză]}\n")
    with pytest.raises(ValueError, match="PL: words in de, bg, ro, en"):
        eu_adjectives(wrong)
    wrong.write_text("PL: {de: [polnisch], bg: [], ro: [poloneză], en: [Polish]}\n")
    with pytest.raises(ValueError, match=r"PL\.bg: a list of words"):
        eu_adjectives(wrong)


def test_other_eu_naming_another_country_than_the_record_is_a_difference(session: Any) -> None:
    """The record says Poland, the check "other EU: Österreich": named, for the user to
    decide (the record stays as it is until then); "Polen" is no difference."""
    person = _person(session, nationality="PL")
    answers = full_life_situation() | {"nationality": "other_eu", "nationality_other": "Österreich"}
    visit = visits.finish_visit(
        session.store, session.user, person.id, "life_situation", answers, today=TODAY
    )
    assert visit.facts is not None
    assert visit.facts.differing == (FactDifference("nationality", "PL", "AT"),)
    stored = people.get_person(session.store, session.user, person.id)
    assert stored is not None and stored.nationality == "PL"
    answers["nationality_other"] = "Polen"
    visit = visits.finish_visit(
        session.store, session.user, person.id, "life_situation", answers, today=TODAY
    )
    assert visit.facts is not None and visit.facts.differing == ()
