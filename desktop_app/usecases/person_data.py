"""Registry of where a person's data lives, so export, erasure and retention reach all of it.

Each feature that stores data about a person (visits, referrals, drafts, the print queue …)
registers one ``PersonDataSource`` at import time::

    register_person_data_source(PersonDataSource(
        kind="visits", title=N_("Visits"),
        collect=lambda db, person_id: [...],          # JSON-able dicts for the export
        erase=lambda db, store, user, person_id: n,   # delete locally + tombstone/outbox rows
        last_contact=lambda db: {person_id: date},    # optional: latest contact per person
    ))

``erase`` runs inside the erasure's transaction and may also delete files under
``store.paths.data_dir`` (drafts, PDFs waiting to be printed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session as DbSession

from desktop_app.domain.users import User
from desktop_app.storage.db import Store

Row = dict[str, object]


@dataclass(frozen=True)
class PersonDataSource:
    kind: str
    title: str  # a msgid marked with N_, translated into the person's language in the export
    # None: nothing of it goes into the person's copy of their data (``distinct_people``).
    collect: Callable[[DbSession, str], list[Row]] | None
    erase: Callable[[DbSession, Store, User, str], int]
    last_contact: Callable[[DbSession], dict[str, dt.date]] | None = None
    # The synced record kinds naming the person that it covers: each of them moves to the
    # entry kept when the person's entry is merged into another, or says why it does not
    # (``sync.person_merges.MOVES``, ``FOLLOWS``, ``STAYS``; a test holds the lists alike).
    record_kinds: tuple[str, ...] = ()


PERSON_DATA_SOURCES: dict[str, PersonDataSource] = {}


def register_person_data_source(source: PersonDataSource) -> None:
    """Add (or replace, by ``kind``) a source of person data."""
    PERSON_DATA_SOURCES[source.kind] = source


def sources() -> list[PersonDataSource]:
    # Importing the feature modules that register built-in sources keeps the registry complete
    # however the program was started (GUI, CLI, tests).
    from desktop_app.usecases import (
        access,  # noqa: F401  (registers "case_openings")
        person_sources,  # noqa: F401  (visits, consents, referrals)
    )

    return list(PERSON_DATA_SOURCES.values())


#: A referral's key in the copy: prepared by a helper, not signed off by an advisor yet
#: (no letter was given; its status alone, "issued", misled).
AWAITING_SIGN_OFF = "awaiting_sign_off"
