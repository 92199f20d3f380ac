"""The letterhead and data protection contacts in force on a laptop: the newer of the team's
publication (``organisation``) and this laptop's own saved values, else the shipped default.
Real encrypted stores; the team's publication written as it arrives by sync (the record)."""

from __future__ import annotations

import json

import yaml
from sqlalchemy import delete

from desktop_app.domain.referral import Organisation
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
    assert team.letterhead.name == SHIPPED and team.publisher == session.user.display_name
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
    store = session.store
    _team_publishes(session, {**TEAM, "letterhead": {"name": "", "address_lines": []}})
    assert store_settings.team_settings(store) is None  # a letterhead without a name
    assert store_settings.get_letterhead(store).name == SHIPPED
    with store.transaction() as s:
        row = s.get(ReferenceRow, reference.reference_id(store_settings.ORGANISATION))
        assert row is not None
        row.content = json.dumps({"files": {}, "published_at": "2026-12-06T10:00:00+00:00"})
    assert store_settings.team_settings(store) is None
    assert store_settings.get_supervisory_authority(store) == ""
