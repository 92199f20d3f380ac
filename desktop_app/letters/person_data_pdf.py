"""The person's copy of all data held about them (GDPR Art. 15), as a PDF in their language."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
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
from desktop_app.i18n.text import N_, gettext_in
from desktop_app.letters.referral_letter import FONT, FONT_BOLD, register_fonts, unbroken

TITLE = N_("Your data at {organisation}")
INTRO = N_(
    "This is a copy of all data that the advice service holds about you on this laptop and "
    "in its encrypted copies (Art. 15 GDPR). You may ask for corrections or for erasure."
)
CONTACT = N_("For questions, corrections or erasure: {contact}")
COMPLAINT = N_("You can also complain to a data protection supervisory authority.")
AS_OF = N_("As of {date}")
PERSON_HEADING = N_("About you")
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
    "shared_with": N_("Shared with"),
    "reference": N_("Reference"),
    "service": N_("Service"),
    "reason": N_("Reason"),
    "created_at": N_("Created"),
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
    "helper_id": N_("Helper"),
    "since": N_("Since"),
    "record": N_("Record"),
    "field": N_("Field"),
    "kept_value": N_("In force now"),  # as the conflicts dialog names the two values
    "other_value": N_("Not in force"),
    "decided": N_("Decided"),
}
YES, NO = N_("yes"), N_("no")


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
) -> bytes:
    """``person_rows``: (label msgid, value); ``sections``: (title msgid, rows) per source;
    ``field_labels``: msgids of the person's fields by name (a conflict names its field)."""
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
    contact = " · ".join(x for x in (org.name, *org.address_lines, org.phone, org.email) if x)
    story: list[Flowable] = [
        para(t(TITLE).format(organisation=org.name), title),
        para(t(AS_OF).format(date=unbroken(format_long_date(today, lang)))),
        Spacer(1, 3 * mm),
        para(t(INTRO)),
        Spacer(1, 1.5 * mm),
        para(t(CONTACT).format(contact=contact)),
        Spacer(1, 1.5 * mm),
        para(t(COMPLAINT)),
        para(t(PERSON_HEADING), heading),
    ]
    table_style = TableStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
        ]
    )
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
