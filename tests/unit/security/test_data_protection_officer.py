"""The organisation's data protection officer (Art. 37-39 GDPR): a coordinator's setting, kept in
the encrypted store, and named in the person's data copy among their rights (Art. 13(1)(b),
38(4) GDPR) in the copy's language; while none is named the copy says nothing of one.

Real stores, the real export, the PDF read back with pypdf."""

from __future__ import annotations

import io
import itertools
import re
from pathlib import Path

import pypdf
import pytest

from desktop_app.domain.permissions import PermissionDenied
from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.domain.validation import ValidationFailed
from desktop_app.i18n.text import gettext_in, set_language
from desktop_app.letters import gdpr_texts
from desktop_app.letters import person_data_pdf as pdf_texts
from desktop_app.usecases import accounts, data_rights, people
from desktop_app.usecases import settings as store_settings
from desktop_app.usecases.accounts import Session
from tests.conftest import PASSWORD

DPO = "Dr. Petra Schulz, datenschutz@welcome-europe.example, 0231 50-00099"
PASS = "role pass 123"
#: the sentence of each copy, with the GDPR's own term for the officer in that language
SENTENCE = {
    "bg": "С въпроси относно Вашите данни и Вашите права можете да се обърнете и към нашето "
    f"длъжностно лице по защита на данните: {DPO}.",
    "ro": "Pentru întrebări despre datele dumneavoastră și drepturile dumneavoastră vă puteți "
    f"adresa și responsabilului nostru cu protecția datelor: {DPO}.",
}
#: the officer's title in each language: not in a copy that names none
TITLE = {"bg": "длъжностно лице", "ro": "responsabil"}


def _login(session: Session, role: Role) -> Session:
    accounts.add_user(session, role.value, role.value.title(), role, PASS)
    return accounts.log_in(session.store.paths.data_dir, role.value, PASS)


# --- the setting ---------------------------------------------------------------------------------


def test_a_coordinator_names_the_officer_on_one_line_kept_across_a_new_login(
    session: Session, data_dir: Path
) -> None:
    assert store_settings.get_data_protection_officer(session.store) == ""
    typed = "  Dr. Petra   Schulz,\tdatenschutz@welcome-europe.example,\n 0231 50-00099  "
    saved = store_settings.set_data_protection_officer(session.store, session.user, typed)
    assert saved == DPO  # spaces collapsed, one line
    session.close()
    again = accounts.log_in(data_dir, "anna", PASSWORD)
    try:
        assert store_settings.get_data_protection_officer(again.store) == DPO
        # In the encrypted store, not in the clear on the disk.
        assert b"Petra Schulz" not in again.store.paths.database.read_bytes()
        # Emptied, the organisation names none.
        assert store_settings.set_data_protection_officer(again.store, again.user, "  ") == ""
        assert store_settings.get_data_protection_officer(again.store) == ""
    finally:
        again.close()


@pytest.mark.parametrize("role", [Role.HELPER, Role.ADVISOR])
def test_only_a_coordinator_may_name_the_officer(session: Session, role: Role) -> None:
    store_settings.set_data_protection_officer(session.store, session.user, DPO)
    other = _login(session, role)
    try:
        with pytest.raises(PermissionDenied):
            store_settings.set_data_protection_officer(other.store, other.user, "Someone else")
        with pytest.raises(PermissionDenied):
            store_settings.set_data_protection_officer(other.store, other.user, "")
        assert store_settings.get_data_protection_officer(other.store) == DPO
    finally:
        other.close()


def test_too_long_or_with_control_characters_is_refused_and_said_in_the_users_language(
    session: Session,
) -> None:
    store_settings.set_data_protection_officer(session.store, session.user, DPO)
    for text in ("x" * 301, "DSB\x07"):
        with pytest.raises(ValidationFailed) as refused:
            store_settings.set_data_protection_officer(session.store, session.user, text)
        assert [e.field for e in refused.value.errors] == ["data_protection_officer"]
    assert store_settings.get_data_protection_officer(session.store) == DPO
    # 300 after the spaces are collapsed is the limit, as the field's maximum length.
    assert store_settings.data_protection_officer_error("x" * 300) is None
    assert store_settings.DPO_MAX == 300
    long = store_settings.set_data_protection_officer(session.store, session.user, " x" * 150)
    assert len(long) == 299
    error = store_settings.data_protection_officer_error("x" * 301)
    assert error is not None and error.code == "too_long"
    said = {}
    try:
        for lang in ("en", "de", "bg", "ro"):
            set_language(lang)
            said[lang] = store_settings.describe(error)
    finally:
        set_language("en")
    assert said["de"] == "Das ist zu lang (höchstens 300 Zeichen)."
    assert len(set(said.values())) == 4 and all("300" in x for x in said.values()), said


def test_a_contact_ending_in_a_full_stop_ends_the_sentence_once() -> None:
    said = gdpr_texts.dpo_contact("de", "Petra Schulz, Tel. 0231 50-00099.")
    assert said.endswith("wenden: Petra Schulz, Tel. 0231 50-00099.") and ".." not in said
    assert "Datenschutzbeauftragte" in said
    assert gdpr_texts.dpo_contact("ro", "") == ""


# --- the person's data copy ----------------------------------------------------------------------


def _copy(session: Session, person_id: str, lang: str) -> tuple[str, list[float]]:
    """The copy in ``lang`` as one line of text, and the heights at which each line of its
    last page begins (the legal parts)."""
    _json, pdf = data_rights.export_person(session.store, session.user, person_id, lang=lang)
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in pages))
    heights: list[float] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: object, _size: object) -> None:
        y = cm[5] + tm[5]  # ReportLab moves to each paragraph (cm), then to each line (tm)
        if text.strip() and (not heights or abs(heights[-1] - y) > 0.5):
            heights.append(y)

    pages[-1].extract_text(visitor_text=visit)
    return text, heights


@pytest.mark.parametrize("lang", ["bg", "ro"])
def test_the_copy_names_the_officer_among_the_rights_only_where_one_is_set(
    session: Session, lang: str
) -> None:
    draft = PersonDraft("Ioana", "Stan", "01.02.1990", "female", "RO", (lang,), "")
    pid = people.register_person(session.store, session.user, draft, confirm_duplicates=True).id
    rights = re.sub(r"\s+", " ", gettext_in(lang, gdpr_texts.LEGAL_RIGHTS))
    free = gettext_in(lang, pdf_texts.LEGAL_FREE_COPY)

    without, before = _copy(session, pid, lang)
    assert TITLE[lang] not in without.casefold() and "{dpo}" not in without
    # Nothing between the rights and the next sentence: no line left for an officer.
    assert f"{rights} {free}" in without

    store_settings.set_data_protection_officer(session.store, session.user, DPO)
    named, after = _copy(session, pid, lang)
    assert f"{rights} {SENTENCE[lang]} {free}" in named
    assert named.count(TITLE[lang]) == 1

    # Where none is named, the lines stand as close as where the sentence stands between
    # them: no empty paragraph with its space after it.
    def gaps(heights: list[float]) -> set[float]:
        return {round(a - b, 1) for a, b in itertools.pairwise(heights)}

    assert gaps(before) <= gaps(after), (sorted(gaps(before)), sorted(gaps(after)))
