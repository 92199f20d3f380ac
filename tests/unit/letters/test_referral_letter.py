"""Referral letter PDFs read back: names in any script, fonts, A4, DIN 5008 form B, bad input."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from dataclasses import replace
from pathlib import Path

import pypdf
import pytest
from reportlab.lib.pagesizes import A4

from desktop_app.domain.dates import PartialDate
from desktop_app.domain.person import Person
from desktop_app.domain.referral import Organisation
from desktop_app.domain.service import Address, Contact, LocalizedText, Service
from desktop_app.letters.referral_letter import LetterError, render_referral_letter
from desktop_app.letters.texts import load_letter_texts
from desktop_app.paths import resource
from tests.unit.letters.letter_helpers import (
    DIRECTORY,
    MM,
    ORGANISATION,
    PETAR,
    STEFAN,
    TODAY,
    flat,
    pdf_text,
    plumber,
    referral_for,
)

CLEARING = DIRECTORY.get("clearingstelle")


def _render(
    person: Person = PETAR,
    lang: str = "bg",
    service: Service = CLEARING,
    organisation: Organisation = ORGANISATION,
    **changes: object,
) -> bytes:
    referral = referral_for(service, person, **changes)
    return render_referral_letter(referral, person, service, organisation, lang, today=TODAY)


@pytest.fixture(scope="module")
def bg_letter() -> bytes:
    return _render()


@pytest.fixture(scope="module")
def ro_letter() -> bytes:
    return _render(STEFAN, "ro")


def test_bulgarian_letter_has_names_dates_and_umlauts(bg_letter: bytes) -> None:
    pages = pdf_text(bg_letter)
    assert len(pages) == 2
    letter, copy = pages
    assert "Петър Петров (Petar Petrov), geb. 14. März 1985" in letter
    assert "Vermittlung zur Klärung des Krankenversicherungsschutzes" in letter
    assert "Mit freundlichen Grüßen" in letter and "Sehr geehrte Frau Schäfer," in letter
    assert "Datum: 25. November 2026" in letter
    assert "Donnerstag, 3. Dezember 2026, 09:30 Uhr" in letter
    assert "Seite 1 von 2" in letter
    assert "Здравейте, Петър!" in copy
    assert "25 ноември 2026 г." in copy
    assert "четвъртък, 3 декември 2026 г., 09:30 ч." in copy
    assert "Лична карта или паспорт" in copy
    assert "Страница 2 от 2" in copy


def test_romanian_letter_keeps_comma_below_letters(ro_letter: bytes) -> None:
    letter, copy = pdf_text(ro_letter)
    assert "Ștefan Țărănescu, geb. Juli 1990" in letter  # Latin script: no transliteration added
    assert "Bună ziua, Ștefan!" in copy
    assert "\u0219" in copy and "\u021b" in copy and "\u015f" not in copy and "\u0163" not in copy
    assert "25 noiembrie 2026" in copy and "joi, 3 decembrie 2026, ora 09:30" in copy
    assert "Pagina 2 din 2" in copy


def test_fonts_are_embedded_subsets_and_pages_are_a4(bg_letter: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(bg_letter))
    seen = set()
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4)
        resources = page["/Resources"]
        assert isinstance(resources, pypdf.generic.DictionaryObject)
        fonts = resources["/Font"]
        assert isinstance(fonts, pypdf.generic.DictionaryObject)
        for font in fonts.values():
            font = font.get_object()
            descendant = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            descriptor = descendant["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor
            assert re.fullmatch(r"[A-Z]{6}\+DejaVuSans(-Bold)?", str(font["/BaseFont"])[1:])
            seen.add(str(font["/BaseFont"]).split("+")[1])
    assert seen == {"DejaVuSans", "DejaVuSans-Bold"}
    assert len(bg_letter) < 80_000  # subset: the full fonts alone are over 1 MB


def test_address_field_lies_in_the_form_b_window(bg_letter: bytes) -> None:
    with plumber(bg_letter) as pdf:
        page = pdf.pages[0]
        window = page.crop((20 * MM, 45 * MM, 105 * MM, 90 * MM)).extract_text()
        lines = [flat(line) for line in window.splitlines()]
        assert lines[1:] == [
            "Clearingstelle Gesundheit",
            "Frau Schäfer",  # DIN 5008: a line of its own, no "z. Hd."
            "Hövelstraße 8",
            "44137 Dortmund",
        ]
        assert lines[0].startswith("Welcome Europe – Anlaufstelle Dortmund · Musterstraße 1")
        for word in page.extract_words():
            if word["text"] in {"Clearingstelle", "Hövelstraße", "44137", "Schäfer"}:
                assert word["x0"] >= 25 * MM - 0.5 and word["x1"] <= 105 * MM
                assert word["top"] >= (45 + 17.7) * MM and word["bottom"] <= 90 * MM
            if word["text"] == "Musterstraße" and 40 * MM < word["top"] < 100 * MM:
                assert word["top"] >= 45 * MM and word["bottom"] <= (45 + 17.7) * MM
            if 50 * MM <= word["top"] <= 90 * MM and word["x0"] > 110 * MM:
                assert word["x0"] >= 125 * MM - 0.5  # information block, form B
        marks = sorted(round(line["top"] / MM, 1) for line in page.lines if line["x1"] < 10 * MM)
        assert marks == [105.0, 148.5, 210.0]


@pytest.mark.parametrize("typed", ["Herr Öztürk", "Herrn Öztürk"])
def test_a_male_contact_is_addressed_herrn_and_greeted_herr(typed: str) -> None:
    pdf = _render(STEFAN, "ro", contact_person=typed)
    letter, copy = (" ".join(text.split()) for text in pdf_text(pdf))
    assert "Herrn Öztürk Hövelstraße 8" in letter  # the address field
    assert "Sehr geehrter Herr Öztürk," in letter and "Herrn Öztürk," not in letter
    assert "Întrebați de: Herr Öztürk" in copy


@pytest.mark.parametrize(
    ("typed", "greeting"),
    [
        ("Frau Schäfer, Zimmer 204", "Sehr geehrte Frau Schäfer,"),
        ("Herrn Öztürk, Raum 3.12", "Sehr geehrter Herr Öztürk,"),
        ("Team Leistung, Erdgeschoss", "Guten Tag Team Leistung,"),
    ],
)
def test_the_greeting_names_the_contact_without_the_room_typed_after_a_comma(
    typed: str, greeting: str
) -> None:
    """As the refer dialog's example has it ("Frau Schäfer, Zimmer 204"): the room goes into
    the address field and the person's copy, the greeting names the person only."""
    pdf = _render(STEFAN, "ro", contact_person=typed)
    letter, copy = (" ".join(text.split()) for text in pdf_text(pdf))
    room = typed.partition(", ")[2]
    assert f"{greeting} hiermit vermitteln wir" in letter
    assert f", {room}," not in letter  # the greeting ended with the room before
    assert f", {room} Hövelstraße 8" in letter  # the address field keeps it
    assert f"Întrebați de: {typed.replace('Herrn', 'Herr')}" in copy


def test_the_letter_asks_whether_the_appointment_took_place_only_where_there_is_one() -> None:
    with_one = " ".join(pdf_text(_render())[0].split())
    without = " ".join(pdf_text(_render(appointment=None, contact_person=""))[0].split())
    assert "ob der Termin stattgefunden hat" in with_one
    assert "ob der Termin stattgefunden hat" not in without
    assert "wann ein Termin zustande gekommen ist" in without


def test_a_romanian_name_typed_with_cedillas_is_printed_with_commas_below() -> None:
    typed = replace(STEFAN, given_name="Ştefan", family_name="Ţărănescu")
    text = " ".join(" ".join(pdf_text(_render(typed, "ro"))).split())
    assert "Ștefan Țărănescu" in text and "Bună ziua, Ștefan!" in text
    assert not {"ş", "ţ", "Ş", "Ţ"} & set(text)
    turkish = replace(PETAR, given_name="Ayşe", family_name="Şahin", nationality="TR")
    assert "Ayşe Şahin" in " ".join(" ".join(pdf_text(_render(turkish, "ro"))).split())


def test_an_advisor_named_in_cyrillic_signs_the_german_letter_in_latin_letters() -> None:
    """An advisor whose account has her name in Cyrillic was "Румяна Петкова" in the German
    letter's information block, its call-back line and its signature: the office cannot read
    whom to ask for. German and Romanian readers get "Rumyana Petkova"; the Bulgarian copy
    keeps her name as she writes it."""
    bg_pages = pdf_text(_render(advisor_name="Румяна Петкова"))
    german, copy = bg_pages[0], " ".join(bg_pages[1:])
    assert german.count("Rumyana Petkova") == 3, german  # information block, call back, signed
    assert "Румяна" not in german
    assert "Румяна Петкова · Welcome Europe" in copy
    ro_copy = " ".join(pdf_text(_render(STEFAN, "ro", advisor_name="Румяна Петкова"))[1:])
    assert "Rumyana Petkova · Welcome Europe" in ro_copy and "Румяна" not in ro_copy


def test_a_long_advisor_email_is_printed_whole_in_the_information_block() -> None:
    email = "ralitsa.dimitrova-georgieva@welcome-europe-dortmund.example.org"
    pdf = _render(advisor_email=email, advisor_phone="")
    with plumber(pdf) as doc:
        page = doc.pages[0]
        block = page.crop((125 * MM, 50 * MM, 200 * MM, 97 * MM)).extract_text()
    shown = "".join(block.split()).replace("\u200b", "").replace("\u2011", "-")
    assert email in shown, block
    assert "…" not in block
    assert _inside_page(pdf) >= 2


@pytest.mark.parametrize("reason", ["trafficking", "labour_exploitation"])
@pytest.mark.parametrize(("person", "lang"), [(PETAR, "bg"), (STEFAN, "ro")])
def test_a_letter_to_the_trafficking_advice_centre_names_no_trafficking(
    reason: str, person: Person, lang: str
) -> None:
    """The person carries the letter and keeps the copy, maybe where whoever exploits them can
    read it: neither names trafficking, in any of the languages printed."""
    service = DIRECTORY.get("mitternachtsmission")
    text = " ".join(pdf_text(_render(person, lang, service, reason=reason))).casefold()
    for word in ("menschenhandel", "trafficking", "трафик", "trafic"):
        assert word not in text, word


def test_the_copy_asks_to_call_only_where_it_gives_a_number_to_call() -> None:
    without_phone = DIRECTORY.get("faire_mobilitaet")
    assert not without_phone.contact.phone
    copy = " ".join(pdf_text(_render(service=without_phone, appointment=None))[-1].split())
    assert "ние ще Ви запишем час – попитайте ни" in copy and "се обадете" not in copy
    copy = " ".join(pdf_text(_render(appointment=None))[-1].split())  # the Clearingstelle
    assert CLEARING.contact.phone and "се обадете по телефона" in copy


def _inside_page(pdf: bytes) -> int:
    """Every character lies inside the printable area; returns the page count."""
    with plumber(pdf) as doc:
        for page in doc.pages:
            for ch in page.chars:
                assert ch["x0"] >= 10 * MM and ch["x1"] <= page.width - 10 * MM, ch["text"]
                assert ch["top"] >= 10 * MM and ch["bottom"] <= page.height - 10 * MM, ch["text"]
        return len(doc.pages)


def test_long_names_and_forty_documents_flow_onto_more_pages() -> None:
    given = "Петър-Александър-" + "Константинов" * 6  # one 90-letter word, no hyphenation point
    family = " ".join(["Хаджистоянова-Попконстантинова"] * 4)
    person = replace(PETAR, given_name=given, family_name=family[: 200 - len(given)])
    assert len(person.given_name) + len(person.family_name) == 200
    documents = tuple(f"Unterlage Nr. {i}: Bescheinigung über die Anerkennung" for i in range(40))
    pdf = _render(person, documents=documents, contact_person="Frau " + "Ä" * 80)
    pages = _inside_page(pdf)
    assert pages >= 4
    text = "".join("".join(pdf_text(pdf)).split())
    assert "".join(f"{person.given_name}{person.family_name}".split()) in text
    assert all(f"Nr.{i}:" in text for i in (0, 17, 39))


def test_who_referred_the_person_never_stands_alone_on_a_page_of_the_copy() -> None:
    """The copy's last block (who referred the person, how to reach them) must not be pushed
    onto a page of its own by a long checklist, where it gets lost: a copy that does not fit
    one page puts the checklist in two columns, and that block before it."""
    for count in (7, 9, 16):
        documents = tuple(f"Nachweis Nummer {i} über das Einkommen" for i in range(count))
        pages = pdf_text(_render(documents=documents))
        first = next(i for i, text in enumerate(pages) if "Здравейте" in text)
        copy = [" ".join(text.split()) for text in pages[first:]]
        assert "Кой Ви насочи?" in copy[0], count
        assert all(f"Nummer {i} " in " ".join(copy) for i in range(count))
    # Seven fit one page in two columns, after the block; a short list stays as it was.
    pages = pdf_text(_render(documents=documents[:7]))
    assert "Кой Ви насочи?" in pages[-1] and "Здравейте" in pages[-1]
    short = " ".join(pdf_text(_render(documents=documents[:2]))[-1].split())
    assert short.index("Nummer 1") < short.index("Кой Ви насочи?")


def test_romanian_long_words_in_a_long_service_name_stay_in_the_window() -> None:
    long_service = replace(
        CLEARING,
        name=LocalizedText(
            {
                lang: "Centrul de consiliere " + "Întreprinderilorsocialeșiteritoriale" * 4
                for lang in ("de", "bg", "ro", "en")
            }
        ),
    )
    pdf = _render(STEFAN, "ro", service=long_service)
    _inside_page(pdf)
    with plumber(pdf) as doc:
        for ch in doc.pages[0].crop((0, 60 * MM, 110 * MM, 95 * MM)).chars:
            assert ch["x0"] >= 20 * MM and ch["x1"] <= 105 * MM
            assert ch["bottom"] <= 90 * MM


def test_missing_address_data_still_lays_out() -> None:
    bare = Service(
        id="clearingstelle",
        name=CLEARING.name,
        topics=CLEARING.topics,
        address=Address(),
        opening_hours=LocalizedText(),
        contact=Contact(),
    )
    pdf = _render(service=bare, appointment=None, contact_person="", documents=())
    _inside_page(pdf)
    letter, copy = pdf_text(pdf)
    assert "Ein Termin ist noch nicht vereinbart." in letter
    assert "Още нямаме точния адрес – моля, попитайте ни." in copy
    assert "Моля, попитайте ни кога можете да отидете." in copy  # no number to call
    assert "Не са нужни специални документи." in copy


def test_markup_and_control_characters_in_names_are_printed_as_text() -> None:
    person = replace(STEFAN, given_name="Ana <b>Maria</b> & Co\x07", family_name="Pop\u200b\nescu")
    letter, copy = pdf_text(_render(person, "de"))
    assert "Ana <b>Maria</b> & Co" in letter and "Hallo Ana <b>Maria</b> & Co," in copy


def test_logo_is_drawn_and_unreadable_logo_is_a_clear_error(tmp_path: Path) -> None:
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("RGB", (240, 80), (31, 95, 107)).save(logo)
    pdf = _render(organisation=replace(ORGANISATION, logo_path=str(logo)))
    with plumber(pdf) as doc:
        (image,) = doc.pages[0].images
        assert image["x1"] <= doc.pages[0].width - 20 * MM + 0.5 and image["bottom"] <= 40 * MM
        assert doc.pages[1].images == []
    (tmp_path / "broken.png").write_bytes(b"not an image")
    with pytest.raises(LetterError) as info:
        _render(organisation=replace(ORGANISATION, logo_path=str(tmp_path / "broken.png")))
    assert info.value.key == "letter.logo_unreadable"
    with pytest.raises(LetterError):
        _render(organisation=replace(ORGANISATION, logo_path=str(tmp_path / "missing.png")))


def test_a_kept_logo_is_drawn_from_its_bytes_and_the_contact_lines_end_above_the_rule() -> None:
    """The logo kept in the store (no file); drawn 18 mm high, it ran three contact lines
    and more into the rule under the letterhead (40 mm): lowered to leave them the room."""
    from PIL import Image

    from desktop_app.letters.logo import logo_png

    out = io.BytesIO()
    Image.new("RGB", (200, 100), (31, 95, 107)).save(out, format="PNG")
    organisation = replace(
        ORGANISATION,
        address_lines=("Musterstraße 1", "44137 Dortmund"),
        phone="0231 555-100",
        email="info@example.org",
        logo=logo_png(out.getvalue()),
        logo_path="/gone/logo.png",  # where it was taken from: not read
    )
    with plumber(_render(organisation=organisation)) as doc:
        page = doc.pages[0]
        (image,) = page.images
        assert image["top"] >= 10 * MM - 0.5 and image["bottom"] > 15 * MM
        words = [w for w in page.extract_words() if w["x0"] > 120 * MM and w["top"] < 45 * MM]
        assert any(w["text"] == "info@example.org" for w in words)
        assert all(w["top"] >= image["bottom"] for w in words)
        assert max(w["bottom"] for w in words) <= 40 * MM


@pytest.mark.parametrize(
    ("changes", "lang", "key"),
    [
        ({"reason": ""}, "bg", "letter.reason_missing"),
        ({"reason": "   "}, "bg", "letter.reason_missing"),
        ({"reason": "no_such_reason"}, "bg", "letter.reason_unknown"),
        ({"reason": "other", "reason_note": " \n"}, "ro", "letter.reason_note_missing"),
        ({"advisor_name": ""}, "bg", "letter.advisor_missing"),
        ({"service_id": "jobcenter"}, "bg", "letter.service_mismatch"),
        ({}, "tr", "letter.language_unsupported"),
    ],
)
def test_referrals_that_cannot_make_a_letter_raise_letter_error(
    changes: dict[str, object], lang: str, key: str
) -> None:
    with pytest.raises(LetterError) as info:
        _render(PETAR, lang, CLEARING, ORGANISATION, **changes)
    assert info.value.key == key
    assert load_letter_texts().error_message(key, "bg")


def test_empty_name_and_organisation_are_letter_errors() -> None:
    with pytest.raises(LetterError) as info:
        _render(replace(PETAR, given_name=" ", family_name=""))
    assert info.value.key == "letter.person_name_missing"
    with pytest.raises(LetterError) as info:
        _render(organisation=replace(ORGANISATION, name=""))
    assert info.value.key == "letter.organisation_missing"


NOTE = "Beratung zur Gewerbeanmeldung und Steuererklärung"
#: what the "other" reason's copy says in place of the note, and that page 1 has it in German
DISCUSSED = {
    "bg": (
        "Там ще получите помощ по въпроса, който обсъдихме с Вас.",
        "За службата той е описан на немски на страница 1.",
    ),
    "ro": (
        "Acolo primiți ajutor în problema pe care am discutat-o cu dumneavoastră.",
        "Pentru serviciu, aceasta este descrisă în limba germană pe pagina 1.",
    ),
    "en": (
        "There you get help with the matter we discussed with you.",
        "For the office it is described in German on page 1.",
    ),
}


@pytest.mark.parametrize(("person", "lang"), [(PETAR, "bg"), (STEFAN, "ro"), (PETAR, "en")])
def test_the_other_reasons_german_note_is_in_the_letter_not_on_a_copy_in_another_language(
    person: Person, lang: str
) -> None:
    """The note (the advisor writes it in German, for the service) was printed on the
    Bulgarian copy too, as if it were Bulgarian. The copy in the person's language says now
    that the matter was discussed with them and that page 1 describes it in German."""
    letter, copy = pdf_text(_render(person, lang, reason="other", reason_note=NOTE))
    assert f"folgender Angelegenheit zu beraten: {NOTE}" in letter
    assert "Gewerbeanmeldung" not in copy
    purpose, on_page_one = DISCUSSED[lang]
    assert f"{purpose} {on_page_one}" in copy


def test_the_other_reasons_note_is_on_a_german_copy() -> None:
    _letter, copy = pdf_text(_render(STEFAN, "de", reason="other", reason_note=NOTE))
    assert f"Dort bekommen Sie Hilfe in dieser Sache: {NOTE}" in copy
    assert "Seite 1 ist die Sache" not in copy


def test_a_sheet_without_a_letter_does_not_point_to_page_one_for_the_note() -> None:
    """Without the person's consent only the sheet is printed: there is no German page 1."""
    referral = referral_for(CLEARING, PETAR, reason="other", reason_note=NOTE)
    pdf = render_referral_letter(
        referral, PETAR, CLEARING, ORGANISATION, "bg", today=TODAY, to_service=False
    )
    (sheet,) = pdf_text(pdf)
    purpose, on_page_one = DISCUSSED["bg"]
    assert purpose in sheet
    assert on_page_one not in sheet and "Gewerbeanmeldung" not in sheet


def test_a_date_in_a_letter_never_ends_a_line_inside() -> None:
    """ "geb. 14. | März 1985": with a name of some length the subject line broke inside the
    date. Dates are one word now (no-break spaces, which ReportLab keeps together and DejaVu
    draws as spaces); Babel's narrow no-break space ("2026 г.") is one of those too."""
    from desktop_app.letters.referral_letter import unbroken

    assert (
        unbroken("четвъртък, 3 декември 2026\u202fг.") == "четвъртък, 3\xa0декември\xa02026\xa0г."
    )
    month = r"(?:März|Dezember|март|декември)"
    # a line ending with the day or month, the next going on with the month or year
    inside = re.compile(rf"(?:\b\d{{1,2}}\.?\n{month}|{month}\n\d{{4}}|\b\d{{4}}\nг\.)")
    for n in range(12, 26):  # names that end the subject line at every place around the date
        person = replace(PETAR, given_name="Петър" + " Ив" * (n // 3) + "а" * (n % 3))
        pdf = _render(person, "bg", appointment=dt.datetime(2026, 12, 3, 10, 0))
        pages = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]
        text = "\n".join(" ".join(line.split()) for page in pages for line in page.split("\n"))
        assert "14. März 1985" in text and "3 декември 2026 г." in text
        assert not inside.search(text), (n, inside.search(text))


YORDANKA = replace(
    PETAR,
    given_name="Йорданка",
    family_name="Христова-Атанасова",
    date_of_birth=PartialDate(1979, 11, 3),
)


def test_a_letter_just_too_long_for_one_page_is_set_tighter_to_fit() -> None:
    """A long name, a note and an interpreter's line made the letter to the service run about
    4 pt over its first page, leaving only the closing on a second one; it fits one page now."""
    service = DIRECTORY.get("diakonie_migration")
    pdf = _render(
        YORDANKA,
        service=service,
        reason="migration_advice",
        reason_note="Bescheid vom 03.11.2026 liegt vor; Termin bitte mit Dolmetscherin.",
        appointment=None,
        contact_person="",
        advisor_email="r.dimitrova@willkommen-europa.example.org",
        documents=service.documents,
    )
    pages = pdf_text(pdf)
    assert "Mit freundlichen Grüßen" in pages[0] and "Anlage: Kopie" in pages[0]
    assert "Здравейте" in pages[1], "the person's copy begins on the second sheet"


def test_the_closing_never_stands_alone_on_a_page() -> None:
    """Where the letter cannot fit one page, the closing goes over with the last paragraph."""
    for count in range(4, 12):
        documents = tuple(f"Nachweis Nummer {i} über das Einkommen" for i in range(count))
        note = "Bescheid liegt vor. " * 12
        pages = pdf_text(_render(YORDANKA, documents=documents, reason_note=note))
        closing = next(text for text in pages if "Mit freundlichen Grüßen" in text)
        assert "Für Rückfragen erreichen Sie" in closing, count


def test_born_stays_with_the_date_of_birth_in_the_subject() -> None:
    """ "… (Yordanka Hristova-Atanasova), geb." ended the line and the date began the next."""
    for extra in ("", "а", "ан", " Ив", " Ива"):
        person = replace(YORDANKA, family_name=YORDANKA.family_name + extra)
        pdf = _render(person, "bg")
        lines = [" ".join(line.split()) for line in pdf_text_lines(pdf)[0]]
        assert not any(line.endswith("geb.") for line in lines), lines[:20]
        assert any("geb. 3. November 1979" in line for line in lines), extra


def pdf_text_lines(pdf: bytes) -> list[list[str]]:
    return [
        (page.extract_text() or "").split("\n") for page in pypdf.PdfReader(io.BytesIO(pdf)).pages
    ]


def test_an_advisors_email_is_on_one_line_in_the_information_block() -> None:
    """ "r.dimitrova@" | "willkommen-europa.example.org" broke after its "@": too long beside
    its label, it goes on a line of its own under it; only an address too long even for that
    is broken, before the "@"."""
    email = "r.dimitrova@willkommen-europa.example.org"
    with plumber(_render(advisor_email=email)) as doc:
        block = doc.pages[0].crop((125 * MM, 50 * MM, 200 * MM, 97 * MM)).extract_text()
    assert email in block.split("\n"), block
    longer = "ralitsa.dimitrova-georgieva@welcome-europe-dortmund.example.org"
    with plumber(_render(advisor_email=longer)) as doc:
        block = doc.pages[0].crop((125 * MM, 50 * MM, 200 * MM, 97 * MM)).extract_text()
    lines = block.split("\n")
    assert "ralitsa.dimitrova-georgieva" in lines, block
    assert "@welcome-europe-dortmund.example.org" in lines, block


def test_after_the_first_mention_the_letter_names_the_person_frau_or_herr_x() -> None:
    """A long double name written out in every sentence (up to nine times on the page); now
    the subject, the first sentence and the enclosure carry it whole, the rest say "Frau X"
    (or "Herr X", "Herrn X" as an object); languages read "Rumänisch und Ungarisch"."""
    from desktop_app.domain.person import Sex

    ana = replace(
        STEFAN,
        given_name="Ana-Maria Țuțuianu",
        family_name="Ștefănescu-Dumitrașcu",
        sex=Sex.FEMALE,
        languages=("ro", "hu"),
    )
    first = flat(pdf_text(_render(ana, "ro"))[0])
    assert first.count("Ana-Maria Țuțuianu Ștefănescu-Dumitrașcu") == 3, first
    assert "Frau Ștefănescu-Dumitrașcu spricht Rumänisch und Ungarisch." in first
    assert "Wir haben Frau Ștefănescu-Dumitrașcu gebeten" in first
    petar = replace(PETAR, sex=Sex.MALE)
    bg = flat(pdf_text(_render(petar))[0])
    assert "Herr Petrov spricht Bulgarisch und Türkisch." in bg
    assert "Wir haben Herrn Petrov gebeten" in bg
    # The sex not recorded: the whole name, as before (no guess at Frau or Herr).
    unknown = flat(pdf_text(_render(PETAR))[0])
    assert "Petar Petrov spricht" in unknown and "Herr" not in unknown.split("Petar Petrov")[1]


def test_a_year_of_birth_alone_is_written_as_the_program_writes_it(tmp_path: Path) -> None:
    """The person's sheet wrote a bare "1992" in Bulgarian where the program shows "1992 г.";
    the German letter keeps German ("geb. 1992"). An organisation's own texts put the date of
    birth on the sheet."""
    shipped = resource("letters")
    for name in ("reasons.yaml", "common.yaml"):
        text = (shipped / name).read_text(encoding="utf-8")
        if name == "common.yaml":  # the sheet's intro, with the date of birth first
            for words in ("Днес Ви насочихме", "Astăzi v-am trimis"):
                text = text.replace(words, "({date_of_birth}) " + words, 1)
        (tmp_path / name).write_text(text, encoding="utf-8")
    texts = load_letter_texts(tmp_path)
    for person, lang, year in ((PETAR, "bg", "1992\u202fг."), (STEFAN, "ro", "1992")):
        born = replace(person, date_of_birth=PartialDate(1992))
        pdf = render_referral_letter(
            referral_for(CLEARING, born),
            born,
            CLEARING,
            ORGANISATION,
            lang,
            today=TODAY,
            texts=texts,
        )
        letter, sheet = (" ".join(page.split()) for page in pdf_text(pdf))
        assert ", geb. 1992 " in letter
        assert f"({flat(year)}) " in sheet, sheet[:300]


@pytest.mark.parametrize(
    ("service_id", "where"),
    [
        # the Bulgarian name is the German one explained: printed once
        (
            "clearingstelle",
            ["Clearingstelle Gesundheit (консултации по здравно осигуряване)"],
        ),
        # a Bulgarian name of its own: the German one (as on the door) above it
        (
            "awo_migration",
            ["AWO Dortmund – Migrationsberatung", "AWO Dortmund – консултации за мигранти"],
        ),
    ],
)
def test_the_copy_names_the_service_once_where_its_name_explains_the_german_one(
    service_id: str, where: list[str]
) -> None:
    """The Bulgarian copy said "Clearingstelle Gesundheit" and, on the next line,
    "Clearingstelle Gesundheit (консултации по здравно осигуряване)"."""
    service = DIRECTORY.get(service_id)
    lines = pdf_text_lines(_render(service=service))[-1]
    heading = lines.index("Къде?")
    assert lines[heading + 1 : heading + 1 + len(where)] == where
    assert lines[heading + 1 + len(where)] == "Адрес"


def test_the_letter_gives_the_name_as_on_the_id_document_where_it_is_spelled_otherwise(
    tmp_path: Path,
) -> None:
    """The job centre finds the person by the spelling of the ID card: "GUEORGUIEVA Maria"
    beside "Мария Георгиева (Maria Georgieva)" in the letter's facts; not where the card
    spells the name as the letter writes it (in capitals, the family name first), and never
    on the person's own copy."""
    maria = replace(
        PETAR, given_name="Мария", family_name="Георгиева", id_document_name="GUEORGUIEVA Maria"
    )
    pdf = _render(maria)
    letter, copy = (flat(page) for page in pdf_text(pdf))
    assert "Мария Георгиева (Maria Georgieva)" in letter
    assert "Name laut Ausweis GUEORGUIEVA Maria" in letter, letter
    assert "GUEORGUIEVA" not in copy
    (tmp_path / "letter.pdf").write_bytes(pdf)
    for spelled_alike in ("GEORGIEVA Maria", "Maria, Georgieva"):
        alike = flat(pdf_text(_render(replace(maria, id_document_name=spelled_alike)))[0])
        assert "Name laut Ausweis" not in alike, spelled_alike
    assert "Name laut Ausweis" not in flat(pdf_text(_render(PETAR))[0])


@pytest.mark.parametrize(
    ("lang", "person", "ask_us"),
    [
        ("de", PETAR, "Die Adresse steht uns noch nicht fest – bitte fragen Sie uns."),
        ("ro", STEFAN, "Încă nu avem adresa exactă – vă rugăm să ne întrebați."),
    ],
)
def test_an_address_without_a_street_asks_the_person_to_ask_us(
    lang: str, person: Person, ask_us: str
) -> None:
    """The recognition advice's office changes with its funding: its entry has the town only,
    and the copy gave "Dortmund" as where to go."""
    service = DIRECTORY.get("recognition_advice")
    assert service.address.city and not service.address.street
    pdf = _render(person, lang, service, appointment=None, contact_person="")
    copy = flat(pdf_text(pdf)[-1])
    assert f"Dortmund {ask_us}" in copy
    with_street = replace(service, address=replace(service.address, street="Hansastraße 1"))
    copy = flat(pdf_text(_render(person, lang, with_street, appointment=None))[-1])
    assert "Hansastraße 1 Dortmund" in copy and ask_us not in copy


@pytest.mark.parametrize(
    ("lang", "person", "words"),
    [
        ("de", PETAR, ("Dort werden Sie nur mit Termin empfangen:", "Rufen Sie an", "im Internet",
                       "Rufen Sie vorher an", "fragen Sie uns.")),
        ("bg", PETAR, ("Там приемат само със записан час:", "обадете се по телефона", "онлайн",
                       "обадете се предварително", "попитайте ни.")),
        ("ro", STEFAN, ("Acolo sunt primite doar persoanele cu programare:", "sunați", "online",
                        "sunați înainte", "întrebați-ne.")),
        ("en", PETAR, ("They only see people with an appointment:", "call", "online",
                       "call first", "ask us.")),
    ],
)  # fmt: skip
def test_the_copy_says_to_make_an_appointment_where_the_service_sees_people_only_with_one(
    lang: str, person: Person, words: tuple[str, str, str, str, str]
) -> None:
    """The Bürgerdienste's hours are "nach Vereinbarung (Termin online oder telefonisch)",
    and the copy told the person to go there during the opening hours: it says they see
    people with an appointment only, and how to make one, by the phone and website it gives."""
    only, call, online, call_first, ask_us = words
    office = DIRECTORY.get("citizens_office")

    where = {"de": "Wohin?", "bg": "Къде?", "ro": "Unde?", "en": "Where?"}[lang]

    def copy(service: Service) -> str:
        """The copy down to "Where?": the appointment box (the hours below say "online")."""
        text = pdf_text(_render(person, lang, service, appointment=None, contact_person=""))
        return flat(text[-1]).split(where)[0]

    both = copy(office)
    assert only in both and call in both and online in both
    walk_in = {"de": "Öffnungszeiten hin", "bg": "в работното време", "ro": "în timpul programului",
               "en": "during opening hours"}[lang]  # fmt: skip
    assert walk_in not in both
    phone_only = copy(replace(office, contact=replace(office.contact, web="")))
    assert only in phone_only and call_first in phone_only and online not in phone_only
    web_only = copy(replace(office, contact=replace(office.contact, phone="")))
    assert only in web_only and online in web_only and ask_us in web_only
    neither = copy(replace(office, contact=Contact()))
    assert only in neither and ask_us in neither and online not in neither
    # Hours open to all, and hours as well as by arrangement: go during the opening hours.
    for service in (CLEARING, DIRECTORY.get("jobcenter")):
        open_copy = copy(service)
        assert walk_in in open_copy and only not in open_copy
    # With an appointment there is nothing to make.
    booked = flat(pdf_text(_render(person, lang, office))[-1]).split(where)[0]
    assert only not in booked


def test_the_address_field_of_a_service_without_a_street_names_it_and_its_town() -> None:
    """The recognition advice has no street (its office changes with its funding): the window
    holds its name and "Dortmund", one line under the other, with no empty line where the
    street would be and no postcode standing alone."""
    service = DIRECTORY.get("recognition_advice")
    pdf = _render(service=service, reason="recognition", appointment=None, contact_person="")
    with plumber(pdf) as doc:
        page = doc.pages[0]
        window = page.crop(((20 + 5) * MM, (45 + 17.7) * MM, 105 * MM, 90 * MM))
        lines = [flat(line) for line in window.extract_text().splitlines()]
        assert lines == ["Anerkennungsberatung im IQ", "Netzwerk NRW", "Dortmund"]
        tops = sorted({round(w["top"], 1) for w in window.extract_words()})
        gaps = {round(b - a, 1) for a, b in itertools.pairwise(tops)}
        assert len(tops) == 3 and len(gaps) == 1  # evenly spaced: no empty line between


@pytest.mark.parametrize(
    ("service_id", "lang", "explained"),
    [
        # the German name explained inside its own brackets ("(Bürgeramt, общинската …)")
        ("citizens_office", "bg", True),
        ("citizens_office", "ro", True),
        # the German name explained after it ("Jobcenter Dortmund (Джобцентър, …)")
        ("jobcenter", "bg", True),
        # a name of its own in the language: the German one on the door, then it
        ("awo_migration", "bg", False),
    ],
)
def test_the_copy_names_the_service_as_on_its_door_once_with_the_name_in_the_language(
    service_id: str, lang: str, explained: bool
) -> None:
    """The Bulgarian and Romanian copies to the Bürgerdienste printed "Bürgerdienste Dortmund
    (Bürgeramt)" under "Where?" and, on the next line, the same name explained."""
    service = DIRECTORY.get(service_id)
    german, local = service.german_name, service.name.get(lang)
    assert german != local
    copy = flat(pdf_text(_render(STEFAN if lang == "ro" else PETAR, lang, service))[-1])
    box = copy.split(_texts_of(lang, "heading_where"), 1)[1]
    names = box.split(" Адрес" if lang == "bg" else " Adresa")[0].strip()
    assert names == (local if explained else f"{german} {local}")


def _texts_of(lang: str, key: str) -> str:
    return load_letter_texts().text("client", key, lang)


# The integration course as the person hears it at the adult education centre, in their
# language with the German word beside it, and the application to the BAMF the German letter
# asks the centre to help with.
INTEGRATION_COURSE = {
    "ro": ("curs de integrare (Integrationskurs)", "cerere la BAMF"),
    "bg": ("интеграционен курс (Integrationskurs)", "заявление до BAMF"),
    "de": ("Integrationskurs", "Antrag beim BAMF"),
    "en": ("integration course (Integrationskurs)", "apply to the BAMF"),
}


@pytest.mark.parametrize("lang", list(INTEGRATION_COURSE))
def test_the_persons_copy_for_an_integration_course_names_it_and_the_application(
    lang: str,
) -> None:
    """The German letter asked the VHS for help "beim Antrag auf Zulassung beim BAMF"; the
    person's copy spoke only of "a German course that suits you", the word "Integrationskurs"
    they would hear there, and the application, nowhere."""
    vhs = DIRECTORY.get("vhs")
    assert vhs is not None
    referral = referral_for(vhs, PETAR, reason="integration_course")
    pdf = render_referral_letter(referral, PETAR, vhs, ORGANISATION, lang, today=TODAY)
    sheet = pdf_text(pdf)[-1]
    for words in INTEGRATION_COURSE[lang]:
        assert words in sheet, (words, sheet)
