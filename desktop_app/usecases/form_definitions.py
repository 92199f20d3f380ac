"""Every published form definition, kept on this laptop by form id and version.

A visit stores only the version of its form it was recorded with. The laptop knew the shipped
forms and the publication in force, so a check recorded under an intermediate version (3,
while 4 is in force) was told in version 4's words, and the questions added since could not be
named. So each definition is kept when its publication is made here or arrives by sync; those
of the publication the store held are kept at the upgrade (migration 0042).

One version number, two publications: a laptop's own publication (made offline, before it
joined, or by a member's laptop) may have used the team's version number with other words; the
server never took it, and it is withdrawn at the next sync
(``reference.withdraw_own_publications``). A visit stores only its version's number, and every
laptop but this one knows that number as the team's. So the team's words are kept for it,
whichever arrived first: a definition received by sync replaces one kept of the same form and
version (the publication the server holds now is what every laptop receives), one made here
never replaces the team's, and those of a publication withdrawn here are passed over
(``kept_forms``): a check of that version is told as every other laptop tells it, in the team's
words where this laptop received them, else the form in force's.
"""

from __future__ import annotations

import json
import logging
from threading import Lock

import yaml
from sqlalchemy import Connection, case, delete, func, insert, literal_column, select, update
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.sql.elements import ColumnClause

from desktop_app.forms.definition import FormDefinition, FormDefinitionError, form_from_mapping
from desktop_app.storage.db import Store
from desktop_app.storage.reference_models import FormDefinitionRow

log = logging.getLogger(__name__)
#: A definition as kept: (form id, version, its YAML text as published).
Kept = tuple[str, int, str]
# The columns' size, as a published form's id allows (``reference._FILE_NAME``).
_MAX_ID = 40
# Where a kept definition came from (``FormDefinitionRow.source``).
HERE, TEAM, WITHDRAWN = "here", "team", "withdrawn"


def definitions_of_publication(content: str) -> list[Kept]:
    """The form definitions in a forms publication's content (its files as JSON), by the id
    and version each states; a damaged file, or one that states neither, is passed over (a
    definition this version cannot load is kept all the same: an update may read it)."""
    try:
        files = json.loads(content)["files"]
    except (ValueError, KeyError, TypeError):
        return []
    found: list[Kept] = []
    for text in files.values() if isinstance(files, dict) else []:
        try:
            data = yaml.safe_load(text) if isinstance(text, str) else None
        except (yaml.YAMLError, RecursionError):
            continue
        if not isinstance(data, dict):
            continue
        form_id, version = data.get("id"), data.get("version")
        if isinstance(form_id, str) and 0 < len(form_id) <= _MAX_ID and type(version) is int:
            found.append((form_id, version, text))
    return found


def keep(session: DbSession | Connection, definitions: list[Kept], source: str = HERE) -> None:
    """Keep ``definitions`` of a publication made here (``HERE``) or received by sync
    (``TEAM``); in a session or, in a migration, on its connection. A version kept already
    stays as it was, but for the team's words: a received one replaces what was kept of that
    version (a later publication of the team's, or one made here), one made here replaces only
    one made (or withdrawn) here."""
    for form_id, version, text in dict(((f, v), (f, v, t)) for f, v, t in definitions).values():
        where = (FormDefinitionRow.form_id == form_id, FormDefinitionRow.version == version)
        found = session.execute(
            select(FormDefinitionRow.source, FormDefinitionRow.definition).where(*where)
        ).first()
        if found is not None:
            kept_source, kept_text = found
            if source == HERE and kept_source == TEAM:
                continue
            if kept_text == text:  # the same words: only where they came from, if that
                if kept_source != source:
                    session.execute(update(FormDefinitionRow).where(*where).values(source=source))
                continue
            # Taken out and kept anew after every other (not updated in place): the last
            # one's rowid tells ``kept_forms``' cache of the change (SQLite would give the
            # rowid taken out again, were it the last).
            last = session.execute(
                select(func.max(_ROWID)).select_from(FormDefinitionRow)
            ).scalar_one()
            session.execute(delete(FormDefinitionRow).where(*where))
            session.execute(
                _INSERT_AFTER, {"rowid": int(last) + 1, **_row(form_id, version, text, source)}
            )
            continue
        session.execute(insert(FormDefinitionRow).values(_row(form_id, version, text, source)))


_INSERT_AFTER = sql_text(
    "INSERT INTO form_definitions (rowid, form_id, version, definition, source) "
    "VALUES (:rowid, :form_id, :version, :definition, :source)"
)


def _row(form_id: str, version: int, text: str, source: str) -> dict[str, object]:
    return {"form_id": form_id, "version": version, "definition": text, "source": source}


def keep_publication(session: DbSession | Connection, content: str, source: str = HERE) -> None:
    keep(session, definitions_of_publication(content), source)


def withdraw_publication(session: DbSession | Connection, content: str) -> None:
    """The definitions of a publication made here and withdrawn (the server never took it) are
    passed over from now on, where they were kept from it (a received one stays)."""
    for form_id, version, text in definitions_of_publication(content):
        session.execute(
            update(FormDefinitionRow)
            .where(
                FormDefinitionRow.form_id == form_id,
                FormDefinitionRow.version == version,
                FormDefinitionRow.source == HERE,
                FormDefinitionRow.definition == text,
            )
            .values(source=WITHDRAWN)
        )


# The order kept (the table is keyed by form id and version).
_ROWID: ColumnClause[int] = literal_column("form_definitions.rowid")
_cache_lock = Lock()
# By store file: (how many kept, the last one's rowid and how many withdrawn, the definitions
# loaded).
_cache: dict[str, tuple[tuple[int, int, int], tuple[FormDefinition, ...]]] = {}


def kept_forms(store: Store) -> tuple[FormDefinition, ...]:
    """Every kept definition this version can load, in the order kept, but those of a
    publication withdrawn here. Cheap when nothing was kept since the last call (one count):
    definitions are parsed once per store."""
    withdrawn = func.coalesce(
        func.sum(case((FormDefinitionRow.source == WITHDRAWN, 1), else_=0)), 0
    )
    with store.reading() as session:
        count, last, gone = session.execute(
            select(func.count(), func.coalesce(func.max(_ROWID), 0), withdrawn).select_from(
                FormDefinitionRow
            )
        ).one()
        key = (int(count), int(last), int(gone))
        path = str(store.paths.database)
        with _cache_lock:
            cached = _cache.get(path)
        if cached is not None and cached[0] == key:
            return cached[1]
        rows = session.execute(
            select(
                FormDefinitionRow.form_id, FormDefinitionRow.version, FormDefinitionRow.definition
            )
            .where(FormDefinitionRow.source != WITHDRAWN)
            .order_by(_ROWID)
        ).all()
    loaded: list[FormDefinition] = []
    for form_id, version, text in rows:
        try:
            form = form_from_mapping(yaml.safe_load(text), source=f"{form_id}.yaml")
        except (yaml.YAMLError, RecursionError, FormDefinitionError, ValueError, TypeError) as exc:
            # A newer version's keys, most likely: passed over, as the form in force applies.
            log.info("kept form %s version %s not loaded: %s", form_id, version, type(exc).__name__)
            continue
        if (form.id, form.version) == (form_id, version):
            loaded.append(form)
    found = tuple(loaded)
    with _cache_lock:
        _cache[path] = (key, found)
    return found
