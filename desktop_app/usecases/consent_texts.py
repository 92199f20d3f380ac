"""Every consent text that was in force on this laptop, kept for the person's data copy.

A consent stores only the ``text_version`` it was given under; the form in force may later lack
that text (a coordinator's publication outranked by a newer shipped form, and the next
publication made from that form). So each text is kept when it comes into force here: when a
consent is recorded under it, when a forms publication is made here or arrives by sync. Texts
in force before they were kept are read once, at the upgrade: the publication the store held,
and those withdrawn before (folders under ``withdrawn-publications``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path

import yaml
from sqlalchemy import Connection, select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session as DbSession

from desktop_app.forms.consent_texts import (
    ConsentText,
    canonical,
    texts_of_form,
    texts_of_mapping,
    wording_digest,
)
from desktop_app.forms.definition import FormDefinition
from desktop_app.storage.layout import WITHDRAWN_FOLDER
from desktop_app.storage.reference_models import ConsentTextRow, ConsentWordingRow

log = logging.getLogger(__name__)
Wording = Mapping[str, str]


def keep(session: DbSession | Connection, texts: Iterable[ConsentText]) -> None:
    """Keep ``texts`` (those already kept stay as they are); in a session or, in a migration,
    on its connection."""
    rows = []
    for version, purpose, wording in texts:
        if len(version) <= 40 and len(purpose) <= 40:  # the columns' sizes, as the forms'
            row = {"text_version": version, "purpose": purpose, "digest": wording_digest(wording)}
            rows.append({**row, "wording": canonical(wording)})
    if rows:
        session.execute(insert(ConsentTextRow).values(rows).on_conflict_do_nothing())


def keep_form(session: DbSession, form: FormDefinition) -> None:
    keep(session, texts_of_form(form))


def texts_of_publication(content: str) -> list[ConsentText]:
    """The consent texts in a forms publication's content (its files as JSON); a damaged one or
    one this version cannot use gives what it can."""
    try:
        files = json.loads(content)["files"]
    except (ValueError, KeyError, TypeError):
        return []
    found: list[ConsentText] = []
    for text in files.values() if isinstance(files, dict) else []:
        try:
            data = yaml.safe_load(text) if isinstance(text, str) else None
        except yaml.YAMLError:
            continue
        found += texts_of_mapping(data)
    return found


def keep_publication(session: DbSession | Connection, content: str) -> None:
    keep(session, texts_of_publication(content))


# A withdrawn publication's file is one the laptop wrote from a publication, which allows no
# larger one (``reference.MAX_FILE_CHARS``, 4 bytes a character at most).
_MAX_FILE_BYTES = 800_000


def texts_of_withdrawn(data_dir: Path) -> list[ConsentText]:
    """The consent texts in the folders of withdrawn publications under ``data_dir``, read
    leniently: a folder or file that cannot be read, or is not a form, is passed over."""
    found: list[ConsentText] = []
    try:
        folders = sorted(p for p in (data_dir / WITHDRAWN_FOLDER).iterdir() if p.is_dir())
    except OSError:  # none there (the usual case), or not a folder
        return found
    for folder in folders:
        try:
            files = sorted(folder.glob("*.yaml"))
        except OSError:
            continue
        for path in files:
            try:
                if path.stat().st_size > _MAX_FILE_BYTES:
                    continue
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, ValueError, yaml.YAMLError, RecursionError) as exc:
                # ValueError: not UTF-8. Only the kind of problem: the path names no person.
                log.warning("withdrawn publication file not read: %s", type(exc).__name__)
                continue
            found += texts_of_mapping(data)
    return found


def keep_withdrawn(session: DbSession | Connection, data_dir: Path) -> None:
    """Keep the consent texts of publications withdrawn on this laptop before texts were kept
    (at the upgrade; those withdrawn since were kept when made or received)."""
    keep(session, texts_of_withdrawn(data_dir))


def note_wording(session: DbSession, consent_id: str, wording: Wording) -> None:
    """Note which kept text the consent ``consent_id``, recorded here, was given under."""
    session.add(ConsentWordingRow(consent_id=consent_id, digest=wording_digest(wording)))


def kept(session: DbSession) -> dict[tuple[str, str], dict[str, Wording]]:
    """The kept texts by (text version, purpose), each by its digest, in the order kept: two
    under one version (a laptop's own publication that picked the team's version name) are
    both there; which one a consent was given under, ``ConsentWordingRow`` tells, if kept."""
    found: dict[tuple[str, str], dict[str, Wording]] = {}
    rows = session.execute(
        select(
            ConsentTextRow.text_version,
            ConsentTextRow.purpose,
            ConsentTextRow.digest,
            ConsentTextRow.wording,
        ).order_by(ConsentTextRow.pk)
    )
    for version, purpose, digest, wording in rows:
        try:
            found.setdefault((version, purpose), {})[digest] = json.loads(wording)
        except ValueError:
            log.warning("consent text %s/%s not readable", version, purpose)
    return found
