"""The person's confirmation that their data was erased at their request (Art. 12(3), 17
GDPR), as a PDF in their language: written before the erasure, from what is about to go."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from desktop_app.domain.referral import Organisation
from desktop_app.i18n.formatting import format_long_date
from desktop_app.i18n.text import N_, gettext_in
from desktop_app.letters.gdpr_texts import complaint, controller_contact, dpo_contact
from desktop_app.letters.referral_letter import FONT, FONT_BOLD, register_fonts, unbroken

TITLE = N_("Confirmation: your data has been erased")
NAME = N_("Name")
RECEIVED = N_("Your request received on")
ERASED_ON = N_("Erased on")
REFERENCE = N_("Reference")
INTRO = N_(
    "You asked us to erase your data (Art. 17 GDPR). We have done so: we erased everything "
    "we held about you."
)
WHAT_HEADING = N_("What we erased")
PERSONAL_DETAILS = N_(
    "Your personal details: name, date of birth, nationality, languages, phone and notes"
)
#: a kind of entry ("Visits", in the data copy's words) and how many of them were erased
COUNTED = N_("{what}: {count}")
WHERE_HEADING = N_("Where your data is erased")
WHERE_SYNCED = N_(
    "Our laptops exchange data through our sync server, encrypted. The erasure goes to the "
    "server at this laptop's next connection. The server then deletes the encrypted copies of "
    "your data and keeps only an encrypted note, without your data, that these entries were "
    "erased. Every other laptop of our team erases your data at its next sync."
)
WHERE_LOCAL = N_("Your data was kept only on this laptop, and was erased there.")
BACKUPS = N_(
    "Encrypted backups of a laptop made before the erasure may still hold your data until "
    "they are deleted."
)
KEPT_HEADING = N_("What we keep")
KEPT = N_(
    "In our register of requests: the reference, the date of your request and the date of our "
    "answer. In our activity log: that an erasure took place under this reference. Neither "
    "holds your name or other data about you. Please keep this letter: we can no longer find "
    "you in our records, and the reference shows that your request was answered."
)
CONTACT = N_("For questions: {contact}")


@dataclass(frozen=True)
class ErasureConfirmation:
    """What the confirmation says, in the document's language (``lang``) except the counts'
    titles (msgids, translated here)."""

    lang: str
    name: str
    reference: str
    received: dt.date
    erased_on: dt.date
    #: (title msgid of a kind of entry, how many were erased), those with any
    counts: Sequence[tuple[str, int]]
    #: whether this laptop syncs with a server (then every laptop and the server erase too)
    synced: bool
    organisation: Organisation
    data_protection_officer: str = ""
    supervisory_authority: str = ""


def render_erasure_confirmation(c: ErasureConfirmation) -> bytes:
    register_fonts()
    lang = c.lang
    base = ParagraphStyle("base", fontName=FONT, fontSize=10, leading=13, spaceAfter=1.5 * mm)
    bold = ParagraphStyle("bold", parent=base, fontName=FONT_BOLD)
    title = ParagraphStyle("title", parent=bold, fontSize=16, leading=20, spaceAfter=4 * mm)
    heading = ParagraphStyle("h", parent=bold, fontSize=12, leading=15, spaceBefore=4 * mm)
    item = ParagraphStyle(
        "item", parent=base, leftIndent=5 * mm, bulletIndent=1.5 * mm, spaceAfter=0.5 * mm
    )

    def t(msgid: str) -> str:
        return gettext_in(lang, msgid)

    def para(text: str, style: ParagraphStyle = base) -> Paragraph:
        return Paragraph(escape(text), style)

    def day(value: dt.date) -> str:
        return unbroken(format_long_date(value, lang))

    org = c.organisation
    facts = [
        (t(NAME), c.name),
        (t(RECEIVED), day(c.received)),
        (t(ERASED_ON), day(c.erased_on)),
        (t(REFERENCE), c.reference),
    ]
    style = TableStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
        ]
    )
    reach = " · ".join(x for x in (*org.address_lines, org.phone, org.email) if x)
    story: list[Flowable] = [
        para(org.name, bold),
        *([para(reach)] if reach else []),
        Spacer(1, 4 * mm),
        para(t(TITLE), title),
        Table(
            [[para(label, bold), para(value)] for label, value in facts],
            colWidths=[60 * mm, 110 * mm],
            style=style,
        ),
        Spacer(1, 3 * mm),
        para(t(INTRO)),
        para(t(WHAT_HEADING), heading),
        Paragraph(escape(t(PERSONAL_DETAILS)), item, bulletText="•"),
        *(
            Paragraph(escape(t(COUNTED).format(what=t(what), count=count)), item, bulletText="•")
            for what, count in c.counts
        ),
        para(t(WHERE_HEADING), heading),
        para(t(WHERE_SYNCED if c.synced else WHERE_LOCAL)),
        para(t(BACKUPS)),
        para(t(KEPT_HEADING), heading),
        para(t(KEPT)),
        Spacer(1, 3 * mm),
        para(t(CONTACT).format(contact=controller_contact(org))),
        *(
            para(text)
            for text in (
                dpo_contact(lang, c.data_protection_officer),
                complaint(lang, c.supervisory_authority),
            )
            if text
        ),
    ]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=t(TITLE),
        author="Welcome Desk",
    )
    doc.build(story)
    return buffer.getvalue()
