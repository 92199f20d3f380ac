"""The summary at the top of a person's visits: household, housing and health insurance of the
latest life-situation check, languages, qualifications and driving licence of the latest skills
check, the open referrals and the accepted next steps not referred yet."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from desktop_app.domain.skills_facts import QualificationFact, SkillsFacts
from desktop_app.forms import label as pick
from desktop_app.i18n.formatting import format_long_date, format_number, format_partial_date
from desktop_app.i18n.messages import CEFR_ASSESSMENT_TEXT, CEFR_LEVEL_TEXT
from desktop_app.i18n.text import _, current_language, ngettext
from desktop_app.letters.directory import ServiceDirectory
from desktop_app.storage.db import Store
from desktop_app.ui.error_label import WarningLabel
from desktop_app.ui.referrals import name_in, outcome_line, referral_status_text
from desktop_app.ui.widgets import reachable_text
from desktop_app.usecases import reference
from desktop_app.usecases.person_summary import (
    HOUSING_FIELD,
    INSURANCE_FIELD,
    LabelMap,
    PersonSummary,
    SummaryChild,
)
from desktop_app.usecases.visits import COUNTED_CHILDREN

ROWS = (
    "children",
    "housing",
    "insurance",
    "ehic",
    "skills_heading",
    "languages",
    "qualifications",
    "driving",
    "referrals",
    "steps",
)
#: The rows shown from the skills check (under their own heading)
SKILLS_ROWS = ("languages", "qualifications", "driving")


def _child(child: SummaryChild) -> str:
    name = child.name or _("name not recorded")
    return f"{name} ({format_number(child.age)})" if child.age is not None else name


def children_text(summary: PersonSummary) -> str:
    """ "3 children: Мария (1), Иван (6); in the home country: Елена (15)": those living with
    the person, then those living elsewhere, by where the check says they live (the Kindergeld
    is paid for them too)."""
    if COUNTED_CHILDREN in summary.hidden:
        return _("not shown to you (restricted)")
    places: dict[str, list[str]] = {}
    for child, where in summary.children_elsewhere:
        label = pick(where, current_language()) if where else _("where not recorded")
        places.setdefault(label, []).append(_child(child))
    elsewhere = [
        _("{where}: {names}").format(where=where, names=", ".join(names))
        for where, names in places.items()
    ]
    n = max(summary.children_count or 0, len(summary.children) + len(summary.children_elsewhere))
    if summary.children:
        names = "; ".join([", ".join(_child(c) for c in summary.children), *elsewhere])
        return ngettext("{n} child: {names}", "{n} children: {names}", n).format(
            n=format_number(n), names=names
        )
    if elsewhere:
        return ngettext(
            "{n} child, not in the household – {names}",
            "{n} children, none in the household – {names}",
            n,
        ).format(n=format_number(n), names="; ".join(elsewhere))
    if summary.children_count == 0:
        return _("no children under 18")
    if summary.children_count:
        return ngettext(
            "{n} child, not living with the person",
            "{n} children, none living with the person",
            summary.children_count,
        ).format(n=format_number(summary.children_count))
    return "—"


def _answer(summary: PersonSummary, field: str, labels: LabelMap | None) -> str:
    if field in summary.hidden:
        return _("not shown to you (restricted)")
    return pick(labels, current_language()) if labels else "—"


def insurance_text(summary: PersonSummary) -> str:
    """The person's health insurance, then each child's recorded, a line each ("Мария (8):
    not insured"): a mother insured through her job may have children who are not."""
    lines = [_answer(summary, INSURANCE_FIELD, summary.insurance)]
    if INSURANCE_FIELD not in summary.hidden:
        lines += [
            _("{child}: {insurance}").format(
                child=_child(child), insurance=pick(labels, current_language())
            )
            for child, labels in summary.children_insurance
        ]
    return "\n".join(lines)


def ehic_text(summary: PersonSummary) -> str:
    """Until when the person's EHIC is valid, or that it expired ("expired on 31 January
    2026"); "" where no date is recorded (or the insurance is withheld)."""
    if summary.ehic_valid_until is None or INSURANCE_FIELD in summary.hidden:
        return ""
    date = format_long_date(summary.ehic_valid_until)
    if summary.ehic_expired:
        return _("expired on {date}").format(date=date)
    return _("valid until {date}").format(date=date)


def _level(level: str, assessed: str) -> str:
    """ "B1 – intermediate (tested)"; the level alone where not known how it was assessed."""
    text = _(CEFR_LEVEL_TEXT[level])
    how = CEFR_ASSESSMENT_TEXT.get(assessed)
    return _("{level} ({assessed})").format(level=text, assessed=_(how)) if how else text


def languages_text(skills: SkillsFacts) -> str:
    """German's level and how it was found, the other languages' levels briefly, and the
    reading and writing in Latin script where not confident."""
    lang = current_language()
    if skills.german_level in CEFR_LEVEL_TEXT:
        german = _level(skills.german_level, skills.german_assessed)
    else:
        german = _("not recorded")
    lines = [_("German: {level}").format(level=german)]
    others = [
        f"{lv.language.get(lang)} {lv.level}"
        if lv.level in CEFR_LEVEL_TEXT
        else lv.language.get(lang)
        for lv in skills.other_languages
    ]
    if others:
        lines.append(_("Other languages: {languages}").format(languages=", ".join(others)))
    if skills.latin_literacy_answer not in ("", "fluent") and skills.latin_literacy:
        lines.append(
            _("Reading and writing in Latin script: {level}").format(
                level=skills.latin_literacy.get(lang)
            )
        )
    return "\n".join(lines)


def _recognition(q: QualificationFact) -> str:
    if q.recognition_started == "no":
        return _("recognition not started")
    if q.recognition_started == "yes":
        state = q.recognition_result.get(current_language())
        return _("recognition: {state}").format(state=state) if state else _("recognition started")
    return _("recognition: not known whether started")


def qualifications_text(skills: SkillsFacts) -> str:
    """Each qualification from abroad on a line: the title as written, its kind, country and
    year, and whether its recognition was started ("asistentă medicală – vocational training,
    Romania, 2016; recognition not started")."""
    lang = current_language()
    lines = []
    for q in skills.qualifications:
        what = ", ".join(p for p in (q.kind.get(lang), q.country.get(lang), q.year) if p)
        head = f"{q.title} – {what}" if q.title else what
        lines.append(f"{head}; {_recognition(q)}")
    return "\n".join(lines) or _("none from abroad")


#: The latest outcome of an open referral in the summary is cut after this many characters
#: (the referrals tab shows more, its tooltip all): the line stays short.
SUMMARY_OUTCOME_CHARS = 40


def referrals_text(
    summary: PersonSummary, directory: ServiceDirectory, today: dt.date | None = None
) -> str:
    """The open referrals, their services named from ``directory`` (the one in force), each
    with its follow-up (overdue said so, as of ``today``) and its latest outcome, short."""
    today = today or dt.date.today()
    lines = []
    for referral in summary.open_referrals:
        # A helper's draft said "Issued" here while its tab said it awaits sign-off: taken as
        # ready to hand over.
        what = f"{name_in(directory, referral.service_id)}: {referral_status_text(referral)}"
        if referral.follow_up is not None:
            # The call that was due, said as due: "follow-up on 3 Sept" read as if ahead.
            when = referral.follow_up
            if when < today:
                line = _("{referral}, follow-up overdue since {date}")
            elif when == today:
                line = _("{referral}, follow-up due today")
            else:
                line = _("{referral}, follow-up on {date}")
            what = line.format(referral=what, date=format_partial_date(when.isoformat()))
        if referral.outcome:  # it was read only in the referrals tab's tooltip
            what = _("{referral}; outcome: {outcome}").format(
                referral=what, outcome=outcome_line(referral.outcome, SUMMARY_OUTCOME_CHARS)
            )
        lines.append(what)
    return "\n".join(lines) or _("none")


class PersonSummaryView(QWidget):
    """What the next advisor reads first of a returning person; each line is reached by Tab
    and read by a screen reader (``reachable_text``)."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.setObjectName("person_summary")
        self.store = store
        self.summary: PersonSummary | None = None
        # The service directory in force when the summary was read (with it, off the UI thread)
        self.directory: ServiceDirectory | None = None
        self.heading = reachable_text(QLabel())
        self.heading.setObjectName("summary_heading")
        self.heading.setStyleSheet("font-weight: bold;")
        self.heading.setWordWrap(True)
        # A grid, not a form layout: the form gave each row the height of its size hint, and
        # a second open referral, wrapped, was cut in half.
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setColumnStretch(1, 1)
        self.grid.addWidget(self.heading, 0, 0, 1, 2)
        self.labels: dict[str, QLabel] = {}
        self.values: dict[str, QLabel] = {}
        for key in ROWS:
            label, value = QLabel(), reachable_text(QLabel())
            value.setObjectName(f"summary_{key}")
            value.setWordWrap(True)
            # No buddy: the line is reached by Tab and read with its label (its accessible
            # name); an access key each would take five letters from the person page's own.
            self.labels[key], self.values[key] = label, value
            row = self.grid.rowCount()
            if key == "skills_heading":  # a heading as the life-situation check's, no label
                value.setStyleSheet("font-weight: bold;")
                self.grid.addWidget(value, row, 0, 1, 2)
                continue
            self.grid.addWidget(label, row, 0, Qt.AlignmentFlag.AlignTop)
            self.grid.addWidget(value, row, 1, Qt.AlignmentFlag.AlignTop)
        self.retranslate()

    def retranslate(self) -> None:
        self.setAccessibleName(_("Summary of the person"))
        texts = {
            "children": _("Children:"),
            "housing": _("Housing:"),
            "insurance": _("Health insurance:"),
            # The European Health Insurance Card, as the form and the letters abbreviate it
            "ehic": _("EHIC:"),
            "referrals": _("Open referrals:"),
            "steps": _("Still to refer:"),
            "languages": _("Languages:"),
            "qualifications": _("Qualifications:"),
            "driving": _("Driving licence:"),
        }
        for key, text in texts.items():
            self.labels[key].setText(text)
        self.show_summary(self.summary)

    def show_summary(
        self, summary: PersonSummary | None, directory: ServiceDirectory | None = None
    ) -> None:
        """Show ``summary``, its services named from ``directory`` (read with it); the one
        shown before is kept for a summary shown again (a change of language)."""
        self.summary = summary
        self.setMinimumHeight(0)  # held by ``blank`` while it was read
        if directory is not None:
            self.directory = directory
        self.setVisible(summary is not None)
        if summary is None:
            return
        if self.directory is None:
            self.directory = reference.service_directory(self.store)
        checked = bool(summary.visit_id)
        self.heading.setText(
            _("From the check of the life situation on {date}").format(
                date=format_long_date(
                    dt.datetime.fromisoformat(summary.finished_at).astimezone().date()
                )
            )
            if checked
            else _("No check of the life situation yet.")
        )
        texts = {
            "children": children_text(summary),
            "housing": _answer(summary, HOUSING_FIELD, summary.housing),
            "insurance": insurance_text(summary),
            "ehic": ehic_text(summary),
            "referrals": referrals_text(summary, self.directory),
            "steps": "\n".join(pick(s, current_language()) for s in summary.open_steps)
            or _("none"),
        }
        skills = summary.skills
        if skills is not None:
            texts |= {
                "skills_heading": _("From the skills check on {date}").format(
                    date=format_long_date(
                        dt.datetime.fromisoformat(summary.skills_finished_at).astimezone().date()
                    )
                ),
                "languages": languages_text(skills),
                "qualifications": qualifications_text(skills),
                "driving": ", ".join(d.get(current_language()) for d in skills.driving_licence),
            }
        for key in ROWS:
            text = texts.get(key, "")
            self.values[key].setText(text)
            self.values[key].setAccessibleName(f"{self.labels[key].text()} {text}".strip())
            if key == "skills_heading":
                self.values[key].setVisible(bool(text))  # its label is not laid out
                continue
            if key in (*SKILLS_ROWS, "ehic"):
                shown = bool(text)
            else:
                shown = checked or key in ("referrals", "steps")
            self.labels[key].setVisible(shown)
            self.values[key].setVisible(shown)
        # An expired card is what the advisor must act on: marked as the program marks a
        # problem (the error labels' colour), in bold.
        expired = summary.ehic_expired and bool(texts["ehic"])
        self.values["ehic"].setStyleSheet(
            f"color: {WarningLabel.COLOUR}; font-weight: bold;" if expired else ""
        )

    def blank(self) -> None:
        """Another person's summary is being read: nothing of the one shown stays, and the
        space it took is kept until the new one comes, so that the visit history below is
        not laid out (and its columns fitted) twice for every person passed."""
        self.summary = None
        if self.isHidden():
            return
        self.setMinimumHeight(self.height())
        # Said, not an empty line under each label: "Open referrals:" with nothing beside it
        # read as none open while they were being read (after a merge, one of two was).
        self.heading.setText(_("Reading the summary…"))
        for key, value in self.values.items():
            value.setText("")
            value.setAccessibleName(self.labels[key].text())
            value.hide()
            self.labels[key].hide()
        self.values["ehic"].setStyleSheet("")  # an expired card's mark is the one shown's
