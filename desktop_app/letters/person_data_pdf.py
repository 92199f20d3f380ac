"""The person's copy of all data held about them (GDPR Art. 15), as a PDF in their language."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from desktop_app.domain.referral import Organisation
from desktop_app.forms.labels import labelled
from desktop_app.i18n.formatting import format_long_date
from desktop_app.i18n.messages import RECORD_KINDS
from desktop_app.i18n.text import N_, Nn_, PluralMessage, catalog, gettext_in
from desktop_app.letters.gdpr_texts import (
    LEGAL_AUTOMATED,
    LEGAL_RIGHTS,
    RECIPIENTS_SERVER,
    complaint,
    controller_contact,
    dpo_contact,
    retention_rule,
)
from desktop_app.letters.referral_letter import FONT, FONT_BOLD, register_fonts, unbroken

TITLE = N_("Your data at {organisation}")
INTRO = N_(
    "This is a copy of all data that the advice service holds about you on this laptop and "
    "in its encrypted copies (Art. 15 GDPR). You may ask for corrections or for erasure."
)
CONTACT = N_("For questions, corrections or erasure: {contact}")
AS_OF = N_("As of {date}")
PERSON_HEADING = N_("About you")
#: the request the copy answers, in the erasure confirmation's words
#: (``erasure_confirmation_pdf.RECEIVED``, ``REFERENCE``)
REQUEST_RECEIVED = N_("Your request received on")
REQUEST_REFERENCE = N_("Reference")
QUOTE_REFERENCE = N_("Please give this reference when you contact us about your request.")
NOTHING = N_("No entries.")


#: what the sources' entries hold (``usecases/person_sources`` and others), as the person reads it
KEY_LABELS = {
    "form": N_("Form"),
    "form_version": N_("Version of the form"),
    "finished_at": N_("Finished"),
    "answers": N_("Answers"),
    "next_steps": N_("Next steps"),
    "purpose": N_("Purpose"),
    "granted": N_("Granted"),
    "text_version": N_("Consent text"),
    "text": N_("Wording"),
    "text_translation": N_("Translation"),
    "language": N_("Language"),
    "given_on": N_("Given on"),
    "how": N_("How given"),
    "witness": N_("Witness"),
    # What the consent allows, not who received data (``RECIPIENTS_HEADING`` says that).
    "shared_with": N_("May be passed on to"),
    "reference": N_("Reference"),
    "service": N_("Service"),
    "reason": N_("Reason"),
    "created_at": N_("Created"),
    "advisor": N_("Prepared by"),  # the letter names them as the advisor to contact
    "signed_off_by": N_("Signed off by"),
    # The role of who recorded a visit, a consent, a draft … (``usecases/person_data_authors``)
    "recorded_by": N_("Recorded by"),
    "last_changed_by": N_("Last changed by"),
    "appointment": N_("Appointment"),
    "status": N_("Status"),
    "outcome": N_("Outcome"),
    "note": N_("Note"),
    "contact_person": N_("Contact person"),
    "documents": N_("Documents to bring"),
    "follow_up": N_("Follow-up"),
    "status_history": N_("Status history"),
    "earlier_versions": N_("Earlier versions"),
    "started_at": N_("Started"),
    "updated_at": N_("Last saved"),
    "kind": N_("Section"),
    "opened_to": N_("Helper"),
    "since": N_("Since"),
    "record": N_("Record"),
    "field": N_("Field"),
    "kept_value": N_("In force now"),  # as the conflicts dialog names the two values
    "kept_recorded_by": N_("Recorded by"),  # the value just above
    "other_value": N_("Not in force"),
    "other_recorded_by": N_("Recorded by"),
    "decided": N_("Decided"),
}
YES, NO = N_("yes"), N_("no")

REQUESTS_HEADING = N_("Your requests about your data")
REQUESTS_INTRO = N_(
    "Each request is answered within one month of receipt (Art. 12(3) GDPR). Please give its "
    "reference when you contact us about it."
)
#: the kinds of request (``usecases.data_rights``), as the register of requests names them
REQUEST_KIND_NAMES = {
    "copy": N_("Copy of data"),
    "correction": N_("Correction"),
    "erasure": N_("Erasure"),
}
REQUEST_KIND, REQUEST_RECEIVED_ON, REQUEST_ANSWERED = N_("Request"), N_("Received"), N_("Answered")
REQUEST_OPEN = N_("not answered yet")
#: under the date of an answer given by hand, why ("nothing to correct"), as it was typed
REQUEST_REASON = N_("Reason: {reason}")
RECIPIENTS_HEADING = N_("Who received your data")
RECIPIENTS_INTRO = N_("We passed on data about you only to these services, with a referral letter.")
RECIPIENTS_NONE = N_("We have not passed on your data to any other service.")
LETTER_OF = N_("Letter of")
SOURCES_HEADING = N_("Where your data comes from")
LOG_HEADING = N_("Who looked at your data")
LOG_INTRO = N_(
    "Every time someone opens your case, this is recorded. Here you see when, what for and in "
    "which role. We do not give the names of our staff."
)
LOG_NONE = N_("No one has looked at your data yet.")
LOG_DATE, LOG_ROLE, LOG_PURPOSE = N_("Date"), N_("Who (role)"), N_("What for")
LOG_TIMES = Nn_("{purpose} ({count} time)", "{purpose} ({count} times)", "count")
RETENTION_HEADING = N_("How long we keep your data")
RETENTION_DATES = N_(
    "Your last contact with us: {last}. Without a new contact, your data will be erased from "
    "{erase}."
)
RETENTION_DRAFTS = N_("A form that was not finished is kept until it is finished or deleted.")
RETENTION_EARLIER = N_(
    "If you ask us, we erase your data earlier: on every laptop and on the server."
)
LEGAL_HEADING = N_("Legal information (Art. 15 GDPR)")
#: followed by the purposes, one a line (the consent's labels, capitalised as list items are)
LEGAL_PURPOSES = N_("Purposes of the processing:")
LEGAL_BASIS = N_(
    "Legal basis: your consent (Art. 6(1)(a) GDPR); for health data, your explicit consent "
    "(Art. 9(2)(a) GDPR). You can withdraw your consent at any time. This does not affect "
    "the processing before the withdrawal."
)
#: followed by the categories, one a line
LEGAL_CATEGORIES = N_("Categories of personal data concerned:")
LEGAL_FREE_COPY = N_("You receive the first copy of your data free of charge (Art. 15(3) GDPR).")
LEGAL_THIRD_COUNTRY = N_(
    "We do not transfer your data to a third country (outside the EU and the EEA) or to an "
    "international organisation (Art. 15(2) GDPR)."
)


@dataclass(frozen=True)
class Recipient:
    """A service the person was referred to: the letter's date and reference."""

    service: str
    letter_of: str
    reference: str


@dataclass(frozen=True)
class RequestEntry:
    """One of the person's requests about their data: its kind, reference, date of receipt
    and date of the answer (or that it is not answered yet), in the copy's language (dates
    kept on one line, ``unbroken``)."""

    kind: str
    reference: str
    received: str
    answered: str
    #: why it was answered by hand ("nothing to correct"), as typed; "" for none
    reason: str = ""


@dataclass(frozen=True)
class Consultation:
    """Accesses to the case on one day, by one role, for one purpose (``times`` of them)."""

    day: str
    role: str
    purpose: str
    times: int


@dataclass(frozen=True)
class DataCopyNotice:
    """What the copy says beyond the data (Art. 15(1) GDPR), in the copy's language."""

    purposes: Sequence[str]
    categories: Sequence[str]
    recipients: Sequence[Recipient]
    sources: Sequence[str]
    consultations: Sequence[Consultation]
    last_contact: dt.date
    erase_from: dt.date
    retention_years: int
    #: as the settings name it; "" says it in general
    supervisory_authority: str = ""
    #: whether this laptop syncs with a server (which then keeps encrypted copies)
    synced: bool = False
    #: the data protection officer's name and contact as the settings name them; "" for none
    data_protection_officer: str = ""
    #: the person's requests about their data in the register of requests (none: no part)
    requests: Sequence[RequestEntry] = ()


def _fmt(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list | tuple):
        # An entry of a repeated group in brackets, as the conflicts dialog shows it: joined
        # by commas alone, where one child or language ended and the next began was lost.
        return (
            ", ".join(f"({_fmt(v)})" if isinstance(v, Mapping) else _fmt(v) for v in value) or "—"
        )
    if isinstance(value, Mapping):
        return "; ".join(labelled(str(k), _fmt(v)) for k, v in value.items()) or "—"
    return str(value)


def _holds_answers(value: object) -> bool:
    """Whether ``value`` is written as lines of its own (``_lines``): answers by their labels,
    or entries holding such (a visit's earlier versions), not a group's flat entries (a child's
    answers, one line)."""
    if isinstance(value, Mapping):
        return bool(value)
    return (
        isinstance(value, list | tuple)
        and bool(value)
        and all(isinstance(v, Mapping) for v in value)
        and any(_holds_answers(x) for v in value for x in v.values())
    )


def _lines(value: object, depth: int = 0) -> list[tuple[int, str]]:
    """A cell's value as (indentation, text) lines: each answer a line ("Пол: жена"), an
    entry's answers under its label, each earlier version after the one before. It was one
    paragraph, the answers joined by semicolons and the versions by brackets."""
    if isinstance(value, Mapping):
        lines: list[tuple[int, str]] = []
        for key, inner in value.items():
            if _holds_answers(inner):
                lines.append((depth, labelled(str(key), "").rstrip()))
                lines += _lines(inner, depth + 1)
            else:
                lines.append((depth, labelled(str(key), _fmt(inner))))
        return lines
    if _holds_answers(value) and isinstance(value, list | tuple):
        return [line for entry in value for line in _lines(entry, depth)]
    return [(depth, _fmt(value))]


def render_person_data(
    lang: str,
    person_rows: Sequence[tuple[str, str]],
    sections: Sequence[tuple[str, Sequence[Mapping[str, object]]]],
    today: dt.date,
    field_labels: Mapping[str, str] | None = None,
    organisation: Organisation | None = None,
    notice: DataCopyNotice | None = None,
    request: tuple[str, dt.date] | None = None,
) -> bytes:
    """``person_rows``: (label msgid, value); ``sections``: (title msgid, rows) per source;
    ``field_labels``: msgids of the person's fields by name (a conflict names its field);
    ``request``: the reference and date of receipt of the request the copy answers."""
    field_labels = field_labels or {}
    register_fonts()
    base = ParagraphStyle("base", fontName=FONT, fontSize=10, leading=13)
    bold = ParagraphStyle("bold", parent=base, fontName=FONT_BOLD)
    title = ParagraphStyle("title", parent=bold, fontSize=16, leading=20, spaceAfter=4 * mm)
    heading = ParagraphStyle("h", parent=bold, fontSize=12, leading=15, spaceBefore=5 * mm)

    def t(msgid: str) -> str:
        return gettext_in(lang, msgid)

    def shown(key: str, value: object) -> str:
        if isinstance(value, bool):
            return t(YES if value else NO)
        if key == "record" and isinstance(value, str) and value in RECORD_KINDS:
            return t(RECORD_KINDS[value])
        if key == "field" and isinstance(value, str) and value in field_labels:
            return t(field_labels[value])
        return _fmt(value)

    def para(text: str, style: ParagraphStyle = base) -> Paragraph:
        return Paragraph(escape(text), style)

    indented = [ParagraphStyle(f"in{n}", parent=base, leftIndent=4 * mm * n) for n in range(4)]

    def cell(key: str, value: object) -> Flowable | list[Flowable]:
        if not _holds_answers(value):
            return para(shown(key, value))
        return [para(text, indented[min(depth, 3)]) for depth, text in _lines(value)]

    # Who holds the data, and how to reach them (the letterhead saved in the settings).
    org = organisation or Organisation(name="Welcome Desk")
    contact = controller_contact(org)
    table_style = TableStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
        ]
    )
    story: list[Flowable] = [
        para(t(TITLE).format(organisation=org.name), title),
        para(t(AS_OF).format(date=unbroken(format_long_date(today, lang)))),
        Spacer(1, 3 * mm),
    ]
    if request is not None:
        # The request it answers, as the erasure's confirmation names it: the person and the
        # team can refer to it (the register of requests keeps the reference).
        reference, received = request
        facts = [
            (t(REQUEST_RECEIVED), unbroken(format_long_date(received, lang))),
            (t(REQUEST_REFERENCE), reference),
        ]
        story += [
            Table(
                [[para(label, bold), para(value)] for label, value in facts],
                colWidths=[55 * mm, 115 * mm],
                style=table_style,
            ),
            Spacer(1, 1.5 * mm),
            para(t(QUOTE_REFERENCE)),
            Spacer(1, 3 * mm),
        ]
    story += [
        para(t(INTRO)),
        Spacer(1, 1.5 * mm),
        para(t(CONTACT).format(contact=contact)),
        para(t(PERSON_HEADING), heading),
    ]
    rows = [[para(t(label), bold), para(value or "—")] for label, value in person_rows]
    # Rows split across pages (splitInRow): a visit's earlier versions, or its notes alone,
    # made one row taller than a page, and ReportLab refused the whole copy (LayoutError).
    story.append(Table(rows, colWidths=[55 * mm, 115 * mm], style=table_style, splitInRow=1))
    for section_title, entries in sections:
        title_par: list[Flowable] = [para(t(section_title), heading)]
        if not entries:
            story += [KeepTogether([*title_par, para(t(NOTHING))])]
        for entry in entries:
            cells = [
                [para(t(KEY_LABELS[k]) if k in KEY_LABELS else str(k), bold), cell(k, v)]
                for k, v in entry.items()
            ]
            table = Table(cells, colWidths=[55 * mm, 115 * mm], style=table_style, splitInRow=1)
            if table.wrap(170 * mm, A4[1])[1] < A4[1] / 3:
                # A short entry on one page, with its section's heading if it is the first (a
                # conflict lost its last row to the next page).
                story += [KeepTogether([*title_par, table, Spacer(1, 2 * mm)])]
            else:
                # A long one (a visit's answers) flows on, rather than leave a page half
                # empty; its heading does not end a page.
                story += [CondPageBreak(40 * mm), *title_par, table, Spacer(1, 2 * mm)]
            title_par = []
    if notice is not None:
        story += _notice_story(lang, notice, base, bold, heading, table_style)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=t(TITLE).format(organisation=org.name),
        author="Welcome Desk",
    )
    doc.build(story)
    return buffer.getvalue()


def plural_in(lang: str, message: PluralMessage, count: int) -> str:
    """``message`` in ``lang``, in the plural form ``count`` takes (not yet formatted)."""
    return catalog(lang).ngettext(message.singular, message.plural, count)


def _notice_story(
    lang: str,
    notice: DataCopyNotice,
    base: ParagraphStyle,
    bold: ParagraphStyle,
    heading: ParagraphStyle,
    table_style: TableStyle,
) -> list[Flowable]:
    """Recipients, sources, consultations and the storage period in short sentences; the legal
    parts compact at the end."""

    def t(msgid: str) -> str:
        return gettext_in(lang, msgid)

    def para(text: str, style: ParagraphStyle = base) -> Paragraph:
        return Paragraph(escape(text), style)

    def cell(value: str | Sequence[str]) -> Paragraph | list[Flowable]:
        """A cell of one paragraph, or of several, one under the other."""
        return para(value) if isinstance(value, str) else [para(v) for v in value]

    def table(
        head: Sequence[str], rows: Sequence[Sequence[str | Sequence[str]]], widths: Sequence[float]
    ) -> Table:
        cells = [[para(h, bold) for h in head], *([cell(c) for c in row] for row in rows)]
        return Table(cells, colWidths=list(widths), style=table_style, repeatRows=1, splitInRow=1)

    story: list[Flowable] = []
    if notice.requests:
        story.append(
            KeepTogether(
                [
                    para(t(REQUESTS_HEADING), heading),
                    para(t(REQUESTS_INTRO)),
                    Spacer(1, 1.5 * mm),
                    table(
                        [
                            t(REQUEST_KIND),
                            t(REQUEST_REFERENCE),
                            t(REQUEST_RECEIVED_ON),
                            t(REQUEST_ANSWERED),
                        ],
                        [
                            (
                                r.kind,
                                r.reference,
                                r.received,
                                (r.answered, t(REQUEST_REASON).format(reason=r.reason))
                                if r.reason
                                else r.answered,
                            )
                            for r in notice.requests
                        ],
                        [44 * mm, 36 * mm, 45 * mm, 45 * mm],
                    ),
                ]
            )
        )
    recipients = [para(t(RECIPIENTS_HEADING), heading)]
    if notice.recipients:
        recipients += [
            para(t(RECIPIENTS_INTRO)),
            Spacer(1, 1.5 * mm),
            table(
                [t(KEY_LABELS["service"]), t(LETTER_OF), t(KEY_LABELS["reference"])],
                [(r.service, unbroken(r.letter_of), r.reference) for r in notice.recipients],
                [70 * mm, 44 * mm, 56 * mm],
            ),
        ]
    else:
        recipients.append(para(t(RECIPIENTS_NONE)))
    if notice.synced:
        recipients += [Spacer(1, 1.5 * mm), para(t(RECIPIENTS_SERVER))]
    # The heading with its table: the heading and intro stood alone at a page's foot.
    story.append(KeepTogether(recipients))
    story.append(
        KeepTogether([para(t(SOURCES_HEADING), heading), *(para(s) for s in notice.sources)])
    )
    log_intro: list[Flowable] = [para(t(LOG_HEADING), heading), para(t(LOG_INTRO))]
    if notice.consultations:
        rows = [
            (
                unbroken(c.day),
                c.role,
                c.purpose
                if c.times == 1
                else plural_in(lang, LOG_TIMES, c.times).format(purpose=c.purpose, count=c.times),
            )
            for c in notice.consultations
        ]
        log = table([t(LOG_DATE), t(LOG_ROLE), t(LOG_PURPOSE)], rows, [44 * mm, 42 * mm, 84 * mm])
        story += [CondPageBreak(45 * mm), *log_intro, Spacer(1, 1.5 * mm), log]
    else:
        story.append(KeepTogether([*log_intro, para(t(LOG_NONE))]))
    years = notice.retention_years
    story.append(
        KeepTogether(
            [
                para(t(RETENTION_HEADING), heading),
                para(retention_rule(lang, years)),
                para(
                    t(RETENTION_DATES).format(
                        last=unbroken(format_long_date(notice.last_contact, lang)),
                        erase=unbroken(format_long_date(notice.erase_from, lang)),
                    )
                ),
                para(t(RETENTION_DRAFTS)),
                para(t(RETENTION_EARLIER)),
            ]
        )
    )
    small = ParagraphStyle("small", parent=base, fontSize=9, leading=11.5, spaceAfter=1 * mm)
    lead = ParagraphStyle("lead", parent=small, spaceAfter=0)
    item = ParagraphStyle(
        "item", parent=lead, leftIndent=5 * mm, bulletIndent=1.5 * mm, bulletFontName=FONT
    )
    last_item = ParagraphStyle("last_item", parent=item, spaceAfter=small.spaceAfter)

    def listed(intro: str, items: Sequence[str]) -> list[Flowable]:
        # One a line: run into a sentence, the labels (capitalised, with colons and commas of
        # their own) read as one jumble ("…: Consiliere, Stocare și sincronizare cu …").
        if not items:
            return [para(intro, small)]
        styles = [item] * (len(items) - 1) + [last_item]
        return [
            para(intro, lead),
            *(
                Paragraph(escape(x), style, bulletText="•")
                for x, style in zip(items, styles, strict=True)
            ),
        ]

    rest = [
        para(t(LEGAL_BASIS), small),
        *listed(t(LEGAL_CATEGORIES), notice.categories),
        *(
            para(text, small)
            for text in (
                t(LEGAL_RIGHTS),
                dpo_contact(lang, notice.data_protection_officer),
                t(LEGAL_FREE_COPY),
                complaint(lang, notice.supervisory_authority),
                t(LEGAL_AUTOMATED),
                t(LEGAL_THIRD_COUNTRY),
            )
            if text  # no officer named: no line for one
        ),
    ]
    # Only the heading with the purposes: the rest flows on rather than leave a page empty.
    story += [
        KeepTogether(
            [para(t(LEGAL_HEADING), heading), *listed(t(LEGAL_PURPOSES), notice.purposes)]
        ),
        *rest,
    ]
    return story
