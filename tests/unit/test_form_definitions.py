"""Every published form definition is kept by form id and version (``form_definitions``,
migration 0042): made here or received by sync, and at the upgrade the one the store held."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text

from desktop_app.forms import FormDefinition
from desktop_app.storage import db as storage_db
from desktop_app.storage.layout import SCHEMA_HEAD
from desktop_app.usecases import form_definitions, reference
from desktop_app.usecases.accounts import Session, log_in
from tests.conftest import PASSWORD, downgrade_store
from tests.unit.test_reference_forms import _edit, _shipped

SHIPPED = {"de": "teilweise, langsam", "ro": "parțial, încet"}
V3 = {"de": "teilweise: liest langsam", "ro": "parțial: citește încet"}
V4 = {"de": "teilweise: liest mit Mühe", "ro": "parțial: citește cu greu"}
# A question version 4 adds (not required: a check of version 3 is still complete in 4).
ADDED = (
    "      - id: other_script_literacy\n"
    "        type: yes_no_unknown\n"
    "        relevant: \"latin_literacy in ['partly', 'no']\"\n"
    '        label: {de: "Liest und schreibt sicher in einer anderen Schrift (z. B. '
    'Kyrillisch)?", bg: "Чете и пише ли свободно на друга азбука (напр. кирилица)?", ro: '
    '"Citește și scrie fără dificultate într-un alt alfabet (de ex. chirilic)?", en: "Reads '
    'and writes confidently in another script (e.g. Cyrillic)?"}\n'
)
ADDED_QUESTION = (
    "      - id: reading_glasses\n"
    "        type: yes_no_unknown\n"
    '        label: {de: "Braucht eine Lesebrille?", bg: "Нужни ли са очила за четене?", ro: '
    '"Are nevoie de ochelari de citit?", en: "Needs reading glasses?"}\n'
)


def skills_files(version: int) -> dict[str, str]:
    """The forms with the skills check of ``version`` (3: "partly" reworded; 4: reworded
    again, and a question added)."""
    files = _shipped()
    if version >= 3:
        for lang in ("de", "ro"):
            _edit(
                files,
                "skills_check.yaml",
                f'{lang}: "{SHIPPED[lang]}"',
                f'{lang}: "{V3[lang]}"',
                bump=lang == "de",
            )
    if version >= 4:
        for lang in ("de", "ro"):
            _edit(
                files,
                "skills_check.yaml",
                f'{lang}: "{V3[lang]}"',
                f'{lang}: "{V4[lang]}"',
                bump=lang == "de",
            )
        _edit(files, "skills_check.yaml", ADDED, ADDED + ADDED_QUESTION, bump=False)
    return files


def _kept(session: Session) -> set[tuple[str, int]]:
    """The skills check's versions kept (a publication holds every form, changed or not)."""
    kept = form_definitions.kept_forms(session.store)
    return {(f.id, f.version) for f in kept if f.id == "skills_check"}


def test_each_publication_made_here_is_kept_by_version(session: Session) -> None:
    assert _kept(session) == set()
    reference.publish_forms(session.store, session.user, skills_files(3))
    assert _kept(session) == {("skills_check", 3)}
    reference.publish_forms(session.store, session.user, skills_files(4))
    assert _kept(session) == {("skills_check", 3), ("skills_check", 4)}
    v3 = reference.form_of_version(session.store, "skills_check", 3)
    assert v3 is not None and _partly(v3, "ro") == V3["ro"]
    v4 = reference.form_of_version(session.store, "skills_check", 4)
    assert v4 is not None and _partly(v4, "ro") == V4["ro"]
    assert reference.form_of_version(session.store, "skills_check", 2) is not None  # shipped
    assert reference.form_of_version(session.store, "skills_check", 5) is None


def test_the_upgrade_keeps_the_publication_the_store_holds(
    session: Session, data_dir: Path
) -> None:
    reference.publish_forms(session.store, session.user, skills_files(3))
    reference.publish_forms(session.store, session.user, skills_files(4))
    downgrade_store(session.store, "draft_form_version")
    with session.store.reading() as db:
        tables = db.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))
        assert "form_definitions" not in {name for (name,) in tables}
    session.close()
    again = log_in(data_dir, "anna", PASSWORD)  # migrates to the head
    try:
        with again.store.reading() as db:
            assert db.scalar(text("SELECT version_num FROM alembic_version")) == SCHEMA_HEAD
        # Version 3 was in force before the upgrade only: not known any more (as before).
        assert _kept(again) == {("skills_check", 4)}
        with again.store.reading() as db:
            sources = db.execute(text("SELECT DISTINCT source FROM form_definitions")).all()
        assert sources == [("here",)]  # published on this laptop, never synced
        storage_db.migrate(again.store.engine)  # at the head: nothing more
        assert _kept(again) == {("skills_check", 4)}
    finally:
        again.close()


def test_a_definition_this_version_cannot_load_is_kept_but_passed_over(session: Session) -> None:
    files = skills_files(3)
    files["skills_check.yaml"] = files["skills_check.yaml"].replace(
        "version: 3\n", "version: 3\nfuture_key: 1\n", 1
    )
    content = json.dumps({"files": files})
    with session.store.transaction() as db:
        form_definitions.keep_publication(db, content)
        kept = db.execute(text("SELECT form_id, version FROM form_definitions")).all()
    assert ("skills_check", 3) in {tuple(r) for r in kept}
    assert ("skills_check", 3) not in _kept(session)


def _partly(form: FormDefinition, lang: str) -> str:
    """The skills check's "partly" reading and writing, as ``form`` words it."""
    option = form.field("latin_literacy").option("partly")
    assert option is not None
    return option.label[lang]


def _content(files: dict[str, str]) -> str:
    return json.dumps({"files": files})


def _own_v3() -> dict[str, str]:
    """Version 3 with this laptop's own words for "partly"."""
    files = skills_files(3)
    files["skills_check.yaml"] = files["skills_check.yaml"].replace(V3["de"], "eigene Worte")
    return files


def test_the_teams_words_for_a_version_replace_those_published_here(session: Session) -> None:
    """One version published twice: here (offline, before joining) and by the team. The team's
    definition replaces the one made here whichever came first, one made here never replaces
    the team's, and the cache of definitions sees each change."""
    own, team = _content(_own_v3()), _content(skills_files(3))

    def v3_words() -> str | None:
        kept = form_definitions.kept_forms(session.store)
        found = [f for f in kept if (f.id, f.version) == ("skills_check", 3)]
        return _partly(found[0], "de") if found else None

    with session.store.transaction() as db:
        form_definitions.keep_publication(db, own)
    assert v3_words() == "eigene Worte"
    with session.store.transaction() as db:
        form_definitions.keep_publication(db, team, form_definitions.TEAM)
    assert v3_words() == V3["de"]
    with session.store.transaction() as db:
        form_definitions.keep_publication(db, own)  # published here again: the team's stays
        form_definitions.withdraw_publication(db, own)  # nothing of it kept to withdraw
    assert v3_words() == V3["de"]
    with session.store.transaction() as db:
        query = text("SELECT form_id, source FROM form_definitions WHERE version = 3")
        sources = {form_id: source for form_id, source in db.execute(query)}
    assert sources["skills_check"] == "team"


def test_a_publication_withdrawn_here_tells_no_check(session: Session) -> None:
    """Its definitions are kept but passed over (a check of its version is told as the laptops
    that never knew it tell it); published here again, they count again."""
    with session.store.transaction() as db:  # as publishing here keeps them
        form_definitions.keep_publication(db, _content(_own_v3()))
    assert _kept(session) == {("skills_check", 3)}
    with session.store.transaction() as db:
        form_definitions.withdraw_publication(db, _content(_own_v3()))
    assert _kept(session) == set()
    assert reference.form_of_version(session.store, "skills_check", 3) is None
    with session.store.transaction() as db:
        form_definitions.keep_publication(db, _content(_own_v3()))
    assert _kept(session) == {("skills_check", 3)}
