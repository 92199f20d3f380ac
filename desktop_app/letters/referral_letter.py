"""The referral letter as PDF: a German DIN 5008 (form B) letter to the service, then the person's
copy in their own language. ReportLab with embedded, subset DejaVu fonts; no Qt, no storage."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from babel.lists import format_list
from babel.units import format_unit
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from desktop_app.domain.dates import PartialDate
from desktop_app.domain.life_facts import Child, LifeFacts
from desktop_app.domain.opening_hours import by_appointment_only
from desktop_app.domain.person import Person, Sex, same_name
from desktop_app.domain.referral import Organisation, Referral
from desktop_app.domain.service import Service
from desktop_app.domain.skills_facts import SkillsFacts
from desktop_app.i18n.formatting import DATE_LOCALES, format_partial_date, language_name
from desktop_app.i18n.messages import CEFR_ASSESSMENT_TEXT, CEFR_LEVEL_TEXT
from desktop_app.i18n.text import LANGUAGES, gettext_in
from desktop_app.letters._script import has_cyrillic, to_latin
from desktop_app.letters.directory import ServiceDirectory, default_directory
from desktop_app.letters.texts import (
    LetterTexts,
    ReferralReason,
    copy_prints_note,
    default_letter_texts,
)
from desktop_app.paths import resource

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
PAGE_W, PAGE_H = A4

# DIN 5008 form B, measured from the top-left corner of the sheet (mm).
ADDRESS_LEFT, ADDRESS_TOP, ADDRESS_W, ADDRESS_H = 20.0, 45.0, 85.0, 45.0
REMARK_ZONE_H = 17.7  # return address and remarks, top of the address field
ADDRESS_INSET = 5.0  # text starts at 25 mm, flush with the letter body
INFO_LEFT, INFO_TOP, INFO_W = 125.0, 50.0, 75.0
FOLD_MARKS = (105.0, 210.0)
HOLE_MARK = 148.5
BODY_LEFT, BODY_RIGHT = 25.0, 20.0
BODY_TOP_FIRST = 98.5  # subject line: two blank lines below the address field
CLIENT_TOP, CLIENT_BOTTOM = 14.0, 22.0  # the person's copy: frame top and bottom (mm)
BODY_TOP_NEXT, BODY_BOTTOM = 20.0, 27.0

_LOCALES = DATE_LOCALES  # day-month-year order in English too, as our readers expect
TEAL = colors.HexColor("#1F5F6B")
GREY = colors.HexColor("#555555")
LIGHT = colors.HexColor("#EEF3F4")
HIGHLIGHT = colors.HexColor("#FFF3C4")
HIGHLIGHT_EDGE = colors.HexColor("#E0B000")


class LetterError(ValueError):
    """A referral that cannot become a letter; ``key`` names the message for the user.

    The texts of the keys are in ``resources/letters/common.yaml`` under ``errors``
    (``LetterTexts.error_message(key, lang)``).
    """

    def __init__(self, key: str, detail: str = "") -> None:
        super().__init__(f"{key}: {detail}" if detail else key)
        self.key = key
        self.detail = detail


@cache
def register_fonts() -> None:
    """Register DejaVu Sans (regular, bold) once per process; ReportLab embeds them as subsets."""
    # Binary streams instead of ASCII85: PDFs a fifth smaller and faster to write (the
    # pure-Python encoder is a large part of a letter's cost without ReportLab's C extension).
    rl_config.useA85 = 0
    pdfmetrics.registerFont(TTFont(FONT, str(resource("fonts", "DejaVuSans.ttf"))))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(resource("fonts", "DejaVuSans-Bold.ttf"))))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
    )


@cache
def _styles() -> dict[str, ParagraphStyle]:
    # splitLongWords breaks a word wider than the line (no hyphenation: hyphenationLang is empty).
    base = ParagraphStyle(
        "base",
        fontName=FONT,
        bulletFontName=FONT,
        fontSize=10,
        leading=13.5,
        splitLongWords=True,
        hyphenationLang="",
    )

    def style(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kw)

    return {
        "body": style("body", fontSize=9.5, leading=12.5, spaceAfter=5.5),
        "subject": style("subject", fontName=FONT_BOLD, fontSize=10.5, leading=14),
        "small": style("small", fontSize=7, leading=8.5, textColor=GREY),
        "address": style("address", fontSize=10, leading=12.5),
        "info_label": style("info_label", fontSize=7.5, leading=9.5, textColor=GREY),
        "info_value": style("info_value", fontSize=8.5, leading=10.5),
        "fact_label": style("fact_label", fontSize=8.5, leading=11, textColor=GREY),
        "fact_value": style("fact_value", fontSize=9, leading=11),
        "bullet": style("bullet", fontSize=9.5, leading=12, leftIndent=12, bulletIndent=2),
        "head_name": style(
            "head_name", fontName=FONT_BOLD, fontSize=13, leading=16, textColor=TEAL
        ),
        "head_sub": style("head_sub", fontSize=8, leading=10, textColor=GREY),
        "head_contact": style(
            "head_contact", fontSize=7.5, leading=9.5, textColor=GREY, alignment=TA_RIGHT
        ),
        # the person's copy: larger type, short lines, clear headings
        "c_title": style(
            "c_title", fontName=FONT_BOLD, fontSize=18, leading=22, textColor=colors.white
        ),
        "c_meta": style("c_meta", fontSize=9, leading=12, textColor=colors.white),
        "c_greet": style("c_greet", fontName=FONT_BOLD, fontSize=13, leading=17, spaceAfter=3),
        "c_body": style("c_body", fontSize=11, leading=14.5, spaceAfter=4),
        "c_head": style(
            "c_head",
            fontName=FONT_BOLD,
            fontSize=13,
            leading=16,
            textColor=TEAL,
            spaceBefore=6,
            spaceAfter=3,
        ),
        "c_big": style("c_big", fontName=FONT_BOLD, fontSize=15, leading=19),
        "c_label": style("c_label", fontSize=9.5, leading=14, textColor=GREY),
        "c_value": style("c_value", fontSize=11, leading=14),
        "c_value_b": style("c_value_b", fontName=FONT_BOLD, fontSize=11, leading=14),
        "c_box": style("c_box", fontSize=14, leading=14),
    }


#: The catalogue's document the Steuer-ID is (``_Context.tax_id_to_come``).
TAX_ID = "tax_id"


@dataclass(frozen=True)
class _Context:
    referral: Referral
    person: Person
    service: Service
    organisation: Organisation
    reason: ReferralReason
    lang: str
    today: dt.date
    texts: LetterTexts
    directory: ServiceDirectory
    logo: ImageReader | None
    facts: LifeFacts | None = None
    skills: SkillsFacts | None = None

    def documents(self, lang: str, *, copy: bool = False) -> list[str]:
        """The documents to bring, as the letter (German) and the person's sheet (``copy``)
        list them: those the referral holds, as the advisor chose them (the choice began
        without those the person cannot have by their life situation, ``documents_to_bring``;
        one the advisor put back is asked for). The Steuer-ID names the children it is asked
        for by name (``children_tax_id_named``): "– auch für das Kind (8 Jahre)" beside the
        person's own, or "– für Мария (7)" in its place where the person's own is still to
        come. The letter names more than one by their ages only where they are not all the
        children it lists above ("– für die Kinder" where they are): three ages made the line
        wrap twice and put the letter's closing on a second page. The copy names them by
        their names, and all of them as "the children" ("– за децата") where one has none:
        "детето (8 години), детето (роден(а) 2022 г.) и …" took the copy onto a second
        sheet."""
        items = [d for d in self.referral.documents if d.strip()]
        with_id = self.children_tax_id_named
        every = len(with_id) > 1 and self.facts is not None and with_id == self.facts.children
        if copy:
            every = every and not all(c.name for c in with_id)
        if with_id and TAX_ID not in items:
            after = self.service.documents[self.service.documents.index(TAX_ID) + 1 :]
            place = next((i for i, d in enumerate(items) if d in after), len(items))
            items.insert(place, TAX_ID)
        labels = []
        for document in items:
            label = self.directory.document_label(document, lang)
            if document == TAX_ID and with_id:
                key = "documents_children_ehic" if self.tax_id_asked else "documents_of_children"
                named = (
                    self.texts.text("household", "letter_children", lang)
                    if every
                    else _children_named(with_id, self, lang, copy=copy)
                )
                label = (
                    f"{label} – {self.texts.text('household', key, lang).format(children=named)}"
                )
            labels.append(label)
        return labels

    @property
    def without_home(self) -> bool:
        """The person's latest life situation says they have no home of their own."""
        return self.facts is not None and self.facts.without_home

    @property
    def tax_id_to_come(self) -> bool:
        """The letter and the copy say the person's Steuer-ID is still to come
        (:func:`steuer_ids_to_follow`)."""
        return steuer_ids_to_follow(self.service, self.referral.documents, self.facts)[0]

    @property
    def tax_id_asked(self) -> bool:
        """The referral asks for the person's own Steuer-ID (the advisor kept it or put it
        back)."""
        return TAX_ID in self.referral.documents

    def children_tax_id(self, answer: str) -> tuple[Child, ...]:
        """The children the letter lists whose Steuer-ID the check answers ``answer`` ("no":
        said to follow): to a service that lists every child (the Familienkasse,
        ``CHILDREN_WHERE_TOPICS``) and asks for the Steuer-ID, where the referral asks for the
        person's own or the check left it out as still to come. None where the advisor took
        the Steuer-ID off the referral: the letter asks for no Steuer-ID then. Those asked
        for: ``children_tax_id_named``."""
        return _children_tax_id(self.service, self.referral.documents, self.facts, answer)

    @property
    def children_tax_id_named(self) -> tuple[Child, ...]:
        """The children the Steuer-ID among the documents names
        (:func:`_children_tax_id_named`)."""
        return _children_tax_id_named(self.service, self.referral.documents, self.facts)

    def values(self, lang: str) -> dict[str, str]:
        """Every placeholder of ``texts.PLACEHOLDERS``, formatted for ``lang``."""
        p, r = self.person, self.referral
        contact_name, contact_phone, contact_email = _contact(r)
        given, family = _name(p.given_name, p), _name(p.family_name, p)
        full = _clean(f"{given} {family}")
        latin = to_latin(full) if has_cyrillic(full) else full
        again, again_object = _named_again(p, _clean(family), latin, lang)
        appointment = r.appointment
        return {
            "given_name": _clean(given) or full,
            "family_name": _clean(family),
            "full_name": full,
            "latin_name": latin,
            "name_with_latin": f"{full} ({latin})" if latin != full else full,
            "id_document_name": _id_document_name(p, latin),
            "name_again": again,
            "name_again_object": again_object,
            "date_of_birth": unbroken(_birth(p.date_of_birth, lang)),
            "nationality": _territory(p.nationality, lang),
            "languages": format_list(
                [_language(code, lang) for code in p.languages], locale=_loc(lang)
            )
            if p.languages
            else "",
            "service_name": _clean(self.service.name.get(lang)),
            "contact_person": _contact_named(r.contact_person),
            "appointment_date": unbroken(format_date(appointment.date(), "full", locale=_loc(lang)))
            if appointment
            else "",
            "appointment_time": format_time(appointment.time(), "HH:mm", locale=_loc(lang))
            if appointment
            else "",
            "reference": r.reference,
            # The contact for questions: who answers for the letter (_contact).
            "advisor_name": _advisor_name(contact_name, lang),
            # Who signs the letter: the advisor who signed off one a helper prepared.
            "signer_name": _advisor_name(r.signed_off_by or r.advisor_name, lang),
            "advisor_contact": _clean(
                contact_phone or contact_email or self.organisation.phone or self.organisation.email
            ),
            "organisation_name": _clean(self.organisation.name),
            "client_language": _language(self.lang, lang),
            "reason_note": _clean(r.reason_note),
            "today": unbroken(format_date(self.today, "long", locale=_loc(lang))),
            "page": "{page}",
            "pages": "{pages}",
        }


def steuer_ids_to_follow(
    service: Service, documents: Sequence[str], facts: LifeFacts | None
) -> tuple[bool, tuple[Child, ...]]:
    """Whose Steuer-ID the letter to ``service`` (and the person's copy) says is still to come,
    for a referral asking for ``documents``: the person's own where the service asks for it,
    the latest life situation says they have none yet and the referral does not ask for it
    (it was left out as the referral was issued; one the advisor put back is asked for, as any
    document; "unknown" asks for it too); and the children listed to the Familienkasse whose
    check says they have none yet (``_children_tax_id``). The refer dialog tells the advisor
    before the letter is made."""
    own = (
        facts is not None
        and facts.without_tax_id
        and TAX_ID in service.documents
        and TAX_ID not in documents
    )
    return own, _children_tax_id(service, documents, facts, "no")


def _children_tax_id(
    service: Service, documents: Sequence[str], facts: LifeFacts | None, answer: str
) -> tuple[Child, ...]:
    """The children the letter to ``service`` speaks of (:func:`_children_of_letter`) whose
    Steuer-ID the check answers ``answer`` ("no": said to follow). Which are asked for:
    :func:`_children_tax_id_named`."""
    return tuple(c for c in _children_of_letter(service, documents, facts) if c.tax_id == answer)


def children_steuer_ids_not_known(
    service: Service, documents: Sequence[str], facts: LifeFacts | None
) -> tuple[Child, ...]:
    """The children in Germany whose Steuer-ID the letter to ``service`` asks for although the
    latest life situation does not say whether they have one ("unknown", or unanswered:
    ``Child.tax_id_not_known``): to the Familienkasse, where the referral asks for the
    person's own Steuer-ID (the document covers theirs) or the person's own is still to come
    (the Steuer-ID is listed for the children, :func:`_children_tax_id_named`). The refer
    dialog tells the advisor, who may ask the person now, beside whose Steuer-ID the letter
    says is to come (:func:`steuer_ids_to_follow`)."""
    return tuple(c for c in _children_of_letter(service, documents, facts) if c.tax_id_not_known)


def asks_children_steuer_ids_not_known_alone(
    service: Service, documents: Sequence[str], facts: LifeFacts | None
) -> bool:
    """Whether the letter to ``service`` lists the Steuer-ID for children the check does not
    know of ("unknown", unanswered) in the place of the person's own, which is still to come.
    Letters made before it did so asked for theirs nowhere: the fingerprint of such a letter
    is marked, so that those queued before are made again, and only those
    (``_LetterInputs.digest`` in the referral use cases)."""
    own, _children = steuer_ids_to_follow(service, documents, facts)
    return own and bool(children_steuer_ids_not_known(service, documents, facts))


def _children_tax_id_named(
    service: Service, documents: Sequence[str], facts: LifeFacts | None
) -> tuple[Child, ...]:
    """The children the Steuer-ID among the documents of the letter to ``service`` (the
    Familienkasse) names. Where the referral asks for the person's own: those the check says
    have one ("– auch für das Kind (8 Jahre)"); one not known is asked for with the person's,
    unnamed. Where the person's own is still to come (the check says "no": not on the
    referral), the Steuer-ID is listed for the children alone ("– für das Kind (8 Jahre)"):
    every child whose Steuer-ID the form asks (in Germany) and the check does not say is
    missing ("yes", "unknown", unanswered). The child's Steuer-ID is asked as the form asks it,
    whatever the person's own answer: before, a child's "unknown" beside the person's "no" was
    asked for nowhere."""
    children = _children_of_letter(service, documents, facts)
    if TAX_ID in documents:
        return tuple(c for c in children if c.tax_id == "yes")
    return tuple(c for c in children if c.tax_id == "yes" or c.tax_id_not_known)


def _children_of_letter(
    service: Service, documents: Sequence[str], facts: LifeFacts | None
) -> tuple[Child, ...]:
    """The children whose Steuer-ID the letter to ``service`` speaks of (asks for, or says is
    to follow): all the check records, to a service that lists every child (the
    Familienkasse, ``CHILDREN_WHERE_TOPICS``: Kindergeld is the matter, as the form's
    ``'kindergeld' in topics``) and asks for the Steuer-ID, where the referral asks for the
    person's own or the check left it out as still to come; none where the advisor took the
    Steuer-ID off the referral."""
    topic = service.topics[0] if service.topics else ""
    if facts is None or topic not in CHILDREN_WHERE_TOPICS or TAX_ID not in service.documents:
        return ()
    if TAX_ID not in documents and not facts.without_tax_id:
        return ()
    return facts.children


def _contact(referral: Referral) -> tuple[str, str, str]:
    """Who the letter names as its contact, with the phone and e-mail it gives for them (empty:
    the organisation's). The advisor who signed off a letter a helper prepared answers for
    it: the signed letter names that advisor, with the organisation's phone and e-mail (those
    the referral holds are the helper's), and not the helper. An unsigned draft and an
    advisor's own letter name who prepared it, with what they gave."""
    if referral.signed_off_by_another:
        return referral.signed_off_by, "", ""
    return referral.advisor_name, referral.advisor_phone, referral.advisor_email


# The languages of the letters written in Cyrillic: their readers read the advisor's name as she
# wrote it; every other reader (a German office, a Romanian person) reads it in Latin letters.
_CYRILLIC_LANGUAGES = frozenset({"bg", "mk", "ru", "sr", "uk"})


def _advisor_name(name: str, lang: str) -> str:
    """The advisor's name as a reader of ``lang`` can read it and say on the phone: an advisor
    whose account has her name in Cyrillic ("Румяна Петкова") signs the German letter and the
    Romanian copy as "Rumyana Petkova" (the office that calls back asks for her by it)."""
    name = _clean(name)
    if lang in _CYRILLIC_LANGUAGES or not has_cyrillic(name):
        return name
    return to_latin(name)


def _id_document_name(person: Person, latin: str) -> str:
    """The name as on the person's ID document where the letter writes the name otherwise (an
    office finds the person by it); empty where it is the same name or none is recorded."""
    if not person.id_name_differs or same_name(person.id_document_name, latin):
        return ""
    return _clean(person.id_document_name)


def _named_again(person: Person, family: str, latin: str, lang: str) -> tuple[str, str]:
    """The person named after the first mention in a German letter, as a subject and as an
    object ("Frau Ionescu" / "Herr Petrov", "Herrn Petrov"), so a long double name is not
    written out in every sentence; where the sex is not recorded as female or male, or the
    family name is empty, and in other languages, the whole name as in the first mention."""
    if lang != "de" or not family or person.sex not in (Sex.FEMALE, Sex.MALE):
        return latin, latin
    family = to_latin(family) if has_cyrillic(family) else family
    if person.sex == Sex.FEMALE:
        return f"Frau\u00a0{family}", f"Frau\u00a0{family}"
    return f"Herr\u00a0{family}", f"Herrn\u00a0{family}"


def render_referral_letter(
    referral: Referral,
    person: Person,
    service: Service,
    organisation: Organisation,
    client_lang: str,
    *,
    today: dt.date,
    directory: ServiceDirectory | None = None,
    texts: LetterTexts | None = None,
    to_service: bool = True,
    facts: LifeFacts | None = None,
    skills: SkillsFacts | None = None,
) -> bytes:
    """The referral letter as PDF bytes: German letter (DIN 5008 form B), then the person's copy.

    Raises ``LetterError`` (with a message ``key``) when the referral cannot make a sensible
    letter, e.g. no reason chosen. Long names and many documents flow onto more pages. Without
    ``to_service`` (the person has not agreed to their data being passed on) only the person's
    sheet is made, and it says that the service got nothing from us.

    ``facts``, from the person's latest life situation: the letter gives the services that need
    them the children or the address registration (``_household_rows``), and documents the
    person cannot have are left out of the lists. ``skills``, from the latest skills check:
    the qualifications and work experience to the recognition advice, the German level to
    the language courses (``_skills_rows``).
    """
    texts = texts or default_letter_texts()
    ctx = _context(
        referral,
        person,
        service,
        organisation,
        client_lang,
        today,
        texts,
        directory or default_directory(),
        facts,
        skills,
    )
    register_fonts()
    buffer = io.BytesIO()
    doc = _LetterDoc(buffer, ctx, sheet_only=not to_service)
    story: list[Flowable] = []
    if to_service:
        letter = _letter_story(ctx)
        width = PAGE_W - (BODY_LEFT + BODY_RIGHT) * mm
        first_h = _y(BODY_TOP_FIRST) - BODY_BOTTOM * mm
        if _height(letter, width) > first_h:
            # On one page where tighter spacing makes it fit (a long name or an extra line
            # would otherwise put the closing alone on a second page).
            tight = _letter_story(ctx, compact=True)
            if _height(tight, width) <= first_h:
                letter = tight
        story += [*letter, NextPageTemplate("client"), PageBreak()]
    copy = _client_story(ctx, sheet_only=not to_service)
    room = _y(CLIENT_TOP) - CLIENT_BOTTOM * mm
    if _height(copy, PAGE_W - 40 * mm) > room:
        # The copy on one sheet where it can be: its last block (who referred the person, how
        # to reach them) must not go onto a page of its own, where it gets lost.
        copy = _client_story(ctx, compact=True, sheet_only=not to_service)
        if _height(copy, PAGE_W - 40 * mm) > room:
            # Still a line or two too long (a Steuer-ID still to come under a long checklist):
            # less space between blocks, and what to bring goes over the page as a whole
            # rather than leave its last lines alone on a sheet.
            copy = _client_story(ctx, compact=True, tight=True, sheet_only=not to_service)
    story += copy
    doc.build(story, canvasmaker=_NumberedCanvas)
    return buffer.getvalue()


def _context(
    referral: Referral,
    person: Person,
    service: Service,
    organisation: Organisation,
    lang: str,
    today: dt.date,
    texts: LetterTexts,
    directory: ServiceDirectory,
    facts: LifeFacts | None = None,
    skills: SkillsFacts | None = None,
) -> _Context:
    if lang not in LANGUAGES:
        raise LetterError("letter.language_unsupported", lang)
    reason_id = referral.reason.strip()
    if not reason_id:
        raise LetterError("letter.reason_missing")
    reason = texts.reasons.get(reason_id)
    if reason is None:
        raise LetterError("letter.reason_unknown", reason_id)
    if reason.needs_note and not _clean(referral.reason_note):
        raise LetterError("letter.reason_note_missing")
    if not _clean(f"{person.given_name}{person.family_name}"):
        raise LetterError("letter.person_name_missing")
    if not _clean(referral.advisor_name):
        raise LetterError("letter.advisor_missing")
    if referral.service_id != service.id:
        raise LetterError("letter.service_mismatch", f"{referral.service_id} != {service.id}")
    if not _clean(organisation.name):
        raise LetterError("letter.organisation_missing")
    logo = None
    if organisation.logo or organisation.logo_path:
        try:
            # the logo kept in the store (``usecases.settings``), else the shipped one's file
            source = io.BytesIO(organisation.logo) if organisation.logo else organisation.logo_path
            logo = ImageReader(source)
            logo.getSize()
        except Exception as exc:  # PIL raises many kinds; all mean "not a usable image"
            raise LetterError("letter.logo_unreadable", str(organisation.logo_path)) from exc
    return _Context(
        referral,
        person,
        service,
        organisation,
        reason,
        lang,
        today,
        texts,
        directory,
        logo,
        facts,
        skills,
    )


# ---------------------------------------------------------------- page furniture


# On every page of a referral a helper prepared, until an advisor signs it off.
DRAFT_MARK = "ENTWURF · DRAFT · ЧЕРНОВА · CIORNĂ"


def _draw_draft_mark(canvas: Canvas, ctx: _Context) -> None:
    if ctx.referral.signed_off:
        return
    # as large as fits along the page's diagonal, with a margin
    diagonal = (PAGE_W**2 + PAGE_H**2) ** 0.5
    size = min(28.0, 0.55 * diagonal / pdfmetrics.stringWidth(DRAFT_MARK, FONT_BOLD, 1))
    width = pdfmetrics.stringWidth(DRAFT_MARK, FONT_BOLD, size)
    canvas.saveState()
    # across the body of the page, below the letterhead and the information block
    canvas.translate(PAGE_W / 2, PAGE_H * 0.4)
    canvas.rotate(math.degrees(math.atan2(PAGE_H, PAGE_W)))
    # a text object of its own, so no text state of the page (spacing, scaling) carries over
    text = canvas.beginText(-width / 2, 0)
    text.setTextRenderMode(0)
    text.setCharSpace(0)
    text.setWordSpace(0)
    text.setHorizScale(100)
    text.setRise(0)
    text.setFont(FONT_BOLD, size)
    # a solid light colour under the page's content (transparency misrenders with the
    # numbered canvas, which replays the pages at the end)
    text.setFillColor(colors.Color(0.96, 0.8, 0.8))
    text.textOut(DRAFT_MARK)
    canvas.drawText(text)
    canvas.restoreState()


def _y(top_mm: float) -> float:
    """ReportLab's y for a distance from the top edge."""
    return PAGE_H - top_mm * mm


class _LetterDoc(BaseDocTemplate):
    def __init__(self, buffer: io.BytesIO, ctx: _Context, *, sheet_only: bool = False) -> None:
        super().__init__(
            buffer,
            pagesize=A4,
            title=_clean(ctx.reason.subject("de", without_home=ctx.without_home)),
            author=_clean(ctx.organisation.name),
            subject=ctx.referral.reference,
            creator="Welcome Desk",
            invariant=True,
            initialFontName=FONT,  # else every page names Helvetica, a font we do not embed
        )
        self.ctx = ctx
        width = PAGE_W - (BODY_LEFT + BODY_RIGHT) * mm
        bottom = BODY_BOTTOM * mm

        def frame(
            name: str, top: float, left: float = BODY_LEFT, w: float = width, low: float = bottom
        ) -> Frame:
            return Frame(
                left * mm,
                low,
                w,
                _y(top) - low,
                id=name,
                leftPadding=0,
                rightPadding=0,
                topPadding=0,
                bottomPadding=0,
            )

        client_w = PAGE_W - 40 * mm
        client = PageTemplate(
            "client",
            [frame("client", CLIENT_TOP, 20, client_w, CLIENT_BOTTOM * mm)],
            onPage=self._client_page,
        )
        if sheet_only:  # the person's sheet alone: its pages from the first on
            self.addPageTemplates([client])
            return
        self.addPageTemplates(
            [
                PageTemplate(
                    "first",
                    [frame("first", BODY_TOP_FIRST)],
                    onPage=self._first_page,
                ),
                PageTemplate(
                    "next",
                    [frame("next", BODY_TOP_NEXT + 8)],
                    onPage=self._next_page,
                ),
                client,
            ]
        )

    def handle_pageBegin(self) -> None:
        # After the first page the German letter continues on "next" pages (until the copy).
        super().handle_pageBegin()
        if self.pageTemplate.id == "first":
            self._nextPageTemplateIndex = 1

    # Every page records the label of its page number; _NumberedCanvas fills in the totals.
    def _page_label(self, canvas: Canvas, section: str, lang: str) -> None:
        canvas.wd_page_label = self.ctx.texts.text(section, "page", lang)

    def _first_page(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        self._page_label(canvas, "letter", "de")
        _draw_draft_mark(canvas, self.ctx)
        _draw_marks(canvas)
        _draw_letterhead(canvas, self.ctx)
        _draw_address_field(canvas, self.ctx)
        _draw_info_block(canvas, self.ctx)
        _draw_footer(canvas, self.ctx)

    def _next_page(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        self._page_label(canvas, "letter", "de")
        _draw_draft_mark(canvas, self.ctx)
        _draw_marks(canvas)
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(GREY)
        canvas.drawString(
            BODY_LEFT * mm,
            _y(BODY_TOP_NEXT - 2),
            _fit(
                f"{self.ctx.organisation.name} · {self.ctx.referral.reference}", FONT, 7.5, 160 * mm
            ),
        )
        _draw_footer(canvas, self.ctx)

    def _client_page(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        self._page_label(canvas, "client", self.ctx.lang)
        _draw_draft_mark(canvas, self.ctx)
        canvas.setStrokeColor(TEAL)
        canvas.setLineWidth(0.6)
        canvas.line(20 * mm, 20 * mm, PAGE_W - 20 * mm, 20 * mm)
        canvas.setFont(FONT, 8)
        canvas.setFillColor(GREY)
        canvas.drawString(
            20 * mm,
            15.5 * mm,
            _fit(
                f"{self.ctx.organisation.name} · {self.ctx.referral.reference}", FONT, 8, 120 * mm
            ),
        )


def numbered_canvas(size: float, colour: Any, right: float, baseline: float) -> type[Canvas]:
    """A canvas that holds its pages back until the last, so that each can say "page 3 of
    7": each page's footer sets ``canvas.wd_page_label`` (with ``{page}`` and ``{pages}``, in
    the document's language), drawn right-aligned at ``right``, ``baseline`` (points) in
    ``size`` and ``colour``. Letters and reports use it."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                label = str(state.get("wd_page_label", "{page} / {pages}"))
                self.setFont(FONT, size)
                self.setFillColor(colour)
                self.drawRightString(right, baseline, label.format(page=number, pages=total))
                super().showPage()
            super().save()

    return NumberedCanvas


_NumberedCanvas = numbered_canvas(8, GREY, PAGE_W - BODY_RIGHT * mm, 15.5 * mm)


def _draw_marks(canvas: Canvas) -> None:
    canvas.setStrokeColor(GREY)
    canvas.setLineWidth(0.3)
    for top in FOLD_MARKS:
        canvas.line(3 * mm, _y(top), 7 * mm, _y(top))
    canvas.line(3 * mm, _y(HOLE_MARK), 9 * mm, _y(HOLE_MARK))


def _draw_letterhead(canvas: Canvas, ctx: _Context) -> None:
    org, styles = ctx.organisation, _styles()
    right = PAGE_W - BODY_RIGHT * mm
    contact_w = 62 * mm
    contact = [*org.address_lines, f"Tel. {org.phone}" if org.phone else "", org.email, org.web]
    contact_para = Paragraph(
        "<br/>".join(_e(line) for line in contact if line), styles["head_contact"]
    )
    if ctx.logo is not None:
        iw, ih = ctx.logo.getSize()
        # The contact lines under the logo end above the rule at 40 mm: a logo 18 mm high
        # over three lines ran them into it. Lower, down to 6 mm, to leave them the room.
        _, contact_h = contact_para.wrap(contact_w, PAGE_H)
        room = (39 - 10 - 3) * mm - contact_h
        scale = min(40 * mm / iw, max(6 * mm, min(18 * mm, room)) / ih)
        canvas.drawImage(
            ctx.logo, right - iw * scale, _y(10) - ih * scale, iw * scale, ih * scale, mask="auto"
        )
        contact_top = 10 + ih * scale / mm + 3
    else:
        contact_top = 12
    name_w = PAGE_W - (BODY_LEFT + BODY_RIGHT) * mm - contact_w - 8 * mm
    y = _y(12)
    for text, style in ((org.name, "head_name"), (org.subtitle, "head_sub")):
        if text:
            y = _draw_para(
                canvas, _p(text, styles[style]), BODY_LEFT * mm, y, name_w, max_h=y - _y(36)
            )
    _draw_para(
        canvas,
        contact_para,
        right - contact_w,
        _y(contact_top),
        contact_w,
        max_h=_y(contact_top) - _y(42),
    )
    canvas.setStrokeColor(TEAL)
    canvas.setLineWidth(1.2)
    canvas.line(BODY_LEFT * mm, _y(40), right, _y(40))


def _draw_address_field(canvas: Canvas, ctx: _Context) -> None:
    styles = _styles()
    left = (ADDRESS_LEFT + ADDRESS_INSET) * mm
    width = (ADDRESS_W - ADDRESS_INSET - 2) * mm
    # Return address: last line of the remark zone, small, so it shows through the window.
    sender = _clean(ctx.organisation.return_address)
    size = 6.5
    while size > 5.5 and pdfmetrics.stringWidth(sender, FONT, size) > width:
        size -= 0.25
    canvas.setFont(FONT, size)
    canvas.setFillColor(GREY)
    sender = _fit(sender, FONT, size, width)
    remark_bottom = ADDRESS_TOP + REMARK_ZONE_H
    canvas.drawString(left, _y(remark_bottom - 1.6), sender)
    canvas.setLineWidth(0.3)
    canvas.line(
        left,
        _y(remark_bottom - 0.9),
        left + min(width, pdfmetrics.stringWidth(sender, FONT, size)),
        _y(remark_bottom - 0.9),
    )
    service = ctx.service
    lines = [f"<b>{_e(service.german_name)}</b>"]
    if ctx.referral.contact_person.strip():
        lines.append(
            _e(
                ctx.texts.text("letter", "attention", "de").format(
                    contact_person=_contact_addressed(ctx.referral.contact_person)
                )
            )
        )
    lines += [_e(line) for line in service.address.lines()]
    zone_top = _y(remark_bottom + 1.5)
    zone_h = (ADDRESS_H - REMARK_ZONE_H - 2.5) * mm
    # Shrink long recipient names into the window; as a last resort shorten the name.
    for size in (10, 9, 8, 7):
        para = Paragraph(
            "<br/>".join(lines),
            ParagraphStyle(
                f"addr{size}", parent=styles["address"], fontSize=size, leading=size * 1.25
            ),
        )
        if para.wrap(width, zone_h)[1] <= zone_h:
            break
    else:
        name = _clean(service.german_name)
        while len(name) > 8 and para.wrap(width, zone_h)[1] > zone_h:
            name = name[: int(len(name) * 0.85)]
            lines[0] = f"<b>{_e(name.rstrip())}…</b>"
            para = Paragraph("<br/>".join(lines), para.style)
    _, h = para.wrap(width, zone_h)
    para.drawOn(canvas, left, zone_top - h)


def _draw_info_block(canvas: Canvas, ctx: _Context) -> None:
    styles, r, t = _styles(), ctx.referral, ctx.texts
    name, phone, email = _contact(r)
    rows = [
        ("info_reference", r.reference),
        ("info_name", _advisor_name(name, "de")),
        ("info_phone", phone or ctx.organisation.phone),
        ("info_email", email or ctx.organisation.email),
        ("info_date", unbroken(format_date(ctx.today, "long", locale="de"))),
    ]
    label_w, value_w = 24 * mm, (INFO_W - 24 - 10) * mm
    y = _y(INFO_TOP)
    for key, value in rows:
        if not value.strip():
            continue
        label_text, shown = t.text("letter", key, "de") + ":", _clean(value)
        value_style = styles["info_value"]
        contact = key in ("info_phone", "info_email")
        # Contact data is never cut short: a smaller size, and an e-mail address on two lines
        # (after its "@", never at a hyphen, which reads as a hyphenation) where it must.
        lines, size, under = [shown], value_style.fontSize, False
        if contact:
            lines, size, under = _contact_lines(
                shown, value_style.fontSize, value_w, (INFO_W - 10) * mm
            )
        if contact or pdfmetrics.stringWidth(shown, FONT, size) <= value_w:
            # The usual case, one line each: plain strings are much cheaper than paragraphs.
            canvas.setFillColor(GREY)
            canvas.setFont(FONT, styles["info_label"].fontSize)
            canvas.drawString(INFO_LEFT * mm, y - 7.5, _fit(label_text, FONT, 7.5, label_w - 2))
            canvas.setFillColor(colors.black)
            canvas.setFont(FONT, size)
            x = INFO_LEFT * mm + label_w
            if under:  # a long address on a line of its own, under its label
                x, y = INFO_LEFT * mm, y - styles["info_label"].leading
            for line in lines:
                canvas.drawString(x, y - 7.5, line)
                y -= size + 2
            y -= value_style.leading + 1.2 - (size + 2)
            continue
        label = _p(label_text, styles["info_label"])
        # Other values are capped at two lines so the block never reaches the subject line.
        val = _p(shown, value_style)
        while val.wrap(value_w, 100 * mm)[1] > 2 * value_style.leading and len(shown) > 4:
            shown = shown[: int(len(shown) * 0.9)]
            val = _p(shown.rstrip() + "…", value_style)
        label.wrap(label_w, 20 * mm)
        _, h = val.wrap(value_w, 20 * mm)
        label.drawOn(canvas, INFO_LEFT * mm, y - label.height)
        val.drawOn(canvas, INFO_LEFT * mm + label_w, y - h + 0.6)
        y -= max(h, label.height) + 1.2


def _draw_footer(canvas: Canvas, ctx: _Context) -> None:
    org = ctx.organisation
    canvas.setStrokeColor(TEAL)
    canvas.setLineWidth(0.6)
    canvas.line(BODY_LEFT * mm, 20 * mm, PAGE_W - BODY_RIGHT * mm, 20 * mm)
    canvas.setFont(FONT, 7)
    canvas.setFillColor(GREY)
    line = " · ".join(x for x in (*org.address_lines, org.phone, org.email, org.web) if x)
    canvas.drawString(BODY_LEFT * mm, 15.5 * mm, _fit(_clean(line), FONT, 7, 125 * mm))


# ---------------------------------------------------------------- the letter to the service


def _letter_story(ctx: _Context, *, compact: bool = False) -> list[Flowable]:
    """The German letter; ``compact``, for a letter just too long for one page: less space
    between paragraphs and blocks (the type stays as it is)."""
    s, t, r = dict(_styles()), ctx.texts, ctx.referral
    v = ctx.values("de")
    gap = 0.6 if compact else 1.0  # vertical space between blocks, as a share of the usual
    if compact:
        s["body"] = ParagraphStyle("body_tight", parent=s["body"], spaceAfter=3.5)

    def txt(key: str, **values: object) -> str:
        return t.text("letter", key, "de").format(**{**v, **values})

    story: list[Flowable] = []
    subject_person = txt("subject_person_born" if v["date_of_birth"] else "subject_person")
    # "geb. | 3. November 1979": the word before the date stays with it on its line.
    subject_person = _glued_to(subject_person, v["date_of_birth"])
    subject = ctx.reason.subject("de", without_home=ctx.without_home)
    story.append(_p(subject.format(**v), s["subject"]))
    story.append(_p(subject_person, s["subject"]))
    story.append(Spacer(1, 6 * mm * gap))
    story.append(_p(_salutation(v["contact_person"], txt), s["body"]))
    story.append(_p(txt("intro"), s["body"]))
    facts = [
        ("label_id_document_name", v["id_document_name"]),
        ("label_nationality", v["nationality"]),
        ("label_languages", v["languages"]),
        ("label_person_phone", _clean(ctx.person.phone)),
    ]
    rows = [
        [_cell(label, s["fact_label"], 36 * mm), _cell(val, s["fact_value"], 125 * mm)]
        for label, val in [(txt(k), val) for k, val in facts]
        + _household_rows(ctx)
        + _skills_rows(ctx)
        if val
    ]
    if rows:
        table = Table(rows, colWidths=[38 * mm, 127 * mm], hAlign="LEFT")
        table.setStyle(
            _table_style(
                [
                    *_text_style((0, 0), (0, -1), s["fact_label"]),
                    *_text_style((1, 0), (1, -1), s["fact_value"]),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 0.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story += [table, Spacer(1, 3 * mm * gap)]
    body = ctx.reason.body(
        "de", without_home=ctx.without_home, children_insurance=_children_insurance(ctx)
    )
    story.append(_p(body.format(**v), s["body"]))
    if v["reason_note"] and not ctx.reason.needs_note:
        story.append(_p(txt("note"), s["body"]))
    if ctx.person.languages and "de" not in ctx.person.languages:
        story.append(_p(txt("interpreter"), s["body"]))
    story.append(_p(txt("appointment") if r.appointment else txt("no_appointment"), s["body"]))
    documents = ctx.documents("de")
    if documents:
        story.append(
            _p(txt("documents_intro"), ParagraphStyle("di", parent=s["body"], spaceAfter=2))
        )
        story.append(_bullets(documents, PAGE_W - (BODY_LEFT + BODY_RIGHT) * mm))
        story.append(Spacer(1, 2.5 * mm * gap))
    if ctx.tax_id_to_come:
        story.append(_p(txt("tax_id_to_come"), s["body"]))
    story.append(_p(txt("consent"), s["body"]))
    # Asking whether the appointment took place only where there is one.
    last = _p(txt("contact_back" if r.appointment else "contact_back_open"), s["body"])
    # The closing never goes onto a page of its own: it goes with the last paragraph.
    closing = [
        last,
        _p(txt("closing"), s["body"]),
        Spacer(1, (8 if not compact else 7) * mm),
        _p(v["signer_name"], ParagraphStyle("sig", parent=s["body"], spaceAfter=0)),
        _p(v["organisation_name"], s["body"]),
        Spacer(1, 3 * mm * gap),
        _p(txt("enclosure"), s["fact_label"]),
    ]
    story.append(KeepTogether(closing))
    return story


# What a letter tells a service from the person's latest life situation, by the service's main
# topic (its first): only what that service needs for the referral (GDPR data minimisation).
#: The Familienkasse: every child the person has (Kindergeld is paid for children in the home
#: country too), with where they live.
CHILDREN_WHERE_TOPICS = frozenset({"kindergeld"})
#: The Jugendamt: the children in the household, with daycare or school.
CHILDREN_CARE_TOPICS = frozenset({"children_family"})
#: The Schulverwaltungsamt: the children in the household of an age to be enrolled in school,
#: with daycare or school (not a baby: its letter gave it the 1-year-old too).
SCHOOL_TOPICS = frozenset({"school"})
#: ``child_care`` answers of a child who has a school place (or is past school): the person's
#: copy of a school-place referral is not about them.
AT_SCHOOL = frozenset({"school", "training_work"})
#: The Clearingstelle Gesundheit and the Gesundheitsamt: the person's own insurance where it is
#: not one in Germany (none, the home country's EHIC, unclear), and the children recorded as not
#: insured or with an unclear insurance (those insured are none of their business here).
HEALTH_TOPICS = frozenset({"health_insurance", "health_care"})
#: The adult's ``insurance_status`` answers of a person insured herself: where only children
#: need their insurance cleared, the letter's body and the copy say it is theirs, not hers.
INSURED = frozenset({"statutory", "private"})
#: The documents of their checklist the person's copy says for which of those children to
#: bring (their own EHIC, their birth certificates), with the text that says it.
CHILDREN_DOCUMENTS = {
    "ehic": "documents_children_ehic",
    "birth_certificates": "documents_of_children",
}
#: The states whose EHIC a letter names by the person's nationality ("aus Bulgarien"): the EU,
#: Iceland, Liechtenstein and Norway, less those whose German name takes an article ("aus der
#: Slowakei", "aus den Niederlanden") and Germany (an EHIC from here is a German insurance),
#: which the letter calls the home country as before.
EHIC_NAMED_COUNTRIES = frozenset(
    "AT BE BG CY CZ DK EE ES FI FR GR HR HU IE IS IT LI LT LU LV MT NO PL PT RO SE SI".split()  # noqa: SIM905
)
#: The Jobcenter (Bürgergeld needs the registration) and the Bürgerdienste (they register the
#: address; a person without a home brings no landlord's confirmation): the address
#: registration and a missing home.
ADDRESS_TOPICS = frozenset({"jobcenter_benefits", "registration"})


def _letter_children(ctx: _Context) -> tuple[int, tuple[Child, ...]]:
    """How many children the letter to the service is about, and those it lists: every child
    to the Familienkasse, those in the household to the Jugendamt, those of them of school age
    to the Schulverwaltungsamt; none to the other services."""
    facts, topic = ctx.facts, ctx.service.topics[0] if ctx.service.topics else ""
    if facts is None:
        return 0, ()
    if topic in CHILDREN_WHERE_TOPICS:
        return facts.children_count, facts.children
    here = facts.children_here
    if topic in SCHOOL_TOPICS:
        here = tuple(c for c in here if c.of_school_office_age(ctx.today))
    elif topic not in CHILDREN_CARE_TOPICS:
        return 0, ()
    return len(here), here


def _copy_children(ctx: _Context) -> int:
    """How many children the person's copy speaks of, by what the referral is about (its
    reason's topics), whatever the service: those of school age in the household who have no
    school place for a school place, those in the household for the family or their health; 0
    where none are recorded (the copy then says "your child or children")."""
    facts, topics = ctx.facts, set(ctx.reason.topics)
    if facts is None:
        return 0
    here = facts.children_here
    if topics & SCHOOL_TOPICS:
        # Not those at school already: a mother of a 15-year-old at school and a 7-year-old
        # waiting for a place read "there your children get a school place" on her copy.
        return sum(1 for c in here if c.of_school_office_age(ctx.today) and c.care not in AT_SCHOOL)
    return len(here) if topics & CHILDREN_CARE_TOPICS else 0


def _children_insurance(ctx: _Context) -> int:
    """How many children a health service's letter lists as to be cleared where the person is
    insured herself (``INSURED``): its body and the copy then speak of them; 0 otherwise (her
    own insurance to clear, or unanswered, or not readable by the user: no facts)."""
    facts, topic = ctx.facts, ctx.service.topics[0] if ctx.service.topics else ""
    if facts is None or topic not in HEALTH_TOPICS or facts.insurance not in INSURED:
        return 0
    return len(facts.children_insurance_to_clear)


def _household_rows(ctx: _Context) -> list[tuple[str, str]]:
    """Label and value rows for the facts block of the letter to the service (German)."""
    facts, topic = ctx.facts, ctx.service.topics[0] if ctx.service.topics else ""
    if facts is None:
        return []

    def txt(key: str, **values: object) -> str:
        return ctx.texts.text("household", key, "de").format(**values)

    count, children = _letter_children(ctx)
    if topic in CHILDREN_WHERE_TOPICS and count:
        to_come = ctx.children_tax_id("no")
        lines = [
            _child_line(
                c, f"lives_{c.lives}", ctx, txt, "child_tax_id_to_come" if c in to_come else ""
            )
            for c in children
        ]
        text = txt("children_count", count=count)
        return [(txt("label_children"), "\n".join(filter(None, [text, *lines])))]
    if topic in CHILDREN_CARE_TOPICS | SCHOOL_TOPICS:
        if not children:
            return []
        label = "label_children_school" if topic in SCHOOL_TOPICS else "label_children_here"
        lines = [_child_line(c, f"care_{c.care}", ctx, txt) for c in children]
        text = txt("children_count", count=count)
        return [(txt(label), "\n".join(filter(None, [text, *lines])))]
    if topic in HEALTH_TOPICS:
        rows = []
        if own := facts.insurance_to_state:
            stated = _ehic_stated(ctx) if own == "ehic" else txt(f"own_insurance_{own}")
            rows.append((txt("label_own_insurance"), stated))
        lines = [
            _child_line(c, f"insurance_{c.insurance}", ctx, txt)
            for c in facts.children_insurance_to_clear
        ]
        if lines:
            rows.append((txt("label_children_insurance"), "\n".join(lines)))
        return rows
    if topic in ADDRESS_TOPICS:
        rows = []
        if facts.address_registration in ("registered", "appointment", "not_registered"):
            rows.append(
                (txt("label_registration"), txt(f"registration_{facts.address_registration}"))
            )
        if facts.without_home:
            rows.append((txt("label_housing"), txt(f"housing_{facts.housing_type}")))
        return rows
    return []


#: The recognition advice: the qualifications from abroad and the work experience (what the
#: advice and the competent authority assess; "a qualification from abroad" told them nothing).
RECOGNITION_TOPICS = frozenset({"recognition"})
#: The language courses: the German level and the reading and writing in Latin script (what
#: the placement and the kind of course start from).
LANGUAGE_TOPICS = frozenset({"integration_course", "language_course"})


def shows_skills(service: Service) -> bool:
    """Whether the letter to ``service`` tells it anything of the skills check."""
    return bool(service.topics) and service.topics[0] in RECOGNITION_TOPICS | LANGUAGE_TOPICS


def _skills_rows(ctx: _Context) -> list[tuple[str, str]]:
    """Label and value rows from the skills check for the facts block of the letter to the
    service (German): only what that service needs (GDPR data minimisation)."""
    skills = ctx.skills
    if skills is None or not shows_skills(ctx.service):
        return []

    def txt(key: str, **values: object) -> str:
        return ctx.texts.text("skills", key, "de").format(**values)

    rows: list[tuple[str, str]] = []
    if ctx.service.topics[0] in RECOGNITION_TOPICS:
        lines = []
        for q in skills.qualifications:
            # the title as written (the original designation the recognition goes by), then
            # what kind, where and when
            parts = [txt("original_title", title=q.title) if q.title else ""]
            parts += [q.kind.get("de"), q.country.get("de"), q.year]
            line = ", ".join(p for p in parts if p)
            more = []
            if q.document in ("yes", "no"):
                more.append(txt(f"document_{q.document}"))
            if q.recognition_started == "no":
                more.append(txt("recognition_not_started"))
            elif q.recognition_started == "yes":
                state = q.recognition_result.get("de")
                more.append(txt("recognition_state", state=state) if state else "")
            line = "; ".join(p for p in [line, *more] if p)
            if line:
                lines.append(line)
        if lines:
            rows.append((txt("label_qualifications"), _dashed(lines)))
        lines = []
        for w in skills.experience:
            years = (
                format_unit(w.years, "duration-year", length="long", locale="de") if w.years else ""
            )
            detail = ", ".join(p for p in (years, w.where.get("de")) if p)
            lines.append(f"{w.field.get('de')}: {detail}" if detail else w.field.get("de"))
        if lines:
            rows.append((txt("label_experience"), _dashed(lines)))
        return rows
    if skills.german_level in CEFR_LEVEL_TEXT:
        level = gettext_in("de", CEFR_LEVEL_TEXT[skills.german_level])
        how = CEFR_ASSESSMENT_TEXT.get(skills.german_assessed)
        rows.append((txt("label_german"), f"{level} ({gettext_in('de', how)})" if how else level))
    literacy = skills.latin_literacy.get("de")
    if literacy:
        rows.append((txt("label_literacy"), txt("literacy", level=literacy)))
    return rows


def _dashed(lines: Sequence[str]) -> str:
    """One line alone as it is; several each after a dash, as the children are listed."""
    return lines[0] if len(lines) == 1 else "\n".join(f"–  {line}" for line in lines)


def _child_line(
    child: Child, status_key: str, ctx: _Context, txt: Callable[..., str], more: str = ""
) -> str:
    """A child's line ("– 8 Jahre, besucht eine Schule", "– geb. 2019, lebt im Herkunftsland"): the
    age where the birth date is complete, else the birth year (or month and year) as recorded;
    ``more``, the key of a text after it ("…, Steuer-ID noch nicht erhalten, wird
    nachgereicht")."""
    parts = [_child_age(child, ctx)]
    if status_key in ctx.texts.common["household"]:
        parts.append(txt(status_key))
    if more:
        parts.append(txt(more))
    parts = [p for p in parts if p]
    return "–  " + ", ".join(parts) if parts else ""


def _child_age(child: Child, ctx: _Context) -> str:
    """A child's age as the letter to the service gives it ("8 Jahre"), else its birth year
    (or month and year) as recorded ("geb. 2019"); "" where none is recorded."""
    age = child.age(ctx.today)
    if age is not None:
        return format_unit(age, "duration-year", length="long", locale="de")
    if child.birth is not None:
        born = unbroken(_birth(child.birth, "de"))
        return ctx.texts.text("household", "child_born", "de").format(birth=born)
    return ""


def _children_named(children: Sequence[Child], ctx: _Context, lang: str, *, copy: bool) -> str:
    """Children as the letter to the service names them, by their ages ("das Kind (8
    Jahre)", "die Kinder (8 Jahre und 3 Jahre)"; its readers get no names), or as the person's
    copy names them (``copy``: "Мария (7) и Иван (4)")."""
    if copy:
        return format_list([_child_named(c, ctx) for c in children], locale=_loc(lang))
    key = "letter_child" if len(children) == 1 else "letter_children"
    word = ctx.texts.text("household", key, lang)
    ages = [a for a in (_child_age(c, ctx) for c in children) if a]
    return f"{word} ({format_list(ages, locale=_loc(lang))})" if ages else word


# ---------------------------------------------------------------- the person's copy


def _ehic_validity(ctx: _Context, lang: str, prefix: str = "") -> str:
    """The date on the person's EHIC as on the letter's day, in ``lang``: "gültig bis 31. März
    2027" or "abgelaufen am 31. Januar 2026" (``prefix`` "copy_": the copy's "Вашата карта е
    …"); "" where no date is recorded."""
    facts = ctx.facts
    expired = facts.ehic_expired(ctx.today) if facts is not None else None
    if facts is None or expired is None:
        return ""
    key = f"{prefix}ehic_expired" if expired else f"{prefix}ehic_valid_until"
    date = unbroken(_birth(facts.ehic_valid_until, lang))
    return ctx.texts.text("household", key, lang).format(date=date)


def _ehic_stated(ctx: _Context) -> str:
    """The person's EHIC as the letter to a health service states it: from the country of
    their nationality ("aus Bulgarien"; the home country where that cannot be named), with
    its date ("…, gültig bis 31. März 2027")."""
    code = ctx.person.nationality.upper()
    if code in EHIC_NAMED_COUNTRIES:
        country = _territory(code, "de")
        card = ctx.texts.text("household", "own_insurance_ehic_from", "de").format(country=country)
    else:
        card = ctx.texts.text("household", "own_insurance_ehic", "de")
    validity = _ehic_validity(ctx, "de")
    return f"{card}, {validity}" if validity else card


def _client_documents(ctx: _Context) -> list[str]:
    """The copy's checklist: to the Clearingstelle or the Gesundheitsamt the EHIC says until
    when the person's own card is valid, or that it expired, and the EHIC and the birth
    certificates say for which children (those not insured or unclear) they are
    ("Европейска здравноосигурителна карта (ЕЗОК) – Вашата карта е валидна до 31 март 2027 г.;
    също и за Мария (7) и Иван (4)")."""
    lang, topic = ctx.lang, ctx.service.topics[0] if ctx.service.topics else ""
    children = ctx.facts.children_insurance_to_clear if ctx.facts is not None else ()
    validity = _ehic_validity(ctx, lang, "copy_") if topic in HEALTH_TOPICS else ""
    if topic not in HEALTH_TOPICS or not (children or validity):
        return ctx.documents(lang, copy=True)
    named = format_list([_child_named(c, ctx) for c in children], locale=_loc(lang))
    shown = []
    for document in (d for d in ctx.referral.documents if d.strip()):
        label = ctx.directory.document_label(document, lang)
        notes = [validity] if document == "ehic" and validity else []
        if children and (key := CHILDREN_DOCUMENTS.get(document)):
            notes.append(ctx.texts.text("household", key, lang).format(children=named))
        if notes:
            label = f"{label} – {'; '.join(notes)}"
        shown.append(label)
    return shown


def _child_named(child: Child, ctx: _Context) -> str:
    """A child as the person's copy names it: "Мария (7)"; where no name was recorded, "the
    child" with its age or birth year ("детето (8 години)": the age alone after "за" read
    "for 8 years")."""
    age = child.age(ctx.today)
    if age is not None:
        shown = (
            str(age)
            if child.name
            else format_unit(age, "duration-year", length="long", locale=_loc(ctx.lang))
        )
    elif child.birth is not None:
        born = _birth(child.birth, ctx.lang)
        shown = ctx.texts.text("household", "child_born", ctx.lang).format(birth=born)
    else:
        return child.name
    if not child.name:
        return ctx.texts.text("household", "copy_child_unnamed", ctx.lang).format(shown=shown)
    return f"{child.name} ({shown})"


def _client_story(
    ctx: _Context, *, compact: bool = False, tight: bool = False, sheet_only: bool = False
) -> list[Flowable]:
    """The person's copy, in their language; ``compact``, for a copy that does not fit one page
    otherwise: the documents in two columns, after who referred the person; ``tight`` (with
    ``compact``), for one that does not fit even so: less space between paragraphs, headings
    and checklist rows (the type stays as it is), and what to bring kept together."""
    # a copy of the shared styles: the tight ones are this copy's alone (set into the cached
    # dict, they made every later copy of the program's run tight)
    s, t, r, lang, svc = dict(_styles()), ctx.texts, ctx.referral, ctx.lang, ctx.service
    if tight:
        s["c_body"] = ParagraphStyle("c_body_tight", parent=s["c_body"], spaceAfter=2)
        s["c_head"] = ParagraphStyle("c_head_tight", parent=s["c_head"], spaceBefore=3)
    v = ctx.values(lang)
    width = PAGE_W - 40 * mm

    def txt(key: str) -> str:
        return t.text("client", key, lang).format(**v)

    meta = (
        f"{_e(txt('label_reference'))}: {_e(r.reference)}&nbsp;&nbsp;·&nbsp;&nbsp;"
        f"{_e(txt('label_date'))}: {_e(v['today'])}"
    )
    band = Table(
        [[Paragraph(_e(txt("title")), s["c_title"])], [Paragraph(meta, s["c_meta"])]],
        colWidths=[width],
    )
    band.setStyle(
        _table_style(
            [
                ("BACKGROUND", (0, 0), (-1, -1), TEAL),
                ("LEFTPADDING", (0, 0), (-1, -1), 5 * mm),
                ("RIGHTPADDING", (0, 0), (-1, -1), 5 * mm),
                ("TOPPADDING", (0, 0), (-1, 0), 3 * mm),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 3 * mm),
            ]
        )
    )
    story: list[Flowable] = [band, Spacer(1, (2 if tight else 4) * mm)]
    story.append(_p(txt("greeting"), s["c_greet"]))
    story.append(_p(txt("intro"), s["c_body"]))
    # "Ihr Kind" or "Ihre Kinder" as many as the matter is about (two enrolled at school).
    purpose = ctx.reason.purpose(
        lang,
        _copy_children(ctx),
        without_home=ctx.without_home,
        children_insurance=_children_insurance(ctx),
    )
    purpose = purpose.format(**v)
    if ctx.reason.needs_note and not sheet_only and not copy_prints_note(lang):
        purpose = f"{purpose} {txt('note_in_letter')}"  # the matter is in German, on page 1
    story.append(_p(purpose, s["c_body"]))

    # The appointment, highlighted: it is what the person must not miss.
    box: list[list[Flowable]] = [[_p(txt("heading_appointment"), s["c_head"])]]
    if r.appointment:
        box.append([_p(txt("appointment_when"), s["c_big"])])
        if v["contact_person"]:
            box.append([_p(txt("appointment_contact"), s["c_value"])])
        box.append([_p(txt("appointment_tip"), s["c_value"])])
    else:
        box.append([_p(txt(_no_appointment_key(svc)), s["c_value"])])
    box.append([_p(txt("sheet_only" if sheet_only else "show_letter"), s["c_value"])])
    story += [Spacer(1, 1 * mm), _boxed(box, width, HIGHLIGHT, HIGHLIGHT_EDGE)]

    story.append(_p(txt("heading_where"), s["c_head"]))
    where: list[tuple[str, str, bool]] = []
    where.append(("", _names_on_door(svc.german_name, svc.name.get(lang)), True))
    # Without a street the town alone ("Dortmund") is nowhere to go: the person asks us.
    unknown_address = [] if svc.address.street else [txt("address_unknown")]
    address = "\n".join(
        [*svc.address.lines(), svc.address.extra.get(lang), *unknown_address]
    ).strip()
    where.append((txt("label_address"), address, False))
    unknown = txt("hours_unknown" if svc.contact.phone else "hours_ask_us")
    where.append((txt("label_hours"), svc.opening_hours.get(lang) or unknown, False))
    for key, value in (
        ("label_phone", svc.contact.phone),
        ("label_email", svc.contact.email),
        ("label_web", svc.contact.web),
    ):
        if value:
            where.append((txt(key), value, False))
    if svc.languages:
        where.append(
            (txt("label_languages"), ", ".join(_language(c, lang) for c in svc.languages), False)
        )
    story.append(_facts_table(where, width, LIGHT))

    documents = _client_documents(ctx)
    bring: list[Flowable] = [CondPageBreak(40 * mm), _p(txt("heading_documents"), s["c_head"])]
    if documents:
        bring.append(_p(txt("documents_tip"), s["c_body"]))
        box_w = 9 * mm
        columns = 2 if compact and len(documents) > 1 else 1
        col_w = width / columns
        rows = -(-len(documents) // columns)
        # Down the first column, then the second.
        cells = [["☐", _cell(d, s["c_value"], col_w - box_w - 2 * mm)] for d in documents]
        cells += [["", ""]] * (rows * columns - len(cells))
        checklist = Table(
            [[x for c in range(columns) for x in cells[c * rows + i]] for i in range(rows)],
            colWidths=[box_w, col_w - box_w] * columns,
            hAlign="LEFT",
        )
        checklist.setStyle(
            _table_style(
                [
                    *(
                        command
                        for c in range(columns)
                        for command in (
                            *_text_style((2 * c, 0), (2 * c, -1), s["c_box"]),
                            *_text_style((2 * c + 1, 0), (2 * c + 1, -1), s["c_value"]),
                        )
                    ),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 0.5 if tight else 1),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5 if tight else 2.5),
                ]
            )
        )
        bring.append(checklist)
    else:
        bring.append(_p(txt("no_documents_sheet" if sheet_only else "no_documents"), s["c_body"]))
    # set off from the checklist: nothing to tick yet; the person's own Steuer-ID and the
    # children's in one paragraph where both are to come (the copy stays on its sheet)
    to_come = ParagraphStyle("tax", s["c_body"], spaceBefore=3)
    children = ctx.children_tax_id("no")
    if children:
        if ctx.tax_id_to_come:
            key = "copy_own_and_children_tax_id_to_come"
        else:
            key = f"copy_child{'ren' if len(children) > 1 else ''}_tax_id_to_come"
        named = _children_named(children, ctx, lang, copy=True)
        bring.append(_p(t.text("household", key, lang).format(children=named), to_come))
    elif ctx.tax_id_to_come:
        bring.append(_p(txt("tax_id_to_come"), to_come))

    org = ctx.organisation
    phone, email = _contact(r)[1:]
    contact = "   ·   ".join(
        f"{label}: {value}"
        for label, value in (
            (txt("label_phone"), phone or org.phone),
            (txt("label_email"), email or org.email),
        )
        if value
    )
    who = [("", f"{v['advisor_name']} · {org.name}", True)]
    if contact:
        who.append(("", contact, False))
    who.append(("", txt("questions"), False))
    referred_by = KeepTogether(
        [_p(txt("heading_referred_by"), s["c_head"]), _facts_table(who, width, LIGHT)]
    )
    # Compact: who referred the person before the checklist, which can go on over the page
    # (under its heading) where a block of its own would get lost.
    if tight:
        bring = [bring[0], KeepTogether(bring[1:])]
    return story + ([referred_by, *bring] if compact else [*bring, referred_by])


def _names_on_door(german: str, local: str) -> str:
    """The service's German name as on the door, then its name in the copy's language; where
    that name is the German one explained it alone: "Jobcenter Dortmund (Джобцентър, …)", and
    "Bürgerdienste Dortmund (Bürgeramt, общинската служба за граждани)", whose explanation goes
    inside the German name's own brackets (:func:`explained_inside_its_brackets`)."""
    if local.startswith(german) or explained_inside_its_brackets(german, local):
        return local
    return f"{german}\n{local}"


def explained_inside_its_brackets(german: str, local: str) -> bool:
    """Whether a service's name in a language is its German name explained inside the German
    name's own brackets ("Bürgerdienste Dortmund (Bürgeramt, общинската служба за граждани)"
    for "Bürgerdienste Dortmund (Bürgeramt)"). The person's copy names such a service once
    under "Where?"; before (a fix that kept the letter format as it was) it printed the German
    name and, under it, the same name explained. The fingerprint of a letter whose copy names
    such a service is marked, so that those queued before the fix are made again, and only
    those (``_LetterInputs.digest`` in the referral use cases)."""
    if local.startswith(german) or not german.endswith(")"):
        return False
    stem = german[:-1]
    return local.startswith(stem) and local[len(stem) : len(stem) + 1] in (",", ";")


def _no_appointment_key(service: Service) -> str:
    """What the copy without an appointment tells the person to do: go during the opening
    hours, or, where the service sees people by appointment only (the Bürgerdienste: "nach
    Vereinbarung"), make one, by the phone or website the copy gives, or through us. "Call"
    only where the copy gives a number to call."""
    phone, web = bool(service.contact.phone), bool(service.contact.web)
    if by_appointment_only(service.opening_hours.get("de")):
        ways = {(True, True): "phone_web", (True, False): "phone", (False, True): "web"}
        return f"appointment_only_{ways.get((phone, web), 'ask_us')}"
    return "no_appointment" if phone else "no_appointment_ask_us"


def _height(story: Sequence[Flowable], width: float) -> float:
    """How tall ``story`` is laid out at ``width`` (conditional page breaks take no room)."""
    canvas = Canvas(io.BytesIO())
    total = 0.0
    for flowable in story:
        if isinstance(flowable, CondPageBreak):
            continue
        # KeepTogether answers "taller than anything" to be split: measure what it holds.
        for part in getattr(flowable, "_content", None) or [flowable]:
            total += part.wrapOn(canvas, width, 10_000)[1]
            total += part.getSpaceBefore() + part.getSpaceAfter()
    return total


# Romanian and Moldovan names typed on keyboards (or copied from systems) that only know the
# cedilla forms: Romanian writes ș ț with a comma below, and so the letter does.
_COMMA_BELOW = str.maketrans("şţŞŢ", "șțȘȚ")


def _name(text: str, person: Person) -> str:
    """A name part as printed: in Romanian spelling for a Romanian or Moldovan citizen (a
    Turkish "Şahin" keeps its cedilla)."""
    return text.translate(_COMMA_BELOW) if person.nationality in ("RO", "MD") else text


def _contact_lines(
    text: str, size: float, width: float, full_width: float
) -> tuple[list[str], float, bool]:
    """A phone number or e-mail address in the information block, whole: on one line beside
    its label at ``size`` or a little smaller; else on one line of its own under the label,
    across the block's ``full_width`` (down to 6.5 pt); only where that cannot be, an address
    on two lines broken before its "@" (down to 5.5 pt). The lines, their size, and whether
    they go under the label."""
    fits = lambda line, pt: pdfmetrics.stringWidth(line, FONT, pt) <= width  # noqa: E731
    for pt in (size, size - 0.5, size - 1, size - 1.5):
        if fits(text, pt):
            return [text], pt, False
    width = full_width
    for pt in (size, size - 0.5, size - 1, size - 1.5, 6.5):
        if fits(text, pt):
            return [text], pt, True
    local, at, domain = text.partition("@")
    if at:
        lines = [local, at + domain]
        for pt in (size, size - 0.5, size - 1, size - 1.5, 6.5, 6.0, 5.5):
            if all(fits(line, pt) for line in lines):
                return lines, pt, True
        return lines, 5.5, True
    return [text], 6.5, True


def _salutation(contact: str, txt: Callable[..., str]) -> str:
    """To an authority "Sehr geehrte Frau Schäfer," / "Sehr geehrter Herr Öztürk,"; a contact
    typed without Frau or Herr (a team, a first name) keeps the letter texts' greeting.

    The greeting names the person only: the contact is typed for the address field, as the
    refer dialog's example shows ("Frau Schäfer, Zimmer 204"), and the room after the comma
    was greeted too ("Sehr geehrte Frau Schäfer, Zimmer 204,")."""
    name = contact.partition(",")[0].strip()
    if not name:
        return txt("salutation")
    if name.startswith("Frau "):
        return f"Sehr geehrte {name},"
    if name.startswith("Herr "):
        return f"Sehr geehrter {name},"
    return txt("salutation_contact", contact_person=name)


def _contact_named(contact: str) -> str:
    """The contact person as named in a sentence or greeting: "Herrn Öztürk" (as typed for
    the address) is "Herr Öztürk" there ("Guten Tag Herr Öztürk,", "Fragen Sie nach: …")."""
    text = _clean(contact)
    return "Herr " + text[6:] if text.startswith("Herrn ") else text


def _contact_addressed(contact: str) -> str:
    """The contact person in the address field (DIN 5008: a line of its own, no "z. Hd."),
    "Herr Öztürk" in the accusative there: "Herrn Öztürk"."""
    text = _clean(contact)
    return "Herrn " + text[5:] if text.startswith("Herr ") else text


def _bullets(items: Sequence[str], width: float) -> Table:
    """A dashed list; long lists go into two columns so the letter stays on one page if it can."""
    # Hanging indent: a wrapped item starts where the one-line (plain string) items start.
    style = ParagraphStyle(
        "bullet_cell", parent=_styles()["bullet"], leftIndent=12, firstLineIndent=-12
    )
    columns = 1 if len(items) <= 3 else 2
    col_w = width / columns
    cells = [_cell(f"–  {_clean(item)}", style, col_w - 3 * mm) for item in items]
    per_col = (len(cells) + columns - 1) // columns
    padded: list[Any] = [*cells, *[""] * (per_col * columns - len(cells))]
    rows = [[padded[c * per_col + i] for c in range(columns)] for i in range(per_col)]
    table = Table(rows, colWidths=[col_w] * columns, hAlign="LEFT")
    table.setStyle(
        _table_style(
            [
                *_text_style((0, 0), (-1, -1), style),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3 * mm),
                ("TOPPADDING", (0, 0), (-1, -1), 0.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def _facts_table(rows: Sequence[tuple[str, str, bool]], width: float, background: Any) -> Table:
    s = _styles()
    label_w, pad = 38 * mm, 4 * mm
    data: list[list[Any]] = []
    style: list[Any] = [
        ("BACKGROUND", (0, 0), (-1, -1), background),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), pad),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2 * mm),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("TOPPADDING", (0, 0), (-1, 0), 2.5 * mm),
        ("BOTTOMPADDING", (0, -1), (-1, -1), 2.5 * mm),
    ]
    for i, (label, value, bold) in enumerate(rows):
        value_style = s["c_value_b" if bold else "c_value"]
        if label:
            data.append(
                [
                    _cell(label, s["c_label"], label_w - pad - 2 * mm),
                    _cell(value, value_style, width - label_w - pad - 2 * mm),
                ]
            )
            style += _text_style((0, i), (0, i), s["c_label"])
            style += _text_style((1, i), (1, i), value_style)
        else:
            data.append([_cell(value, value_style, width - pad - 2 * mm), ""])
            style += [("SPAN", (0, i), (1, i)), *_text_style((0, i), (0, i), value_style)]
    table = Table(data, colWidths=[label_w, width - label_w], hAlign="LEFT")
    table.setStyle(_table_style(style))
    return table


def _cell(text: str, style: ParagraphStyle, width: float) -> str | Paragraph:
    """A table cell: a plain string when every line fits (much cheaper), else a paragraph that
    wraps, long words included."""
    lines = _clean_lines(text)
    if all(pdfmetrics.stringWidth(line, style.fontName, style.fontSize) <= width for line in lines):
        return "\n".join(lines)
    return Paragraph("<br/>".join(escape(line) for line in lines), style)


def _text_style(start: tuple[int, int], stop: tuple[int, int], style: ParagraphStyle) -> list[Any]:
    """Table commands that draw plain-string cells like ``style``."""
    return [
        ("FONTNAME", start, stop, style.fontName),
        ("FONTSIZE", start, stop, style.fontSize),
        ("LEADING", start, stop, style.leading),
        ("TEXTCOLOR", start, stop, style.textColor),
    ]


def _boxed(rows: list[list[Flowable]], width: float, background: Any, edge: Any) -> Table:
    table = Table(rows, colWidths=[width])
    table.setStyle(
        _table_style(
            [
                ("BACKGROUND", (0, 0), (-1, -1), background),
                ("LINEBEFORE", (0, 0), (0, -1), 4, edge),
                ("LEFTPADDING", (0, 0), (-1, -1), 5 * mm),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4 * mm),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 3.5 * mm),
            ]
        )
    )
    return table


# ---------------------------------------------------------------- small helpers


def _table_style(commands: list[Any]) -> TableStyle:
    # Tables default to Helvetica (not embedded) for plain-string cells such as empty fillers.
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), *commands])


_SPACES = re.compile(r"[^\S\xa0]+")  # white space but the no-break space


def unbroken(text: str) -> str:
    """A date as one word: "3. Dezember 2026" must not end a line after "3." (DIN 5008); a
    line may still end after a weekday's comma ("Donnerstag, | 3. Dezember 2026").

    Babel's narrow no-break space ("2026 г.") becomes a plain one for that: ReportLab breaks
    lines at U+202F, not at U+00A0 (which DejaVu Sans draws as a space).
    """
    return re.sub(r"(?<!,)\s+", "\xa0", text.strip())


def _glued_to(text: str, date: str) -> str:
    """``text`` with the space before ``date`` (an :func:`unbroken` one) a no-break space, so
    that the word before it ("geb.", "роден(а) на") does not end a line on its own."""
    if not date:
        return text
    return re.sub(rf"\s+(?={re.escape(date)})", "\xa0", text, count=1)


def _clean(text: str) -> str:
    """User text without control characters, one line, trimmed; no-break spaces (in dates)
    stay."""
    if not text.isprintable():
        text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return _SPACES.sub(" ", text).strip()


def _clean_lines(text: str) -> list[str]:
    return [line for line in (_clean(part) for part in text.split("\n")) if line]


def _e(text: str) -> str:
    return escape(_clean(text))


def _p(text: str, style: ParagraphStyle, bullet: str | None = None) -> Paragraph:
    """A paragraph of plain text (markup characters in names are escaped)."""
    return Paragraph(_e(text), style, bulletText=bullet)


def _draw_para(
    canvas: Canvas, para: Paragraph, x: float, top: float, width: float, *, max_h: float
) -> float:
    _, h = para.wrap(width, max_h)
    para.drawOn(canvas, x, top - h)
    return top - h - 1


def _fit(text: str, font: str, size: float, width: float) -> str:
    """Shorten a one-line text with an ellipsis so it fits ``width``."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _loc(lang: str) -> str:
    return _LOCALES.get(lang, lang)


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(_loc(lang))


def _language(code: str, lang: str) -> str:
    return language_name(code, _loc(lang))


def _territory(code: str, lang: str) -> str:
    return str(_locale(lang).territories.get(code.upper(), code)) if code else ""


def _birth(date: PartialDate | None, lang: str) -> str:
    if date is None:
        return ""
    if date.day is not None and date.month is not None:
        return format_date(dt.date(date.year, date.month, date.day), "long", locale=_loc(lang))
    if date.month is not None:
        return format_skeleton("yMMMM", dt.date(date.year, date.month, 1), locale=_loc(lang))
    # a year alone as the program writes it everywhere: Bulgarian "1992 г.", German "1992"
    return format_partial_date(date, _loc(lang))
