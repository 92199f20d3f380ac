"""The retention period is the organisation's choice (1 to 10 whole years, 3 until one is
chosen): the retention list, the consent texts and the data copy use the one in force here, a
change is audited, and it travels with the publication ``organisation``. Real encrypted stores;
the team's publication written as it arrives by sync (the record)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import yaml

from desktop_app.domain.permissions import PermissionDenied
from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.domain.validation import ValidationFailed
from desktop_app.storage.reference_models import ReferenceRow
from desktop_app.usecases import audit, data_rights, people, reference
from desktop_app.usecases import settings as store_settings
from desktop_app.usecases.accounts import Session
from desktop_app.usecases.consent_notice import about_your_data, consent_notice
from desktop_app.usecases.person_data import PERSON_DATA_SOURCES, PersonDataSource
from tests.unit.security.test_data_rights import _user
from tests.unit.test_organisation_publication import TEAM, _team_publishes


def test_the_default_is_three_years_and_a_coordinator_sets_one_to_ten(session: Session) -> None:
    store = session.store
    assert store_settings.get_retention_years(store) == 3
    for wrong in (0, 11, -3, True, 5.0, "5", None):
        with pytest.raises(ValidationFailed) as refused:
            store_settings.set_retention_years(store, session.user, wrong)  # type: ignore[arg-type]
        [error] = refused.value.errors
        assert (error.field, error.code) == ("retention_years", "out_of_range")
        assert store_settings.describe(error) == "Please enter a number from 1 to 10."
    assert store_settings.get_retention_years(store) == 3
    for years in (1, 10, 5):
        assert store_settings.set_retention_years(store, session.user, years) == years
        assert store_settings.get_retention_years(store) == years
    advisor = _user(session, Role.ADVISOR)
    try:
        with pytest.raises(PermissionDenied):
            store_settings.set_retention_years(advisor.store, advisor.user, 7)
        with pytest.raises(PermissionDenied):
            store_settings.save_organisation_settings(
                advisor.store,
                advisor.user,
                store_settings.get_letterhead(store),
                "",
                "",
                retention_years=7,
            )
    finally:
        advisor.close()
    assert store_settings.get_retention_years(store) == 5


def test_a_change_is_written_to_the_audit_log_and_an_unchanged_save_is_not(
    session: Session,
) -> None:
    store = session.store
    shipped = store_settings.get_letterhead(store)
    store_settings.save_organisation_settings(
        store, session.user, shipped, "", "", retention_years=3
    )
    assert audit.list_entries(store, session.user, action="change_retention") == []
    store_settings.save_organisation_settings(
        store, session.user, shipped, "", "", retention_years=6
    )
    [entry] = audit.list_entries(store, session.user, action="change_retention")
    assert entry.details == {"retention_years": 6, "previous_retention_years": 3}
    assert (entry.record_kind, entry.record_id) == ("device", store.device_id)
    assert entry.user_id == session.user.id
    assert store_settings.get_retention_years(store) == 6
    # A refused value saves nothing of the rest either.
    with pytest.raises(ValidationFailed):
        store_settings.save_organisation_settings(
            store, session.user, shipped, "LDI NRW", "", retention_years=12
        )
    assert store_settings.get_supervisory_authority(store) == ""
    assert len(audit.list_entries(store, session.user, action="change_retention")) == 1
    assert audit.verify_chain(store) == []


def test_the_retention_list_uses_the_period_in_force_and_a_shorter_one_erases_nobody(
    session: Session,
) -> None:
    """A person last seen 4 years ago is not due under 5 years, is under 3; lowering the
    period to 1 year lists one more person and erases no one."""
    store = session.store
    seen_4_years_ago = people.register_person(
        store, session.user, PersonDraft("Радостина", "Жечева")
    ).id
    seen_2_years_ago = people.register_person(store, session.user, PersonDraft("Ion", "Popa")).id
    today = dt.date.today()
    in_4_years = data_rights.years_after(today, 4)  # the first was seen today, "4 years ago"

    def contacts(db: object) -> dict[str, dt.date]:
        return {seen_2_years_ago: data_rights.years_after(today, 2)}

    PERSON_DATA_SOURCES["retention_test"] = PersonDataSource(
        "retention_test", "Notes", lambda db, pid: [], lambda db, s, u, pid: 0, contacts
    )
    try:
        store_settings.set_retention_years(store, session.user, 5)
        assert data_rights.people_due_for_deletion(store, session.user, today=in_4_years) == []
        store_settings.set_retention_years(store, session.user, 3)
        due = data_rights.people_due_for_deletion(store, session.user, today=in_4_years)
        assert [e.person_id for e in due] == [seen_4_years_ago]
        store_settings.set_retention_years(store, session.user, 1)
        due = data_rights.people_due_for_deletion(store, session.user, today=in_4_years)
        assert [e.person_id for e in due] == [seen_4_years_ago, seen_2_years_ago]
    finally:
        PERSON_DATA_SOURCES.pop("retention_test")
    # Listed, not erased: both are still there, and nothing was erased or audited as such.
    assert people.get_person(store, session.user, seen_4_years_ago) is not None
    assert people.get_person(store, session.user, seen_2_years_ago) is not None
    assert audit.list_entries(store, session.user, action="erase") == []


def test_the_consent_texts_state_the_period_in_force(session: Session) -> None:
    store = session.store
    store_settings.set_retention_years(store, session.user, 5)
    notice = consent_notice(store)
    assert notice.retention_years == 5
    _heading, paragraphs = about_your_data(notice, "ro")
    assert (
        "Vă păstrăm datele cât timp veniți la noi pentru consiliere. După 5 ani fără contact, "
        "le ștergem."
    ) in paragraphs
    _heading, paragraphs = about_your_data(consent_notice(store), "de")
    assert not any("3 Jahre" in p for p in paragraphs), paragraphs


def test_the_teams_period_travels_and_the_newer_value_is_in_force(session: Session) -> None:
    store = session.store
    store_settings.set_retention_years(store, session.user, 4)
    _team_publishes(session, {**TEAM, "retention_years": 7})
    team = store_settings.team_settings(store)
    assert team is not None and team.retention_years == 7
    assert store_settings.get_retention_years(store) == 7  # the newer one
    store_settings.set_retention_years(store, session.user, 2)
    assert store_settings.get_retention_years(store) == 2  # saved here later
    assert store_settings.get_letterhead(store).name == "Team e. V."  # each value on its own


def test_a_publication_without_the_period_leaves_this_laptops_own_or_the_default(
    session: Session,
) -> None:
    """As a laptop of a version before the period travelled publishes: its letterhead is in
    force, the period is this laptop's own, else 3 years."""
    store = session.store
    _team_publishes(session, TEAM)
    team = store_settings.team_settings(store)
    assert team is not None and team.retention_years is None
    assert store_settings.get_letterhead(store).name == "Team e. V."
    assert store_settings.get_retention_years(store) == 3
    store_settings.set_retention_years(store, session.user, 8)
    _team_publishes(session, {**TEAM, "data_protection_officer": "Ana Pop"})  # newer, no period
    assert store_settings.get_data_protection_officer(store) == "Ana Pop"
    assert store_settings.get_retention_years(store) == 8


@pytest.mark.parametrize("wrong", [0, 11, "5", 5.5, True, [5]])
def test_a_published_period_out_of_range_or_not_a_whole_number_is_not_used(
    session: Session, wrong: object
) -> None:
    """Refused on its own: this laptop's own period stays in force, the publication's other
    values are (the whole publication was refused for it), and the publication is listed
    with the period named as refused."""
    store = session.store
    store_settings.set_retention_years(store, session.user, 4)
    _team_publishes(session, {**TEAM, "retention_years": wrong})
    team = store_settings.team_settings(store)
    assert team is not None and team.retention_years is None
    [unusable] = reference.unusable_publications(store)
    assert (unusable.name, unusable.reason) == ("organisation", reference.DAMAGED)
    assert unusable.refused == ("retention_years",)
    assert store_settings.get_retention_years(store) == 4
    assert store_settings.get_letterhead(store).name == "Team e. V."
    assert store_settings.get_supervisory_authority(store) == "LDI NRW"


def test_the_publication_carries_the_period_beside_the_keys_older_versions_read(
    session: Session,
) -> None:
    """An older laptop reads "letterhead", "supervisory_authority" and
    "data_protection_officer" with ``get`` and nothing else: the new key sits beside them,
    they are as before."""
    store = session.store
    shipped = store_settings.get_letterhead(store)
    assert store_settings.save_organisation_settings(
        store, session.user, shipped, "LDI NRW", "", retention_years=6
    )
    with store.reading() as s:
        row = s.get(ReferenceRow, reference.reference_id(store_settings.ORGANISATION))
        assert row is not None
        values = yaml.safe_load(json.loads(row.content)["files"]["organisation.yaml"])
    assert values["retention_years"] == 6
    assert values["supervisory_authority"] == "LDI NRW"
    assert values["data_protection_officer"] == ""
    assert values["letterhead"]["name"] == shipped.name
    # Publishing again what is published publishes nothing; a new period is published.
    assert not store_settings.publish_organisation(store, session.user)
    assert store_settings.save_organisation_settings(
        store, session.user, shipped, "LDI NRW", "", retention_years=2
    )
    team = store_settings.team_settings(store)
    assert team is not None and team.retention_years == 2


def test_a_period_chosen_here_alone_is_published_at_the_next_save(session: Session) -> None:
    """Saved before (as a laptop that could not publish then does), unchanged at the next save:
    it is a coordinator's choice, not the shipped default, so the save publishes it."""
    store = session.store
    store_settings.set_retention_years(store, session.user, 6)
    shipped = store_settings.get_letterhead(store)
    assert store_settings.save_organisation_settings(
        store, session.user, shipped, "", "", retention_years=6
    )
    team = store_settings.team_settings(store)
    assert team is not None and team.retention_years == 6
