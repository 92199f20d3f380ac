"""Registering and finding people: validation at the field, any-script search, duplicates."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update

from desktop_app.domain.dates import PartialDate
from desktop_app.domain.person import Person, PersonDraft
from desktop_app.domain.validation import ValidationFailed
from desktop_app.i18n.translit import fold
from desktop_app.storage.layout import SCHEMA_HEAD
from desktop_app.storage.models import OutboxRow, PersonRow, SearchTokenRow
from desktop_app.usecases import people
from desktop_app.usecases.accounts import Session, log_in
from tests.conftest import PASSWORD, downgrade_store, mark_sent

TODAY = dt.date(2026, 11, 25)


def _add(session: Session, given: str, family: str, dob: str = "", phone: str = "") -> str:
    draft = PersonDraft(given, family, dob, phone=phone)
    return people.register_person(
        session.store, session.user, draft, confirm_duplicates=True, today=TODAY
    ).id


def _names(session: Session, query: str) -> list[str]:
    return [f"{e.given_name} {e.family_name}" for e in people.search_people(session.store, query)]


def _rows(session: Session) -> tuple[int, int, int]:
    with session.store.reading() as s:
        return (
            s.scalar(select(func.count()).select_from(PersonRow)) or 0,
            s.scalar(select(func.count()).select_from(SearchTokenRow)) or 0,
            s.scalar(
                select(func.count()).select_from(OutboxRow).where(OutboxRow.record_kind == "person")
            )
            or 0,
        )


@pytest.mark.parametrize(
    ("draft", "field", "code"),
    [
        (PersonDraft("", "Petrov"), "given_name", "required"),
        (PersonDraft("   \t ", "Petrov"), "given_name", "required"),
        (PersonDraft("Ivan", "P" * 10_000), "family_name", "too_long"),
        (PersonDraft("Iv\x00an", "Petrov"), "given_name", "control_characters"),
        (PersonDraft("Ivan\u200b", "Petrov"), "given_name", "control_characters"),
        (PersonDraft("Ivan", "Pеtrov"), "family_name", "mixed_scripts"),  # Cyrillic е
        (PersonDraft("1234", "Petrov"), "given_name", "no_letters"),
        (PersonDraft("Ivan", "Petrov", "31.02.1990"), "date_of_birth", "date_impossible"),
        (PersonDraft("Ivan", "Petrov", "2027"), "date_of_birth", "date_in_future"),
        (PersonDraft("Ivan", "Petrov", "01.01.1899"), "date_of_birth", "date_before_1900"),
        (PersonDraft("Ivan", "Petrov", "yesterday"), "date_of_birth", "date_format"),
        (PersonDraft("Ivan", "Petrov", "9" * 10_000), "date_of_birth", "date_format"),
        (PersonDraft("Ivan", "Petrov", sex="robot"), "sex", "not_an_option"),
        (PersonDraft("Ivan", "Petrov", nationality="Bulgaria"), "nationality", "not_an_option"),
        (PersonDraft("Ivan", "Petrov", phone="call me"), "phone", "phone_characters"),
        (PersonDraft("Ivan", "Petrov", phone="12"), "phone", "phone_length"),
        (PersonDraft("Ivan", "Petrov", notes="x" * 10_001), "notes", "too_long"),
    ],
)
def test_bad_input_is_refused_at_the_field_and_nothing_stored(
    session: Session, draft: PersonDraft, field: str, code: str
) -> None:
    before = _rows(session)
    with pytest.raises(ValidationFailed) as info:
        people.register_person(session.store, session.user, draft, today=TODAY)
    assert (field, code) in [(e.field, e.code) for e in info.value.errors]
    assert _rows(session) == before


def test_valid_person_is_stored_with_tokens_and_an_outbox_entry(session: Session) -> None:
    before = _rows(session)
    pid = _add(session, "Мария", "Иванова", "1988-07", "+359 88 765 4321")
    after = _rows(session)
    assert after[0] == before[0] + 1 and after[1] > before[1] and after[2] == before[2] + 1
    person = people.get_person(session.store, session.user, pid)
    assert person is not None
    assert (person.given_name, person.family_name) == ("Мария", "Иванова")
    assert person.date_of_birth is not None and person.date_of_birth.iso() == "1988-07"
    assert person.field_clocks == {}  # every field at updated_hlc until the first edit
    assert person.updated_hlc and person.revision == 1


def test_same_person_found_in_any_script(session: Session) -> None:
    _add(session, "Петър", "Петров")
    _add(session, "Petar", "Ivanov")
    for query in ("petrov", "Петров", "Petrov", "PETR", "петр", "пет пет", "petar petrov"):
        assert "Петър Петров" in _names(session, query), query
    assert _names(session, "ivanov") == ["Petar Ivanov"]
    assert _names(session, "Иванов") == ["Petar Ivanov"]


def test_stefan_finds_comma_below_and_cedilla_forms(session: Session) -> None:
    _add(session, "Ștefan", "Popescu")
    _add(session, "Ştefan", "Ionescu")  # cedilla form, as typed on old keyboards
    _add(session, "Stela", "Țăran")
    found = _names(session, "stefan")
    assert sorted(found) == ["Ştefan Ionescu", "Ștefan Popescu"]
    assert _names(session, "taran") == ["Stela Țăran"]
    assert _names(session, "Ţăran") == ["Stela Țăran"]  # cedilla query, comma-below name


def test_a_romanian_name_typed_in_cyrillic_as_heard_finds_it(session: Session) -> None:
    """A Bulgarian-speaking advisor types a Romanian client's name as they hear it; the name
    is stored in Romanian. Before, "Константин" looked for "konstantin" only, "Щефан" for
    "shtefan", "Йон" for "yon": none of these was found."""
    _add(session, "Constantin", "Popescu")
    _add(session, "Ștefan", "Țurcanu")
    _add(session, "Ion", "Ciobanu")
    _add(session, "Mircea", "Gheorghiu")
    _add(session, "Константин", "Петров")  # a Bulgarian name is found as before
    for query, name in (
        ("Константин Попеску", "Constantin Popescu"),
        ("Попес", "Constantin Popescu"),
        ("Щефан", "Ștefan Țurcanu"),
        ("Штефан Цуркану", "Ștefan Țurcanu"),
        ("Йон Чобану", "Ion Ciobanu"),
        ("Мирча", "Mircea Gheorghiu"),
        ("Георгиу", "Mircea Gheorghiu"),
    ):
        assert _names(session, query) == [name], query
    assert sorted(_names(session, "Констан")) == ["Constantin Popescu", "Константин Петров"]
    assert _names(session, "Петров") == ["Константин Петров"]


def test_a_bulgarian_name_stored_in_latin_is_found_in_its_other_romanisations(
    session: Session,
) -> None:
    """A Latin-stored name had only its own folding in the index (a Cyrillic one has every
    romanisation): "iordanka" did not find "Yordanka", nor "Yordanka" "Iordanka"."""
    _add(session, "Yordanka", "Zhivkova")  # the ID card's (official) spelling
    _add(session, "Iulian", "Tzvetanov")  # an older passport's
    _add(session, "Mariya", "Shtereva")
    _add(session, "Jana", "Stoeva")
    for query, name in (
        ("iordanka", "Yordanka Zhivkova"),
        ("jordanka jivkova", "Yordanka Zhivkova"),
        ("Йорданка", "Yordanka Zhivkova"),
        ("yulian", "Iulian Tzvetanov"),
        ("julian tsvetanov", "Iulian Tzvetanov"),
        ("Юлиан Цветанов", "Iulian Tzvetanov"),
        ("maria stereva", "Mariya Shtereva"),
        ("Мария Щерева", "Mariya Shtereva"),
    ):
        assert _names(session, query) == [name], query
    assert sorted(_names(session, "yana")) == ["Jana Stoeva"]
    assert _names(session, "yordan") == ["Yordanka Zhivkova"]  # typed so far, as a prefix
    # The spelling typed comes first; no other name is found by a variant.
    assert _names(session, "stoeva") == ["Jana Stoeva"]
    assert _names(session, "ivan") == []


def test_a_cyrillic_name_is_found_as_german_documents_spell_it_with_a_double_s(
    session: Session,
) -> None:
    """ "Dessislava Iwanowa", as a German office letter spells Десислава Иванова, found nobody:
    the German romanisation was indexed with one "s" ("desislawa"), and a second advisor who
    did not find her would have registered her again. Nor did "Iwanowa" find a Latin-stored
    "Ivanova" (the index holds a Latin name in its own spelling only)."""
    _add(session, "Десислава", "Иванова")
    _add(session, "Васил", "Strauss")
    for query in ("Dessislava Iwanowa", "dessislawa", "Desislava Ivanova", "Десислава"):
        assert _names(session, query) == ["Десислава Иванова"], query
    _add(session, "Desislava", "Ivanova")  # from her ID card, on another laptop
    assert sorted(_names(session, "Dessislava Iwanowa")) == [
        "Desislava Ivanova",
        "Десислава Иванова",
    ]
    assert _names(session, "Wassil") == ["Васил Strauss"]
    assert _names(session, "strauss") == ["Васил Strauss"]  # as written, still found
    assert _names(session, "Dessislava Petrova") == []


def test_german_umlauts_fold_both_ways(session: Session) -> None:
    _add(session, "Jürgen", "Müller")
    assert _names(session, "muller") == ["Jürgen Müller"]
    assert _names(session, "mueller") == ["Jürgen Müller"]
    assert _names(session, "Müll") == ["Jürgen Müller"]


def test_search_by_date_of_birth_and_phone(session: Session) -> None:
    _add(session, "Ion", "Lungu", "14.03.1985", "+40 721 123 456")
    _add(session, "Ana", "Lungu", "1990", "0176 5554443")
    assert _names(session, "14.03.1985") == ["Ion Lungu"]
    assert _names(session, "1985-03") == ["Ion Lungu"]
    assert _names(session, "0721 123") == ["Ion Lungu"]
    assert _names(session, "+40721") == ["Ion Lungu"]
    assert _names(session, "176555") == ["Ana Lungu"]
    assert _names(session, "lungu 1990") == ["Ana Lungu"]


def test_ranking_puts_exact_name_first_and_limits(session: Session) -> None:
    _add(session, "Ana", "Petrovska")
    _add(session, "Boris", "Petrov")
    _add(session, "Zora", "Petrova")
    assert _names(session, "petrov")[0] == "Boris Petrov"
    for i in range(60):
        _add(session, f"Name{chr(97 + i % 26)}", "Dimitrov")
    assert len(people.search_people(session.store, "dim", limit=50)) == 50
    assert people.search_people(session.store, "zzzz") == []
    assert people.search_people(session.store, "  ") == []


def test_likely_duplicates_by_name_and_birth_date_or_phone(session: Session) -> None:
    _add(session, "Петър", "Петров", "14.03.1985")
    _add(session, "Elena", "Radu", "", "+40 721 000 111")
    store, user = session.store, session.user
    with pytest.raises(people.DuplicatesFound) as info:
        people.register_person(store, user, PersonDraft("Petar", "Petrov", "1985-03-14"))
    assert [c.family_name for c in info.value.candidates] == ["Петров"]
    with pytest.raises(people.DuplicatesFound):  # swapped given/family name
        people.register_person(store, user, PersonDraft("Petrov", "Petar", "14.03.1985"))
    with pytest.raises(people.DuplicatesFound):
        people.register_person(store, user, PersonDraft("Elena", "Radu", phone="0721000111"))
    # Same name, other birth date: no duplicate.
    people.register_person(store, user, PersonDraft("Petar", "Petrov", "1986"))
    before = _rows(session)[0]
    people.register_person(
        store, user, PersonDraft("Petar", "Petrov", "14.03.1985"), confirm_duplicates=True
    )
    assert _rows(session)[0] == before + 1


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("1989", "20.02.1989"),  # registered last year by the year he gave
        ("02.1989", "20.02.1989"),
        ("1989", "02.1989"),
        ("20.02.1989", "1989"),  # only the year known this time
        ("20.02.1989", "02.1989"),
    ],
)
def test_a_likely_duplicate_is_found_by_a_date_of_birth_known_in_part(
    session: Session, stored: str, typed: str
) -> None:
    """The father was registered at an outreach point by the year of birth he gave; his
    wife's helper registered him again with the full date from his ID card, unwarned: the
    dates were compared as typed. A date that agrees with the other as far as both go is
    his; one that does not (another year, another month) is someone else's."""
    _add(session, "Ion", "Popescu", stored)
    _add(session, "Ion", "Popescu", "1988")  # another year
    if "." in typed:  # a month typed: another month of the same year is someone else
        _add(session, "Ion", "Popescu", "03.1989")
    _add(session, "Ioana", "Popescu", stored)  # another name
    with pytest.raises(people.DuplicatesFound) as info:
        people.register_person(session.store, session.user, PersonDraft("Ion", "Popescu", typed))
    found = [(c.given_name, c.date_of_birth) for c in info.value.candidates]
    assert found == [("Ion", PartialDate.parse(stored).iso())], found
    # in another spelling too (found by the date's search token, the names compared), the
    # date typed finer or coarser than the one stored: a coarser one was not found
    with pytest.raises(people.DuplicatesFound) as info:
        people.register_person(session.store, session.user, PersonDraft("Йон", "Попеску", typed))
    assert PartialDate.parse(stored).iso() in [c.date_of_birth for c in info.value.candidates]


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        (("Райна", "Петрова"), ("Raina", "Petrova")),  # an older passport's romanisation
        (("Райна", "Петрова"), ("Rajna", "Petrova")),
        (("Yordanka", "Atanasova"), ("Йорданка", "Атанасова")),
        (("Constantin", "Popescu"), ("Константин", "Попеску")),  # typed as heard
        (("Ștefan", "Țurcanu"), ("Stefan", "Turcanu")),
    ],
)
def test_a_likely_duplicate_is_found_in_another_spelling_of_the_name(
    session: Session, stored: tuple[str, str], typed: tuple[str, str]
) -> None:
    """Same date of birth, the name spelled another way: only the official folding met
    before, and "Raina Petrova" was registered a second time beside "Райна Петрова"."""
    _add(session, *stored, "03.11.1999")
    _add(session, *stored, "04.11.1999")  # born another day: not a duplicate
    _add(session, "Rayna", "Ivanova", "03.11.1999")  # another name: not one either
    with pytest.raises(people.DuplicatesFound) as info:
        people.register_person(session.store, session.user, PersonDraft(*typed, "1999-11-03"))
    assert [(c.given_name, c.family_name, c.date_of_birth) for c in info.value.candidates] == [
        (*stored, "1999-11-03")
    ]


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        (("Райна", "Петрова"), ("Raina", "Petrova")),
        (("Yordanka", "Atanasova"), ("Йорданка", "Атанасова")),
        (("Constantin", "Popescu"), ("Константин", "Попеску")),
    ],
)
@pytest.mark.parametrize("typed_date", ["1999", "11.1999"])
def test_a_likely_duplicate_is_found_in_another_script_with_a_less_precise_date(
    session: Session, stored: tuple[str, str], typed: tuple[str, str], typed_date: str
) -> None:
    """The name typed in the other script (Cyrillic for Latin, Latin for Cyrillic) and only
    the year of birth (or the month) known this time: "Raina Petrova, 1999" was registered
    unwarned beside "Райна Петрова, 03.11.1999" (another spelling was compared only among
    those born on the day typed, or on a date it refines). Those born within the date typed
    are compared too; born in another year, or another name, is someone else."""
    _add(session, *stored, "03.11.1999")
    _add(session, *stored, "04.11.1998")  # born another year: not a duplicate
    _add(session, "Rayna", "Ivanova", "03.11.1999")  # another name: not one either
    with pytest.raises(people.DuplicatesFound) as info:
        people.register_person(session.store, session.user, PersonDraft(*typed, typed_date))
    assert [(c.given_name, c.family_name, c.date_of_birth) for c in info.value.candidates] == [
        (*stored, "1999-11-03")
    ]
    # the entry registered anyway names the other on its page (``possible_duplicates``)
    entry = people.register_person(
        session.store, session.user, PersonDraft(*typed, typed_date), confirm_duplicates=True
    )
    assert [e.family_name for e in people.possible_duplicates(session.store, entry)] == [stored[1]]


def test_list_pages_in_name_order(session: Session) -> None:
    for given, family in [("B", "Zed"), ("A", "Ärger"), ("C", "Ангелов"), ("D", "bauer")]:
        _add(session, given, family)
    entries = people.list_people(session.store, 0, 10)
    assert [e.family_name for e in entries] == ["Ангелов", "Ärger", "bauer", "Zed"]
    assert [e.family_name for e in people.list_people(session.store, 1, 2)] == ["Ärger", "bauer"]
    assert people.count_people(session.store) == 4


def test_a_persons_row_in_the_whole_list_is_their_place_in_its_pages(session: Session) -> None:
    """The row "Open person" selects in the unfiltered list: where the list's pages put them,
    two people of the same name told apart as the pages order them; none for the erased."""
    from desktop_app.usecases import audit, data_rights

    for given, family in [("B", "Zed"), ("A", "Ärger"), ("C", "Ангелов"), ("D", "bauer")]:
        _add(session, given, family)
    _add(session, "D", "bauer", "02.02.1990")  # the same name again
    entries = people.list_people(session.store, 0, 10)
    logged = len(audit.list_entries(session.store, session.user))
    for row, entry in enumerate(entries):
        assert people.list_position(session.store, entry.id) == row, entry
    assert len(audit.list_entries(session.store, session.user)) == logged  # no look at a record
    assert people.list_position(session.store, "no-such-id") is None
    data_rights.erase_person(session.store, session.user, entries[1].id)
    assert people.list_position(session.store, entries[1].id) is None
    assert people.list_position(session.store, entries[4].id) == 3


def test_one_persons_list_entry_is_read_without_a_view_logged(session: Session) -> None:
    """The audit log names the person it was opened for as the list shows them; reading the
    name is no look at the record (no view logged). An erased person has no name any more."""
    from desktop_app.usecases import audit, data_rights

    person = people.register_person(
        session.store, session.user, PersonDraft("Иван", "Петров", "14.03.1985")
    )
    entries = len(audit.list_entries(session.store, session.user))
    entry, erased = people.list_entry(session.store, person.id)
    assert entry is not None and not erased
    assert (entry.id, entry.family_name, entry.given_name) == (person.id, "Петров", "Иван")
    assert entry.date_of_birth == people.search_people(session.store, "Petrov")[0].date_of_birth
    assert len(audit.list_entries(session.store, session.user)) == entries
    assert people.list_entry(session.store, "no-such-id") == (None, False)
    data_rights.erase_person(session.store, session.user, person.id)
    assert people.list_entry(session.store, person.id) == (None, True)


# Names in both scripts in the order a Bulgarian reader expects within the Latin-based
# order: "ъ" (Latin "a" by the official system) among the a's, after every "а"/"a".
IN_ORDER = [
    "Абаджиев",
    "Adams",
    "Ангелов",
    "Атанасов",
    "Azov",
    "Ъгленов",
    "Ърнев",
    "Бачев",
    "Bazar",
    "Бъчваров",
    "Бялков",
    "Вълков",
]


def _listed(session: Session) -> list[str]:
    return [e.family_name for e in people.list_people(session.store, 0, 100)]


def test_names_with_a_hard_sign_sort_after_those_with_an_a(session: Session) -> None:
    """Both fold to a Latin "a": "Ъгленов" came before "Ангелов" and "Атанасов" (aglenov <
    angelov), "Бъчваров" before "Бачев"."""
    for family in reversed(IN_ORDER):
        _add(session, "Мария", family)
    assert _listed(session) == IN_ORDER
    # a search's matches are ranked by the same key (the index keeps its first characters)
    assert [e.family_name for e in people.search_people(session.store, "Мария")] == IN_ORDER


def test_a_store_keyed_before_gets_the_new_order_when_opened(
    session: Session, data_dir: Path
) -> None:
    """Keys are stored: a store of an older version had "ъ" as "a" in them. Opening it
    migrates (only the rows with an "ъ" change)."""
    for family in reversed(IN_ORDER):
        _add(session, "Мария", family)
    with session.store.reading() as db:
        keys_now = {row.pk: row.sort_key for row in db.scalars(select(PersonRow))}
    downgrade_store(session.store, "print_inputs")
    with session.store.transaction() as db:
        # Columns named: the older schema lacks the ones added since (``id_document_name``).
        rows = db.execute(select(PersonRow.pk, PersonRow.family_name, PersonRow.given_name))
        for pk, family, given in rows.all():  # as the older version keyed them
            db.execute(
                update(PersonRow)
                .where(PersonRow.pk == pk)
                .values(sort_key=f"{fold(family)}\x1f{fold(given)}")
            )
        db.execute(
            update(SearchTokenRow).values(
                sort_key=func.substr(
                    select(PersonRow.sort_key)
                    .where(PersonRow.pk == SearchTokenRow.person_pk)
                    .scalar_subquery(),
                    1,
                    32,
                )
            )
        )
    assert _listed(session)[:6] == ["Абаджиев", "Adams", "Ъгленов", "Ангелов", "Ърнев", "Атанасов"]
    session.close()
    again = log_in(data_dir, "anna", PASSWORD)  # migrates to head
    try:
        assert _listed(again) == IN_ORDER
        with again.store.reading() as db:
            assert {row.pk: row.sort_key for row in db.scalars(select(PersonRow))} == keys_now
            tokens = db.execute(select(SearchTokenRow.person_pk, SearchTokenRow.sort_key)).all()
        assert tokens and all(key == keys_now[pk][:32] for pk, key in tokens)
    finally:
        again.close()


def test_update_changes_only_edited_fields_clocks_and_reindexes(session: Session) -> None:
    pid = _add(session, "Ion", "Lungu", "1985", "+40 721 123 456")
    mark_sent(session.store, pid)
    before = people.get_person(session.store, session.user, pid)
    assert before is not None

    def family_name(name: str) -> Person:
        draft = PersonDraft("Ion", name, "1985", phone="+40 721 123 456")
        return people.update_person(session.store, session.user, pid, draft, today=TODAY)

    updated = family_name("Lungu-Popa")
    assert updated.revision == 2 and updated.updated_hlc > before.updated_hlc
    assert updated.field_clocks["family_name"] == (updated.updated_hlc, before.updated_hlc)
    assert updated.field_clocks["phone"] == (before.updated_hlc, "")
    assert _names(session, "popa") == ["Ion Lungu-Popa"]
    assert people.get_person(session.store, session.user, pid) == updated
    assert family_name("Lungu-Popa").revision == 2  # nothing changed, nothing written
    # Changed again before that was sent: the change replaces it, on the value it replaced.
    again = family_name("Lungu-Popescu")
    assert again.field_clocks["family_name"] == (again.updated_hlc, before.updated_hlc)


# --- the name as on the ID document ---------------------------------------------------------


def test_the_id_documents_spelling_finds_a_person_registered_in_cyrillic(session: Session) -> None:
    """The card spells "Георгиева" the older French way: "Gueorguieva" finds her as "Georgieva"
    and "Георгиева" do; the list still sorts by the name as registered."""
    pid = people.register_person(
        session.store,
        session.user,
        PersonDraft("Мария", "Георгиева", "1990", id_document_name="GUEORGUIEVA Maria"),
        today=TODAY,
    ).id
    _add(session, "Ана", "Атанасова")
    _add(session, "Gergana", "Zaharieva")
    for query in ("Gueorguieva", "gueorg", "GUEORGUIEVA maria", "Georgieva", "Георгиева"):
        assert [e.id for e in people.search_people(session.store, query)] == [pid], query
    assert _listed(session) == ["Атанасова", "Георгиева", "Zaharieva"]  # not under "Gu…"
    stored = people.get_person(session.store, session.user, pid)
    assert stored is not None and stored.id_document_name == "GUEORGUIEVA Maria"

    def carded(id_name: str) -> None:
        draft = PersonDraft("Мария", "Георгиева", "1990", id_document_name=id_name)
        people.update_person(session.store, session.user, pid, draft, today=TODAY)

    carded("Guéorguiéva Maria")
    assert people.search_people(session.store, "Gueorguieva")  # accents folded
    carded("Gheorghieva Maria")  # corrected: the old spelling no longer finds her
    assert people.search_people(session.store, "Gueorguieva") == []
    assert [e.id for e in people.search_people(session.store, "Gheorghieva")] == [pid]
    assert [e.id for e in people.search_people(session.store, "Георгиева")] == [pid]


def test_a_search_result_found_by_the_id_name_alone_carries_it(session: Session) -> None:
    """The list says why "Георгиева, Мария" is there when "Gueorguieva" was typed from her card;
    not when her name, or its transliteration, met what was typed."""
    draft = PersonDraft("Мария", "Георгиева", "02.04.1991", id_document_name="GUEORGUIEVA Maria")
    people.register_person(session.store, session.user, draft, today=TODAY)
    _add(session, "Maria", "Gueorguieva", "03.04.1991")  # that spelling is her registered name
    _add(session, "Elena", "Radu", "04.04.1991", phone="0176 1234567")  # no ID name

    def found(query: str) -> dict[str, str]:
        entries = people.search_people(session.store, query)
        return {f"{e.given_name} {e.family_name}": e.found_as for e in entries}

    by_card = {"Мария Георгиева": "GUEORGUIEVA Maria", "Maria Gueorguieva": ""}
    assert found("Gueorguieva") == by_card
    assert found("gueorg") == by_card
    assert found("GUEORGUIEVA maria") == by_card  # "maria" meets her name, "gueorguieva" not
    assert found("Gueorguieva 02.04.1991") == {"Мария Георгиева": "GUEORGUIEVA Maria"}
    for query in ("Georgieva", "Георгиева", "Мария", "Maria Georgieva", "02.04.1991"):
        assert found(query).get("Мария Георгиева") == "", query
    assert found("Radu") == {"Elena Radu": ""}
    assert people.list_people(session.store, 0, 10)[0].found_as == ""  # the list: not read


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Георгиева Мария", "latin_letters_only"),
        ("Gueorguieva Мария", "latin_letters_only"),
        ("Gеorgieva", "latin_letters_only"),  # a Cyrillic е among Latin letters
        ("Petrova 2", "latin_letters_only"),
        ("Πετρόβα", "latin_letters_only"),
        ("Petrova\u200bMaria", "control_characters"),
        ("Petrova\x00", "control_characters"),
        ("x" * 401, "too_long"),
        ("-- .", "no_letters"),
    ],
)
def test_the_id_documents_name_is_refused_unless_in_latin_letters(
    session: Session, typed: str, code: str
) -> None:
    before = _rows(session)
    with pytest.raises(ValidationFailed) as info:
        people.register_person(
            session.store,
            session.user,
            PersonDraft("Мария", "Петрова", id_document_name=typed),
            today=TODAY,
        )
    assert [(e.field, e.code) for e in info.value.errors] == [("id_document_name", code)]
    assert _rows(session) == before


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("  ȚĂRĂNESCU   Ștefan ", "ȚĂRĂNESCU Ștefan"),
        ("O'Neill-Popescu, Ana-Maria", "O'Neill-Popescu, Ana-Maria"),
        ("Mures\u0326an Ioana", "Mureșan Ioana"),  # "s" + combining comma below, composed
        ("", ""),
    ],
)
def test_latin_letters_with_accents_and_name_marks_are_kept(
    session: Session, typed: str, stored: str
) -> None:
    person = people.register_person(
        session.store,
        session.user,
        PersonDraft("Ioana", "Mureșan", id_document_name=typed),
        confirm_duplicates=True,
        today=TODAY,
    )
    assert person.id_document_name == stored


def test_the_id_name_differs_only_where_spelled_otherwise() -> None:
    from desktop_app.domain.person import Person

    def differs(given: str, family: str, id_name: str) -> bool:
        return Person("x", given, family, id_document_name=id_name).id_name_differs

    assert not differs("Maria", "Petrova", "")
    assert not differs("Maria", "Petrova", "PETROVA, Maria")
    assert not differs("Maria", "Petrova", "maria petrova")
    assert differs("Мария", "Петрова", "PETROVA Maria")
    assert differs("Maria", "Georgieva", "GUEORGUIEVA Maria")


def test_a_store_of_the_version_before_gets_the_id_name_field_when_opened(
    session: Session, data_dir: Path
) -> None:
    """Migration ``id_document_name``: a column added in place; everyone's is empty, the people
    count's triggers stay, and the people are found and listed as before."""
    pid = _add(session, "Мария", "Георгиева", "1990")
    downgrade_store(session.store, "withdrawn_consent_texts")
    with session.store.reading() as db:
        columns = [r[1] for r in db.execute(text("PRAGMA table_info(people)"))]
    assert "id_document_name" not in columns and "notes" in columns
    session.close()
    again = log_in(data_dir, "anna", PASSWORD)  # migrates to head
    try:
        person = people.get_person(again.store, again.user, pid)
        assert person is not None and person.id_document_name == ""
        assert [e.id for e in people.search_people(again.store, "Georgieva")] == [pid]
        people.update_person(
            again.store,
            again.user,
            pid,
            PersonDraft("Мария", "Георгиева", "1990", id_document_name="Gueorguieva Maria"),
            today=TODAY,
        )
        assert [e.id for e in people.search_people(again.store, "Gueorguieva")] == [pid]
        _add(again, "Ion", "Popa")  # the count's triggers survived the column
        assert people.count_people(again.store) == 2
        with again.store.reading() as db:
            version = db.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert version == SCHEMA_HEAD  # every migration after the field's ran too
    finally:
        again.close()


def test_a_name_typed_from_the_id_card_warns_of_the_person_registered_in_cyrillic(
    session: Session,
) -> None:
    """Registering "Maria Gueorguieva" (as her card spells it) born the same day as "Мария
    Георгиева" whose card says so warns of her, and the other way round."""
    carded = people.register_person(
        session.store,
        session.user,
        PersonDraft("Мария", "Георгиева", "02.04.1991", id_document_name="GUEORGUIEVA Maria"),
        today=TODAY,
    )
    typed = PersonDraft("Maria", "Gueorguieva", "02.04.1991")
    assert [e.id for e in people.check_person(session.store, typed, TODAY)] == [carded.id]
    # only the year known this time: hers agrees as far as it goes (it was not found); born
    # another year is someone else
    by_year = people.check_person(session.store, replace(typed, date_of_birth="1991"), TODAY)
    assert [e.id for e in by_year] == [carded.id]
    assert people.check_person(session.store, replace(typed, date_of_birth="1990"), TODAY) == []
    latin = _add(session, "Ivan", "Gueorguiev", "1980")
    without = PersonDraft("Иван", "Георгиев", "1980")
    assert people.check_person(session.store, without, TODAY) == []
    from_card = replace(without, id_document_name="GUEORGUIEV Ivan")
    assert [e.id for e in people.check_person(session.store, from_card, TODAY)] == [latin]
