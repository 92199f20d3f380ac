"""Every published form definition, kept on this laptop by form id and version.

A visit stores only the version of its form it was recorded with. The laptop knew the shipped
forms and the publication in force, so a check recorded under an intermediate version (3,
while 4 is in force) was told in version 4's words, and the questions added since could not be
named. So each definition is kept when its publication is made here or arrives by sync; those
of the publication the store held are kept at the upgrade (migration 0042).
"""

from __future__ import annotations

import json
import logging
from threading import Lock

import yaml
from sqlalchemy import Connection, func, literal_column, select
from sqlalchemy.dialects.sqlite import insert
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


def keep(session: DbSession | Connection, definitions: list[Kept]) -> None:
    """Keep ``definitions`` (a version already kept stays as it was); in a session or, in a
    migration, on its connection."""
    rows = [{"form_id": f, "version": v, "definition": t} for f, v, t in definitions]
    if rows:
        session.execute(insert(FormDefinitionRow).values(rows).on_conflict_do_nothing())


def keep_publication(session: DbSession | Connection, content: str) -> None:
    keep(session, definitions_of_publication(content))


# The order kept (the table is keyed by form id and version).
_ROWID: ColumnClause[int] = literal_column("form_definitions.rowid")
_cache_lock = Lock()
# By store file: (how many kept and the last one's rowid, the definitions loaded).
_cache: dict[str, tuple[tuple[int, int], tuple[FormDefinition, ...]]] = {}


def kept_forms(store: Store) -> tuple[FormDefinition, ...]:
    """Every kept definition this version can load, in the order kept. Cheap when nothing was
    kept since the last call (one count): definitions are parsed once per store."""
    with store.reading() as session:
        count, last = session.execute(
            select(func.count(), func.coalesce(func.max(_ROWID), 0)).select_from(FormDefinitionRow)
        ).one()
        key = (int(count), int(last))
        path = str(store.paths.database)
        with _cache_lock:
            cached = _cache.get(path)
        if cached is not None and cached[0] == key:
            return cached[1]
        rows = session.execute(
            select(
                FormDefinitionRow.form_id, FormDefinitionRow.version, FormDefinitionRow.definition
            ).order_by(_ROWID)
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
