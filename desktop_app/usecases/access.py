"""Permission checks for use cases, and restricted sections an advisor opens to a helper.

Every use case that touches a person's data starts with ``require(user, Action.…)``; one that
reads a section marked ``restricted: health|exploitation`` calls ``require_restricted``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from desktop_app.domain.permissions import (
    RESTRICTED_KINDS,
    Action,
    PermissionDenied,
    may_read_restricted,
    require,
)
from desktop_app.domain.users import Role, User
from desktop_app.i18n.text import N_
from desktop_app.storage.audit_models import CaseOpeningRow
from desktop_app.storage.db import Store
from desktop_app.storage.models import PersonRow, UserRow, next_revision
from desktop_app.usecases import audit
from desktop_app.usecases.person_data import PersonDataSource, Row, register_person_data_source
from desktop_app.usecases.visits import PersonErased

__all__ = [
    "Action",
    "HelperRemoved",
    "PermissionDenied",
    "PersonErased",
    "can_read_restricted",
    "close_case_to_helper",
    "open_case_to_helper",
    "opened_kinds",
    "openings_of",
    "require",
    "require_restricted",
    "set_openings",
]


def opened_kinds(store: Store, user: User, person_id: str) -> frozenset[str]:
    """The restriction kinds of this person's case that were opened to ``user``."""
    with store.reading() as session:
        kinds = session.scalars(
            select(CaseOpeningRow.kind).where(
                CaseOpeningRow.person_id == person_id,
                CaseOpeningRow.helper_id == user.id,
                CaseOpeningRow.deleted.is_(False),
                CaseOpeningRow.opened.is_(True),
            )
        ).all()
    return frozenset(kinds)


def openings_of(store: Store, advisor: User, person_id: str) -> dict[str, frozenset[str]]:
    """For an advisor's dialog: helper id → restriction kinds of this person opened to them."""
    require(advisor, Action.OPEN_CASE_TO_HELPER)
    with store.reading() as session:
        rows = session.execute(
            select(CaseOpeningRow.helper_id, CaseOpeningRow.kind).where(
                CaseOpeningRow.person_id == person_id,
                CaseOpeningRow.deleted.is_(False),
                CaseOpeningRow.opened.is_(True),
            )
        ).all()
    out: dict[str, set[str]] = {}
    for helper_id, kind in rows:
        out.setdefault(helper_id, set()).add(kind)
    return {helper: frozenset(kinds) for helper, kinds in out.items()}


def can_read_restricted(store: Store, user: User, person_id: str, kind: str | None) -> bool:
    if kind is None or user.role != Role.HELPER:
        return may_read_restricted(user, kind, frozenset())
    return may_read_restricted(user, kind, opened_kinds(store, user, person_id))


def require_restricted(store: Store, user: User, person_id: str, kind: str | None) -> None:
    """Raise PermissionDenied unless ``user`` may read ``kind`` sections of this person."""
    if not can_read_restricted(store, user, person_id, kind):
        raise PermissionDenied(Action.VIEW_RESTRICTED, str(kind))


class HelperRemoved(ValueError):
    """The helper account is not there (any more): removed while the advisor's dialog stood
    open with it."""

    code = "helper_removed"


def _set_opening(
    session: DbSession,
    store: Store,
    advisor: User,
    person_id: str,
    helper_id: str,
    kind: str,
    opened: bool,
) -> None:
    hlc = str(store.clock.now())
    helper = session.get(UserRow, helper_id)
    if helper is None or helper.deleted or helper.role != Role.HELPER.value:
        raise HelperRemoved(helper_id)
    row = session.scalar(
        select(CaseOpeningRow).where(
            CaseOpeningRow.person_id == person_id,
            CaseOpeningRow.helper_id == helper_id,
            CaseOpeningRow.kind == kind,
            CaseOpeningRow.deleted.is_(False),
        )
    )
    if row is None:
        if not opened:
            return
        row = CaseOpeningRow(
            id=str(uuid.uuid4()),
            person_id=person_id,
            helper_id=helper_id,
            kind=kind,
            revision=0,
            field_clocks="{}",
        )
        session.add(row)
    elif row.opened == opened:
        return
    # A field with its own clock (stamped on flush), not the record's deletion: opening
    # it again later wins over the closing on every laptop (architecture.md, property 10).
    row.opened = opened
    next_revision(
        session, row, "case_opening", hlc=hlc, device_id=store.device_id, author_id=advisor.id
    )
    session.flush()
    audit.record_in(
        session,
        store,
        advisor.id,
        audit.AuditAction.OPEN_CASE,
        "person",
        person_id,
        {"helper_id": helper_id, "kind": kind, "opened": opened},
    )


def set_openings(
    store: Store, advisor: User, person_id: str, changes: Sequence[tuple[str, str, bool]]
) -> int:
    """Open (True) or close (False) this person's sections to helpers: (helper id, kind,
    open) each. All in one transaction: the advisor's dialog saved one change per transaction,
    so a failure half-way (a helper removed meanwhile, the store busy) kept the changes made
    before it, and the dialog said nothing was saved. ``PersonErased`` if the person is not
    (any more) in the records."""
    require(advisor, Action.OPEN_CASE_TO_HELPER)
    for _helper_id, kind, _opened in changes:
        if kind not in RESTRICTED_KINDS:
            raise ValueError(kind)
    with store.transaction() as session:
        # In the same transaction: a person erased while the dialog stood open (here, or by
        # an erasure a sync brought) got openings again, which went out to every laptop.
        person = session.scalar(select(PersonRow.deleted).where(PersonRow.id == person_id))
        if person is None or person:
            raise PersonErased(person_id)
        for helper_id, kind, opened in changes:
            _set_opening(session, store, advisor, person_id, helper_id, kind, opened)
    return len(changes)


def open_case_to_helper(
    store: Store, advisor: User, person_id: str, helper_id: str, kind: str
) -> None:
    """An advisor lets one helper read this person's ``kind`` sections (health/exploitation)."""
    set_openings(store, advisor, person_id, [(helper_id, kind, True)])


def close_case_to_helper(
    store: Store, advisor: User, person_id: str, helper_id: str, kind: str
) -> None:
    set_openings(store, advisor, person_id, [(helper_id, kind, False)])


def _collect_openings(session: DbSession, person_id: str) -> list[Row]:
    rows = session.scalars(
        select(CaseOpeningRow).where(
            CaseOpeningRow.person_id == person_id,
            CaseOpeningRow.deleted.is_(False),
            CaseOpeningRow.opened.is_(True),
        )
    ).all()
    # Imported here, as ``person_sources`` below: this module loads before the copy's parts.
    from desktop_app.usecases.conflicts import logged_at
    from desktop_app.usecases.person_data_authors import KEY, OPENED_TO_KEY, Authors
    from desktop_app.usecases.person_sources import entries_of

    authors = Authors.read(session)
    records = set(entries_of(session, person_id))  # an entry merged into it logged its own

    def opened_by(r: CaseOpeningRow) -> dict[str, object]:
        """The advisor who opened them (or last changed the record: closed and opened again),
        with the role the log's entry of it carries (``person_data_authors``)."""
        user_id, role = logged_at(session, records, r.updated_hlc)
        return authors.of(r.author_id, r.device_id, role if user_id == r.author_id else None)

    return [
        {
            "kind": r.kind,
            # Whom: an integration helper (sections open to helpers only, ``_set_opening``),
            # on this laptop where their account is here; not their internal id (the copy
            # names staff by role only, ``person_data_authors``).
            OPENED_TO_KEY: {
                "role": Role.HELPER.value,
                "this_laptop": r.helper_id in authors.roles,
            },
            "since": r.updated_hlc,
            KEY: opened_by(r),
        }
        for r in rows
    ]


def _erase_openings(session: DbSession, store: Store, _user: User, person_id: str) -> int:
    # Imported here: person_data imports this module to register its source.
    from desktop_app.usecases.person_sources import erase_synced

    # Closed ones too (they still name the person, the helper and the section): the rows go
    # and erasing tombstones are queued, so the server drops their earlier revisions.
    return erase_synced(session, store, "case_opening", CaseOpeningRow.person_id == person_id)


register_person_data_source(
    PersonDataSource(
        kind="case_openings",
        title=N_("Sections opened to helpers"),
        collect=_collect_openings,
        erase=_erase_openings,
        record_kinds=("case_opening",),
    )
)
