"""The letterhead and data protection contacts in force on a laptop: the newer of the team's
publication (``organisation``) and this laptop's own saved values, else the shipped default.
Real encrypted stores; the team's publication written as it arrives by sync (the record)."""

from __future__ import annotations

import json

import yaml
from sqlalchemy import delete

from desktop_app.domain.referral import Organisation
from desktop_app.i18n import messages
from desktop_app.i18n.messages import unusable_publication_message, withdrawn_message
from desktop_app.i18n.text import set_language
from desktop_app.storage.models import MetaRow
from desktop_app.storage.reference_models import ReferenceRow
from desktop_app.usecases import reference
from desktop_app.usecases import settings as store_settings
from desktop_app.usecases.accounts import Session

SHIPPED = "Welcome Europe – Anlaufstelle Dortmund"
TEAM = {
    "letterhead": {"name": "Team e. V.", "address_lines": ["Teamweg 1"]},
    "supervisory_authority": "LDI NRW",
    "data_protection_officer": "Jan Berg",
}


def _team_publishes(session: Session, values: object = TEAM) -> None:
    text = yaml.safe_dump(values, allow_unicode=True)
    reference._store_publication(
        session.store,
        session.user,
        store_settings.ORGANISATION,
        {store_settings.ORGANISATION_FILE: text},
        "",
        {"files": 1},
    )


def test_saving_the_shipped_default_unchanged_publishes_nothing(session: Session) -> None:
    """A coordinator who only changed the server address would have given every laptop the
    shipped letterhead, outweighing what each had saved for itself."""
    store = session.store
    shipped = store_settings.get_letterhead(store)
    assert not store_settings.save_organisation_settings(store, session.user, shipped, "", "")
    assert store_settings.team_settings(store) is None and not store_settings.has_letterhead(store)
    # A change is saved here and published (a laptop used offline publishes for itself).
    assert store_settings.save_organisation_settings(store, session.user, shipped, "LDI NRW", "")
    team = store_settings.team_settings(store)
    assert team is not None and team.supervisory_authority == "LDI NRW"
    assert team.letterhead is not None and team.letterhead.name == SHIPPED
    assert team.publisher == session.user.display_name
    assert store_settings.get_supervisory_authority(store) == "LDI NRW"


def test_values_saved_before_publications_count_as_older_and_a_later_save_wins(
    session: Session,
) -> None:
    store = session.store
    own = Organisation(name="Eigener Verein e. V.", address_lines=("Hausweg 2",))
    store_settings.set_letterhead(store, session.user, own)
    store_settings.set_data_protection_officer(store, session.user, "Own officer")
    with store.transaction() as s:  # as a version before publications saved them: no time
        s.execute(delete(MetaRow).where(MetaRow.key.like(f"%{store_settings.SAVED_AT_SUFFIX}")))
    _team_publishes(session)
    assert store_settings.get_letterhead(store).name == "Team e. V."
    assert store_settings.get_data_protection_officer(store) == "Jan Berg"
    store_settings.set_data_protection_officer(store, session.user, "Later officer")
    assert store_settings.get_data_protection_officer(store) == "Later officer"
    assert store_settings.get_letterhead(store).name == "Team e. V."  # each value on its own


def test_a_damaged_or_refused_publication_leaves_the_own_values_in_force(
    session: Session,
) -> None:
    """A refused value is refused alone (the letterhead without a name: the shipped one stays,
    the contacts published are in force); a publication that is none is refused whole."""
    store = session.store
    _team_publishes(session, {**TEAM, "letterhead": {"name": "", "address_lines": []}})
    team = store_settings.team_settings(store)  # a letterhead without a name
    assert team is not None and team.letterhead is None and team.refused == ("letterhead",)
    assert store_settings.get_letterhead(store).name == SHIPPED
    assert store_settings.get_supervisory_authority(store) == "LDI NRW"
    with store.transaction() as s:
        row = s.get(ReferenceRow, reference.reference_id(store_settings.ORGANISATION))
        assert row is not None
        row.revision += 1  # as a later revision arrives
        row.content = json.dumps({"files": {}, "published_at": "2026-12-06T10:00:00+00:00"})
    assert store_settings.team_settings(store) is None
    assert store_settings.get_supervisory_authority(store) == ""


def test_an_unusable_publication_is_listed_for_the_window_with_why(session: Session) -> None:
    """It was only logged: the coordination would not learn that a laptop prints under its own
    letterhead. Listed as the forms and the directory are: damaged, or made by a newer
    version (which an update helps), and said in the user's language."""
    store = session.store
    assert reference.unusable_publications(store) == []
    _team_publishes(session)
    assert reference.unusable_publications(store) == []  # in force
    record_id = reference.reference_id(store_settings.ORGANISATION)
    with store.transaction() as s:
        row = s.get(ReferenceRow, record_id)
        assert row is not None
        row.revision += 1  # as a later revision arrives
        row.content = json.dumps({"files": {}, "published_at": "2026-12-06T10:00:00+00:00"})
    [damaged] = reference.unusable_publications(store)
    assert (damaged.name, damaged.reason) == ("organisation", reference.DAMAGED)
    with store.transaction() as s:
        row = s.get(ReferenceRow, record_id)
        assert row is not None
        row.revision += 1  # as a later revision arrives
        row.content = json.dumps({"files": {"organisation.toml": ""}, "app_version": "99.0.0"})
    [newer] = reference.unusable_publications(store)
    assert (newer.reason, newer.publisher_version) == (reference.NEWER, "99.0.0")
    set_language("de")
    assert unusable_publication_message(newer.name, newer.reason) == (
        "Die Koordination hat einen Briefkopf und Datenschutz-Kontakte veröffentlicht, die diese "
        "Version von Welcome Desk nicht lesen kann. Dieser Laptop verwendet bis zu einem Update "
        "seine eigenen."
    )
    set_language("ro")
    assert unusable_publication_message(damaged.name, damaged.reason) == (
        "Antetul și contactele pentru protecția datelor publicate de coordonator sunt "
        "deteriorate. Acest laptop le folosește pe ale sale."
    )
    set_language("en")


def test_a_withdrawn_publication_of_them_is_told_as_the_letterhead_not_the_directory() -> None:
    """A member's laptop that had published them withdraws them at its next sync: the status
    bar's tooltip said "The service directory this laptop had published itself was
    withdrawn"."""
    set_language("de")
    assert withdrawn_message(store_settings.ORGANISATION, "/home/a/Welcome Desk/x") == (
        "Der Briefkopf und die Datenschutz-Kontakte, die dieser Laptop selbst veröffentlicht "
        "hatte, wurden zurückgezogen: Hier gelten die des Teams. Eine Kopie liegt in "
        "/home/a/Welcome Desk/x; soll das Team sie verwenden, geben Sie sie Ihrer Koordination."
    )
    set_language("bg")
    assert withdrawn_message(store_settings.ORGANISATION, "x").startswith(
        "Бланката и контактите по защита на данните, които този лаптоп беше публикувал сам"
    )
    set_language("en")


def _arrives(session: Session, content: str) -> None:
    """``content`` as the next revision of the publication arrives by sync."""
    with session.store.transaction() as s:
        row = s.get(ReferenceRow, reference.reference_id(store_settings.ORGANISATION))
        assert row is not None
        row.revision += 1
        row.content = content


def test_each_value_is_refused_alone_and_named_in_the_users_language(session: Session) -> None:
    """A single bad value made the whole publication unusable: the team's letterhead with it.
    Now the others are taken, the bad ones named (each language its own words)."""
    store = session.store
    store_settings.set_data_protection_officer(store, session.user, "Own officer")
    _team_publishes(
        session,
        {
            **TEAM,
            "data_protection_officer": "x" * (store_settings.DPO_MAX + 1),
            "retention_years": 40,
        },
    )
    assert store_settings.get_letterhead(store).name == "Team e. V."
    assert store_settings.get_supervisory_authority(store) == "LDI NRW"
    assert store_settings.get_data_protection_officer(store) == "Own officer"
    assert store_settings.get_retention_years(store) == store_settings.RETENTION_DEFAULT
    [unusable] = reference.unusable_publications(store)
    assert unusable.refused == ("data_protection_officer", "retention_years")
    assert set(store_settings.PUBLISHED_VALUES) == set(messages._PUBLISHED_VALUE_NAMES)
    expected = {
        "en": "The coordination published values that cannot be used: data protection "
        "officer, retention period. This laptop keeps its own for them; the coordination's "
        "other values are in force.",
        "de": "Die Koordination hat Angaben veröffentlicht, die nicht verwendet werden können: "
        "Datenschutzbeauftragte/r, Aufbewahrungsfrist. Dieser Laptop behält für sie seine "
        "eigenen; die übrigen Angaben der Koordination gelten.",
        "bg": "Координаторът публикува стойности, които не могат да бъдат използвани: "
        "длъжностно лице по защита на данните, срок на съхранение. За тях този лаптоп запазва "
        "своите; останалите стойности на координатора са в сила.",
        "ro": "Coordonatorul a publicat valori care nu pot fi folosite: responsabilul cu "
        "protecția datelor, termenul de păstrare. Pentru acestea, acest laptop își păstrează "
        "propriile valori; celelalte valori publicate de coordonator sunt în vigoare.",
    }
    try:
        for lang, text in expected.items():
            set_language(lang)
            assert (
                unusable_publication_message(unusable.name, unusable.reason, unusable.refused)
                == text
            )
    finally:
        set_language("en")
    # A valid publication after it clears the notice.
    _team_publishes(session)
    assert reference.unusable_publications(store) == []
    assert store_settings.get_data_protection_officer(store) == "Jan Berg"


def test_a_publication_that_is_none_or_of_another_format_stays_refused_whole(
    session: Session,
) -> None:
    store = session.store
    _team_publishes(session)
    content = {
        "files": {store_settings.ORGANISATION_FILE: yaml.safe_dump(TEAM)},
        "published_at": "2026-12-06T10:00:00+00:00",
    }
    for broken, reason in (
        ("[1, 2]", reference.DAMAGED),  # no JSON object
        (json.dumps({**content, "format": reference.PUBLICATION_FORMAT + 1}), reference.NEWER),
        (json.dumps({**content, "format": 0}), reference.DAMAGED),
        (json.dumps({**content, "format": "1"}), reference.DAMAGED),
        (json.dumps({**content, "files": {"organisation.yaml": "- a list"}}), reference.DAMAGED),
    ):
        _arrives(session, broken)
        assert store_settings.team_settings(store) is None, broken
        [unusable] = reference.unusable_publications(store)
        assert (unusable.reason, unusable.refused) == (reason, ()), broken
        assert store_settings.get_letterhead(store).name == SHIPPED
    # the base format (what this version publishes the values in) and every newer one it reads
    for form in range(reference.BASE_FORMAT, reference.PUBLICATION_FORMAT + 1):
        _arrives(session, json.dumps({**content, "format": form}))
        assert store_settings.get_letterhead(store).name == "Team e. V."
        assert reference.unusable_publications(store) == []


def test_a_value_a_newer_version_published_is_refused_alone_and_an_update_is_named(
    session: Session,
) -> None:
    """A newer version may allow a period this one does not: the period alone is refused, and
    what to do is an update, not a new publication."""
    store = session.store
    values = {**TEAM, "retention_years": 15}
    content = {
        "files": {store_settings.ORGANISATION_FILE: yaml.safe_dump(values)},
        "published_at": "2026-12-06T10:00:00+00:00",
        "format": 1,
        "app_version": "99.0.0",
    }
    _team_publishes(session)
    _arrives(session, json.dumps(content))
    [unusable] = reference.unusable_publications(store)
    assert (unusable.reason, unusable.refused) == (reference.NEWER, ("retention_years",))
    assert store_settings.get_supervisory_authority(store) == "LDI NRW"
    set_language("de")
    try:
        assert unusable_publication_message(unusable.name, unusable.reason, unusable.refused) == (
            "Die Koordination hat eine Angabe veröffentlicht, die diese Version von Welcome "
            "Desk nicht lesen kann: Aufbewahrungsfrist. Dieser Laptop behält für sie bis zu "
            "einem Update seine eigene; die übrigen Angaben der Koordination gelten."
        )
    finally:
        set_language("en")
