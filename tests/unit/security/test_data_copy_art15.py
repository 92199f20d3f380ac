"""The person's data copy says what Art. 15(1) GDPR asks, in their language: recipients (the
services of their referrals), the source (another laptop, a merged entry), the consultations
of their case (day, role, purpose; no staff names, CJEU C-579/21), the storage period with
their own dates, and at the end purposes, legal bases, categories, rights and complaint.

Real stores, real use cases, the PDF read back with pypdf."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import uuid
from dataclasses import dataclass, replace

import pypdf
import pytest

from desktop_app.domain.hlc import Timestamp
from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import Role
from desktop_app.i18n.formatting import format_long_date
from desktop_app.i18n.text import gettext_in
from desktop_app.letters import gdpr_texts
from desktop_app.letters import person_data_pdf as pdf_texts
from desktop_app.sync.conflict_records import synced_state
from desktop_app.sync.merge import FieldState
from desktop_app.sync.records import ADAPTERS, ToSave
from desktop_app.usecases import (
    accounts,
    data_rights,
    merges,
    people,
    person_data_notice,
    referrals,
    visits,
)
from desktop_app.usecases.accounts import Session
from tests.unit.test_visits import consent_answers, full_life_situation

#: Who works on the case: none of their names or accounts may appear in the log of it.
STAFF = {"advisor": "Elena Beraterin", "helper": "Mihai Helfer"}
PASS = "role pass 123"
SERVICES = {
    "bg": ("Clearingstelle Gesundheit", "Jobcenter Dortmund"),
    "ro": ("Clearingstelle Gesundheit", "Jobcenter Dortmund"),
    "de": ("Clearingstelle Gesundheit", "Jobcenter Dortmund"),
}
#: Terms of each language's official version of the GDPR
LAW = {
    "bg": ("чл. 6, параграф 1, буква а) от ОРЗД", "изрично съгласие", "надзорен орган"),
    "ro": (
        "art. 6 alin. (1) lit. (a) din RGPD",
        "consimțământul dumneavoastră explicit",
        "autorități de supraveghere",
    ),
    "de": ("Art. 6 Abs. 1 Buchst. a DSGVO", "ausdrückliche Einwilligung", "Aufsichtsbehörde"),
}
ROLES = {
    "bg": ("Координатор", "Консултант", "Помощник по интеграция"),
    "ro": ("Coordonator", "Consilier", "Asistent de integrare"),
    "de": ("Koordination", "Beratung", "Integrationshelfer/in"),
}
YEARS = {"bg": "3 години", "ro": "3 ani", "de": "3 Jahren"}


@dataclass(frozen=True)
class Demo:
    person_id: str
    references: tuple[str, ...]


def _login(session: Session, role: Role) -> Session:
    account = role.value
    accounts.add_user(session, account, STAFF[account], role, PASS)
    return accounts.log_in(session.store.paths.data_dir, account, PASS)


def _demo(session: Session) -> Demo:
    """Radostina, registered twice by mistake and merged; consent, a visit on each entry, a
    referral on each (Clearingstelle, Jobcenter), views by an advisor and a helper, an earlier
    copy of her data made by the coordinator."""
    store = session.store
    advisor, helper = _login(session, Role.ADVISOR), _login(session, Role.HELPER)
    bare = PersonDraft("Радостина", "Жечева", "14.03.1985", "female", "BG", ("bg",), "0176 555")
    one = people.register_person(store, session.user, bare).id
    other = replace(bare, phone="0176 666")
    two = people.register_person(store, session.user, other, confirm_duplicates=True).id
    kept, gone = merges.kept_and_merged(one, two)
    answers = dict(
        consent_answers(),
        consent_referral_sharing="given",
        shared_with_service="Clearingstelle Gesundheit, Jobcenter Dortmund",
    )
    visits.record_consent(store, advisor.user, kept, answers)
    visits.finish_visit(store, advisor.user, kept, "life_situation", full_life_situation())
    visits.finish_visit(store, advisor.user, gone, "life_situation", full_life_situation())
    first = referrals.issue_referral(
        store, advisor.user, kept, "clearingstelle", "health_insurance", client_lang="bg"
    )
    second = referrals.issue_referral(
        store, advisor.user, gone, "jobcenter", "buergergeld", client_lang="bg"
    )
    merges.merge_people(store, advisor.user, kept, gone)
    people.get_person(store, helper.user, kept)
    people.get_person(store, advisor.user, kept)
    data_rights.export_person(store, session.user, kept, lang="de")
    return Demo(kept, (first.reference, second.reference))


def _plain(text: str) -> str:
    """``text`` with every run of spaces (no-break ones too) as one space."""
    return re.sub(r"\s+", " ", text)


def _text(pdf: bytes) -> str:
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    return _plain(" ".join(page.extract_text() or "" for page in pages))


def _day(day: dt.date, lang: str) -> str:
    return _plain(format_long_date(day, lang))


def _part(text: str, lang: str, heading: str, until: str) -> str:
    start = text.index(gettext_in(lang, heading))
    return text[start : text.index(gettext_in(lang, until), start)]


def test_the_json_copy_records_the_merge_as_the_pdf_says_it_without_names(
    session: Session,
) -> None:
    """The merge of her two entries, read back from the machine-readable copy: the day and
    the role of who joined them (the advisor), as the PDF says it among its sources; no
    account's name nor id, no laptop's."""
    demo = _demo(session)
    raw, pdf = data_rights.export_person(session.store, session.user, demo.person_id, lang="de")
    copy = json.loads(raw)
    today = dt.date.today()
    assert copy["merges"] == [
        {"joined_on": today.isoformat(), "joined_by": {"role": "advisor", "this_laptop": True}}
    ]
    # the same facts as the PDF's line
    by = gettext_in("de", person_data_notice.SOURCE_MERGED_BY).format(
        role=gettext_in("de", "Advisor")
    )
    assert _plain(format_long_date(today, "de")) in _text(pdf) and by in _text(pdf)
    merged = json.dumps(copy["merges"], ensure_ascii=False)
    advisor_id = next(u.id for u in accounts.list_users(session.store) if u.role is Role.ADVISOR)
    for name in (*STAFF.values(), *STAFF.keys() - {"advisor"}, advisor_id, session.store.device_id):
        assert name not in merged


@pytest.mark.parametrize("lang", ["bg", "ro", "de"])
def test_the_copy_says_everything_art_15_asks_in_the_persons_language(
    session: Session, lang: str
) -> None:
    demo = _demo(session)
    _json, pdf = data_rights.export_person(session.store, session.user, demo.person_id, lang=lang)
    text = _text(pdf)
    today = dt.date.today()

    received = _part(text, lang, pdf_texts.RECIPIENTS_HEADING, pdf_texts.SOURCES_HEADING)
    for name in SERVICES[lang]:
        assert name in received
    for reference in demo.references:
        assert reference in received
    assert _day(today, lang) in received  # the letter's date

    source = _part(text, lang, pdf_texts.SOURCES_HEADING, pdf_texts.LOG_HEADING)
    merged = gettext_in(lang, person_data_notice.SOURCE_MERGED)
    # When, and by which role (the advisor merged; never her name): one line.
    by = gettext_in(lang, person_data_notice.SOURCE_MERGED_BY).format(
        role=gettext_in(lang, "Advisor")
    )
    assert _plain(f"{merged.format(date=format_long_date(today, lang))} {by}") in source
    assert STAFF["advisor"] not in source

    log = _part(text, lang, pdf_texts.LOG_HEADING, pdf_texts.RETENTION_HEADING)
    assert _day(today, lang) in log
    for role in ROLES[lang]:
        assert role in log
    for name in (*STAFF.values(), *STAFF, "Anna Schmidt", "anna"):
        assert name not in log
    # The purposes: the helper looked at her data, the advisor made the referrals.
    assert gettext_in(lang, "Looked at your data for the advice") in log
    assert gettext_in(lang, "Made a referral") in log
    assert gettext_in(lang, "Made a copy of your data for you") in log

    kept = _part(text, lang, pdf_texts.RETENTION_HEADING, pdf_texts.LEGAL_HEADING)
    assert YEARS[lang] in kept
    assert _day(data_rights.years_after(today, 3), lang) in kept

    legal = text[text.index(gettext_in(lang, pdf_texts.LEGAL_HEADING)) :]
    for term in LAW[lang]:
        assert term in legal
    assert (
        gettext_in(lang, "Health data: a special category of personal data (Art. 9 GDPR)")[:20]
        in legal
    )
    assert "Консултация" in legal if lang == "bg" else True  # a purpose, as the consent names it


def test_a_person_never_referred_received_by_no_service_and_registered_by_an_advisor(
    session: Session,
) -> None:
    advisor = _login(session, Role.ADVISOR)
    draft = PersonDraft("Ion", "Popa", "01.02.1990", "male", "RO", ("ro",), "")
    pid = people.register_person(session.store, advisor.user, draft).id
    _json, pdf = data_rights.export_person(session.store, session.user, pid)
    text = _text(pdf)
    assert gettext_in("ro", pdf_texts.RECIPIENTS_NONE) in text
    log = _part(text, "ro", pdf_texts.LOG_HEADING, pdf_texts.RETENTION_HEADING)
    assert "Consilier" in log and "V-a înregistrat" in log
    assert STAFF["advisor"] not in text
    # No health data held: the category is not claimed.
    assert "sănătatea" not in _part(text, "ro", pdf_texts.LEGAL_HEADING, pdf_texts.LEGAL_HEADING)


def test_a_visit_entered_on_another_laptop_is_named_as_a_source(session: Session) -> None:
    """A visit arriving by sync from laptop B (as the sync client saves it) is counted."""
    store = session.store
    draft = PersonDraft("Ion", "Popa", "01.02.1990", "male", "RO", ("ro",), "")
    pid = people.register_person(store, session.user, draft).id
    visit = visits.finish_visit(store, session.user, pid, "life_situation", full_life_situation())
    with store.transaction() as db:
        own = synced_state(db, "visit", visit.id)
        assert own is not None
        clock = str(Timestamp(Timestamp.parse(own.newest_clock()).wall_ms + 1000, 0, "laptop-b"))
        fields = {name: FieldState(f.value, clock, "") for name, f in own.fields.items()}
        arriving = replace(own, id=str(uuid.uuid4()), fields=fields)
        ADAPTERS["visit"].save_many(db, store, [ToSave(arriving, 1, "someone-on-b")])
    _json, pdf = data_rights.export_person(store, session.user, pid, lang="de")
    source = _part(_text(pdf), "de", pdf_texts.SOURCES_HEADING, pdf_texts.LOG_HEADING)
    assert (
        "1 Eintrag wurde von einer Kollegin oder einem Kollegen auf einem anderen Laptop" in source
    )


def test_dates_and_references_stay_on_one_line_in_bulgarian(session: Session) -> None:
    """The longest Bulgarian long date ("30 септември 2026 г.") and the widest reference fit
    their columns: "г." broke onto a line of its own under every date of the log, and a
    reference with two W lost its last letter to the next line."""
    import pdfplumber

    demo = _demo(session)
    _json, pdf = data_rights.export_person(session.store, session.user, demo.person_id, lang="bg")
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        lines = [line for page in doc.pages for line in (page.extract_text() or "").splitlines()]
    assert [line for line in lines if line.startswith("г.")] == []
    for reference in demo.references:
        assert any(reference in line for line in lines)
    longest = pdf_texts.Consultation("30 септември 2026 г.", "Помощник по интеграция", "x", 1)
    notice = pdf_texts.DataCopyNotice(
        purposes=["Консултация"],
        categories=["Лични данни"],
        recipients=[pdf_texts.Recipient("Jobcenter", longest.day, "WD-2026-12-WWWWWWWW")],
        sources=[],
        consultations=[longest],
        last_contact=dt.date(2026, 9, 30),
        erase_from=dt.date(2029, 9, 30),
        retention_years=3,
    )
    person = [("Given name", "Радостина")]
    alone = pdf_texts.render_person_data("bg", person, [], dt.date(2026, 9, 30), notice=notice)
    with pdfplumber.open(io.BytesIO(alone)) as doc:
        lines = [line for page in doc.pages for line in (page.extract_text() or "").splitlines()]
    assert [line for line in lines if line.startswith("г.")] == []
    assert any("WD-2026-12-WWWWWWWW" in line for line in lines)


#: The rights by their names in each language's official version of the GDPR (Art. 15(1)(e)),
#: the complaint (Art. 15(1)(f)), and no transfer to a third country (Art. 15(2)).
RIGHTS = {
    "bg": (
        "право на коригиране",
        "право на изтриване",
        "право на ограничаване на обработването",
        "право на възражение",
        "право на жалба до надзорен орган",
        "трета държава",
        "чл. 15, параграф 2 от ОРЗД",
    ),
    "ro": (
        "dreptul la rectificare",
        "dreptul la ștergerea datelor",
        "dreptul la restricționarea prelucrării",
        "dreptul la opoziție",
        "dreptul de a depune o plângere în fața unei autorități de supraveghere",
        "țară terță",
        "art. 15 alin. (2) din RGPD",
    ),
}

COMPLAINT_WHERE = {
    "bg": "държавата членка на ЕС, в която живеете или работите",
    "ro": "statul membru al UE în care locuiți sau lucrați",
}


def _referrals_part(text: str, lang: str) -> str:
    """The copy's section of referrals: from its heading to the recipients after the data."""
    end = text.index(gettext_in(lang, pdf_texts.RECIPIENTS_HEADING))
    return text[text[:end].rindex(gettext_in(lang, "Referrals")) : end]


@pytest.mark.parametrize("lang", ["bg", "ro"])
def test_the_rights_by_their_legal_names_no_third_country_and_the_server(
    session: Session, lang: str
) -> None:
    demo = _demo(session)
    _json, pdf = data_rights.export_person(session.store, session.user, demo.person_id, lang=lang)
    text = _text(pdf)
    received = _part(text, lang, pdf_texts.RECIPIENTS_HEADING, pdf_texts.SOURCES_HEADING)
    assert SERVICES[lang][0] in received  # a recipient of a real referral
    legal = text[text.index(gettext_in(lang, pdf_texts.LEGAL_HEADING)) :]
    for term in RIGHTS[lang]:
        assert term in legal
    assert _plain(gettext_in(lang, gdpr_texts.LEGAL_AUTOMATED)) in legal
    # No authority in the settings: where one may complain, as Art. 77(1) GDPR says.
    assert COMPLAINT_WHERE[lang] in legal
    # A laptop that never joined a server keeps the data to itself: the server is not named.
    server = _plain(gettext_in(lang, gdpr_texts.RECIPIENTS_SERVER))
    assert server not in text
    from desktop_app.sync.engine import SERVER_URL, set_meta

    with session.store.transaction() as db:
        set_meta(db, SERVER_URL, "https://sync.example.org")
    _json, pdf = data_rights.export_person(session.store, session.user, demo.person_id, lang=lang)
    text = _text(pdf)
    assert server in _part(text, lang, pdf_texts.RECIPIENTS_HEADING, pdf_texts.SOURCES_HEADING)


#: Art. 15(3) GDPR as each language's official version words it: the copy, free of charge.
FREE_COPY = {
    "bg": ("копие", "безплатно", "чл. 15, параграф 3 от ОРЗД"),
    "ro": ("copie", "gratuit", "art. 15 alin. (3) din RGPD"),
    "de": ("Kopie", "unentgeltlich", "Art. 15 Abs. 3 DSGVO"),
    "en": ("copy", "free of charge", "Art. 15(3) GDPR"),
}
#: The consent's purposes (resources/forms/consent.yaml), capitalised as list items are.
PURPOSE_LABELS = {
    "bg": ("Консултация", "Съхранение и синхронизиране с централния офис"),
    "ro": ("Consiliere", "Stocare și sincronizare cu biroul central"),
    "de": ("Beratung", "Speicherung und Abgleich mit der Zentrale"),
    "en": ("Advice", "Storage and sync with the central office"),
}


@pytest.mark.parametrize("lang", ["bg", "ro", "de", "en"])
def test_purposes_and_categories_one_a_line_and_the_first_copy_free_of_charge(
    session: Session, lang: str
) -> None:
    """The purposes ran into one sentence with their capitals ("Scopurile prelucrării:
    Consiliere, Stocare și sincronizare cu biroul central, …"): now each is a line of its own,
    as are the categories; and the copy says the first one is free (Art. 15(3) GDPR)."""
    demo = _demo(session)
    _json, pdf = data_rights.export_person(session.store, session.user, demo.person_id, lang=lang)
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    lines = [_plain(x).strip() for p in pages for x in (p.extract_text() or "").splitlines()]
    start = lines.index(gettext_in(lang, pdf_texts.LEGAL_HEADING))
    legal = lines[start:]
    purposes = legal.index(gettext_in(lang, pdf_texts.LEGAL_PURPOSES))
    basis_starts = _plain(gettext_in(lang, pdf_texts.LEGAL_BASIS))[:12]
    basis = next(n for n, line in enumerate(legal) if line.startswith(basis_starts))
    listed = legal[purposes + 1 : basis]
    assert listed and all(line.startswith("• ") for line in listed)
    for label in PURPOSE_LABELS[lang]:
        assert f"• {label}" in listed
    text = " ".join(legal)
    assert f", {PURPOSE_LABELS[lang][1]}" not in text  # not run into a sentence
    categories = legal.index(gettext_in(lang, pdf_texts.LEGAL_CATEGORIES))
    person = gettext_in(lang, person_data_notice.CATEGORY_PERSON)
    assert legal[categories + 1].startswith(f"• {person[:20]}")
    free = _plain(gettext_in(lang, pdf_texts.LEGAL_FREE_COPY))
    assert free in text
    for term in FREE_COPY[lang]:
        assert term in free


def test_the_advisor_of_a_referral_made_on_another_laptop_is_named(session: Session) -> None:
    """The advisor who served the person is named with each referral, also one made on a
    laptop whose accounts this one does not know (accounts do not sync; the log says only
    "staff member on another laptop"): the name travels in the referral, as on its letter."""
    store = session.store
    advisor = _login(session, Role.ADVISOR)
    draft = PersonDraft("Ion", "Popa", "01.02.1990", "male", "RO", ("ro",), "")
    pid = people.register_person(store, advisor.user, draft).id
    own = referrals.issue_referral(
        store, advisor.user, pid, "jobcenter", "buergergeld", client_lang="ro"
    )
    with store.transaction() as db:
        state = synced_state(db, "referral", own.id)
        assert state is not None
        clock = str(Timestamp(Timestamp.parse(state.newest_clock()).wall_ms + 1000, 0, "laptop-b"))
        values = {
            "advisor_name": "Petar Kolegov",
            "signed_off_by": "Petar Kolegov",
            "reference": own.reference[:-1] + ("X" if own.reference[-1] != "X" else "Y"),
        }
        fields = {
            name: FieldState(values.get(name, f.value), clock, "")
            for name, f in state.fields.items()
        }
        arriving = replace(state, id=str(uuid.uuid4()), fields=fields)
        ADAPTERS["referral"].save_many(db, store, [ToSave(arriving, 1, "someone-on-b")])
    _json, pdf = data_rights.export_person(store, session.user, pid, lang="ro")
    text = _text(pdf)
    part = _referrals_part(text, "ro")
    assert f"Pregătită de {STAFF['advisor']}" in part
    assert "Pregătită de Petar Kolegov" in part
    # Signed off by the advisor who made it: said once, not twice.
    assert "Aprobată de" not in part
    # The log still names no one.
    log = _part(text, "ro", pdf_texts.LOG_HEADING, pdf_texts.RETENTION_HEADING)
    assert STAFF["advisor"] not in log and "Petar" not in log


def test_a_helpers_referral_names_the_advisor_who_signed_it_off(session: Session) -> None:
    store = session.store
    advisor, helper = _login(session, Role.ADVISOR), _login(session, Role.HELPER)
    draft = PersonDraft("Ion", "Popa", "01.02.1990", "male", "RO", ("ro",), "")
    pid = people.register_person(store, advisor.user, draft).id
    prepared = referrals.issue_referral(
        store, helper.user, pid, "jobcenter", "buergergeld", client_lang="ro"
    )
    referrals.sign_off(store, advisor.user, prepared.id)
    _json, pdf = data_rights.export_person(store, session.user, pid, lang="bg")
    part = _referrals_part(_text(pdf), "bg")
    assert f"Подготвено от {STAFF['helper']}" in part
    assert f"Одобрено от {STAFF['advisor']}" in part


@pytest.mark.parametrize("lang", ["de", "bg", "ro", "en"])
def test_a_letter_put_in_the_print_queue_is_queued_in_the_log_not_printed(
    session: Session, lang: str
) -> None:
    """The copy's log of consultations said "Printed a referral letter" of a letter only put in
    the print queue; printed from the queue it is printed."""
    store, user = session.store, session.user
    draft = PersonDraft("Ana", "Popa", "14.03.1985", "female", "RO", ("ro",), "0176 555")
    pid = people.register_person(store, user, draft).id
    referral = referrals.issue_referral(store, user, pid, "jobcenter", "buergergeld")
    job = referrals.queue_for_printing(store, user, referral.id, "ro")
    queued = gettext_in(lang, person_data_notice.LETTER_OUTPUT_PURPOSES["queue"])
    printed = gettext_in(lang, "Printed a referral letter")
    assert queued != printed

    def purposes() -> list[str]:
        with store.reading() as db:
            found = person_data_notice.consultations(db, pid, lang, store.device_id)
        return [c.purpose for c in found]

    assert queued in purposes() and printed not in purposes()
    _json, pdf = data_rights.export_person(store, user, pid, lang=lang)
    log = _part(_text(pdf), lang, pdf_texts.LOG_HEADING, pdf_texts.RETENTION_HEADING)
    assert _plain(queued) in log and _plain(printed) not in log
    referrals.mark_printed(store, user, job)
    assert queued in purposes() and printed in purposes()
