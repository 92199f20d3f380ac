"""The visits feature: start a visit or skills check, consent, drafts that survive a crash,
visit history on the person's page, and anonymous quick contacts."""

from __future__ import annotations

import datetime as dt
import html
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from babel.lists import format_list
from PySide6.QtCore import (
    QDate,
    QEvent,
    QObject,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QGuiApplication,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QListWidget,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.check_facts import FactDifference, FactsTakenOver, with_values
from desktop_app.domain.permissions import PermissionDenied
from desktop_app.domain.person import Person, nationality_answer
from desktop_app.domain.validation import ValidationFailed, scripts_of
from desktop_app.forms import FieldDef, FormDefinition, InvalidAnswers
from desktop_app.forms import label as pick
from desktop_app.i18n import languages
from desktop_app.i18n.formatting import format_moment, format_time_of_day, language_name
from desktop_app.i18n.messages import FIELD_NAMES, error_message, field_message
from desktop_app.i18n.text import LANGUAGE_NAMES, N_, _, current_language, ngettext
from desktop_app.letters.directory import ServiceDirectory
from desktop_app.storage.db import Store
from desktop_app.ui.access_keys import choose_keys, keys_in, marked
from desktop_app.ui.error_label import WarningLabel
from desktop_app.ui.form_view import FormView
from desktop_app.ui.help import plain
from desktop_app.ui.people_model import Background
from desktop_app.ui.person_summary import PersonSummaryView
from desktop_app.ui.tasks import SAVE_WAIT_MS, DialogSave, TaskRunner
from desktop_app.ui.widgets import (
    FRAME_ROOM,
    ErrorLabel,
    KeepsInput,
    WrappingDelegate,
    ask_to_confirm,
    country_names,
    focus_shown,
    key_text,
    standing_alone,
    within_screen,
)
from desktop_app.usecases import people, reference, visits
from desktop_app.usecases.accounts import Session
from desktop_app.usecases.consent_notice import about_your_data, consent_notice
from desktop_app.usecases.person_summary import PersonSummary, person_summary

if TYPE_CHECKING:
    from desktop_app.ui.main_window import MainWindow

log = logging.getLogger(__name__)

# What is typed is saved as a draft at most this long after its first unsaved change, however
# long the typing goes on without a pause (a save only after a pause in typing, or every 5 s,
# lost about 4.4 s of steady typing to a crash). A save costs about 0.06 ms of the UI thread
# (the answers read) and 1.5 ms of the form's worker thread (one committed row, with 100,000
# people stored: bench/drafts.py), so a save a second while typing is cheap.
AUTOSAVE_MAX_WAIT_MS = 1000
# A save that failed (the store busy for longer than its timeout …) is tried again this often,
# also when nothing more is typed.
AUTOSAVE_RETRY_MS = 5000
# Finishes the visit form (also listed by Help → Keyboard shortcuts).
FINISH_KEY = "Ctrl+Return"
# How long closing, finishing or discarding waits for an autosave in flight: it waits for the
# store at most as long as a sync's transaction lasts (a few tenths of a second).
DRAFT_WAIT_MS = 30_000
CLIENT_LANGUAGES = languages.client_languages()
#: the skills check's languages, one entry per language with its level
SKILLS_LANGUAGES = "language_levels"
#: an entry's own name for a language the form has no option for ("other language")
OTHER_LANGUAGE = "language_other"
#: where the consent texts' section "About your data" starts (``scrollToAnchor``)
ABOUT_ANCHOR = "about_your_data"

# The visit window opens as large as its screen's free room (QScreen.availableGeometry: the
# desktop's panels left out) less FRAME_ROOM for its own frame and title bar, to at most
# OPENING_MOST, and never smaller than OPENING_LEAST; its form scrolls, its buttons stay in view.
# It opened at least 1080 × 680 whatever the screen: on a 1280 × 720 screen (690 px under a
# panel) the title bar on top made it 710 px high, the button row below the screen's edge. At
# 1080 px on a 1366 × 768 screen the sections' list (30 % of the window) broke
# "Професионални и академични квалификации  0/1" in two, 280 px of the screen unused.
OPENING_MOST = QSize(1320, 860)
OPENING_LEAST = QSize(760, 500)


def opening_size(screen: QSize) -> QSize:
    """The visit window's size on a screen whose free room is ``screen``."""
    room = (screen - FRAME_ROOM).boundedTo(OPENING_MOST)
    return room.expandedTo(OPENING_LEAST)


WITHHELD_STYLE = "background: #eef2f7; color: #333; padding: 6px; border-radius: 4px;"
_WITHHELD_NAMES = {"health": N_("health details"), "exploitation": N_("notes on exploitation")}


def withheld_text(kinds: list[str] | tuple[str, ...]) -> str:
    """The note shown to a helper where restricted answers are left out."""
    if not kinds:
        return ""
    names = ", ".join(_(_WITHHELD_NAMES.get(kind, kind)) for kind in kinds)
    return _(
        "Not shown to you: {sections}. Only advisors see these answers, or a helper to whom "
        "an advisor has opened this person's case."
    ).format(sections=names)


def form_title(form_id: str) -> str:
    return pick(visits.form(form_id).title, current_language())


def client_language_of(person: Person | None) -> str | None:
    """The person's language for bilingual mode: the first they speak that the program does,
    German and English aside (Bulgarian, Romanian, any added)."""
    return languages.persons_language(person.languages if person else ())


def suggested_directory(definition: FormDefinition, store: Store) -> ServiceDirectory | None:
    """The service directory in force, for a form whose questions suggest its names."""
    if "services" not in definition.suggestion_lists():
        return None
    return reference.service_directory(store)


def not_asked_of(person: Person) -> tuple[str, ...]:
    """The questions a new check need not stop at though empty: the name in Latin script
    ("only needed if the name is written in Cyrillic") of a name written in Latin script."""
    written = scripts_of(f"{person.given_name} {person.family_name}")
    return () if "CYRILLIC" in written else (visits.ID_NAME_ANSWER,)


def answers_from_person(person: Person) -> dict[str, Any]:
    """Start a life situation check with what the person's record already says."""
    answers: dict[str, Any] = {
        "family_name": person.family_name,
        "given_names": person.given_name,
    }
    if person.date_of_birth:
        answers["date_of_birth"] = person.date_of_birth.iso()
    if person.sex:
        answers["sex"] = person.sex.value
    if person.phone:
        answers["phone"] = person.phone
    if person.id_document_name:
        answers[visits.ID_NAME_ANSWER] = person.id_document_name
    if person.nationality:
        answers["nationality"] = nationality_answer(person.nationality)
        if answers["nationality"] in ("other_eu", "non_eu"):
            # "Which nationality?" as the record says it (Polen); finishing reads it back
            names = country_names()
            answers["nationality_other"] = names.get(person.nationality, person.nationality)
    known = set(visits.form("life_situation").field("languages").option_ids())
    # Romani as the record may name it (rmy): left out, finishing took its absence for a change.
    spoken = [
        c for c in dict.fromkeys(_FORM_LANGUAGE.get(c, c) for c in person.languages) if c in known
    ]
    if spoken:
        answers["languages"] = spoken
    return answers


# A person's record may name Vlax Romani by its own code (rmy, as the import reads it); the
# forms ask for Romani (rom).
_FORM_LANGUAGE = {"rmy": "rom"}


def languages_from_person(person: Person, definition: FormDefinition) -> dict[str, Any]:
    """Start a skills check with the languages the person's record says they speak: an entry
    for each the form has an option for, in the record's order, its level left empty. The
    advisor asks it (or removes the entry): a level is required, so the check is not finished
    with a language nobody confirmed, as the life-situation check asks a child's daycare or
    school again (``visits.CHILD_ANSWERS_KEPT``)."""
    try:
        group = definition.field(SKILLS_LANGUAGES)
    except KeyError:  # a form without the question (none is shipped or can be published)
        return {}
    choice = group.subfield("language")
    options = choice.option_ids() if choice else []
    known = [o for o in options if o != "other"]
    other = "other" in options and group.subfield(OTHER_LANGUAGE) is not None
    entries: list[dict[str, Any]] = []
    for code in dict.fromkeys(_FORM_LANGUAGE.get(code, code) for code in person.languages):
        if code in known:
            entries.append({"language": code})
        elif other and (name := language_name(code, "de")) != code:
            # Polish, Arabic …: "other language", named in German as the letters quote it
            entries.append({"language": "other", OTHER_LANGUAGE: name})
    entries = entries[: group.max_items]
    return {SKILLS_LANGUAGES: entries} if entries else {}


# ---------------------------------------------------------------------------------------------
# consent


class ConsentDialog(QDialog):
    """The consent form with each purpose's text in the person's language; records per purpose."""

    recorded = Signal(object)  # frozenset of granted purposes

    def __init__(self, session: Session, person: Person, lang: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.session = session
        self.person = person
        self.definition = visits.form(visits.CONSENT_FORM, session.store)
        # What the person is told of their data after the purposes (Art. 13 GDPR): who holds
        # it, the officer, how long, the server, their rights. Read once: the text is shown
        # again in each language chosen, and at every answer typed.
        self.notice = consent_notice(session.store)
        self.setWindowTitle(pick(self.definition.title, current_language()))
        # Scrolls where the texts are longer than their share of a laptop's screen (a label
        # as tall as its text made the dialog 760 px high).
        self.texts = QTextBrowser()
        self.texts.setObjectName("consent_texts")
        self.texts.setAccessibleName(_("Consent text"))  # what a screen reader calls it
        # Its frame in the highlight colour while it has the focus: a style sheet's border is
        # drawn by no style, the application's focus frame included (FocusFrameStyle).
        self.texts.setStyleSheet(
            "#consent_texts { background: white; padding: 6px; border: 1px solid #ccc; }"
            "#consent_texts:focus { border-color: palette(highlight); }"
        )
        self.view = FormView(
            self.definition,
            client_lang=lang,
            directory=suggested_directory(self.definition, session.store),
        )
        self.view.navigator.hide()
        self.view.back_button.hide()
        self.view.next_button.hide()
        today = dt.date.today()
        self.view.set_answers({"consent_language": lang, "consent_date": today.isoformat()})
        self._texts_lang = ""  # the language the texts are shown in
        self.view.answers_changed.connect(self._show_texts)
        self.buttons = QDialogButtonBox()
        self.save = self.buttons.addButton(
            _("&Record consent"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._on_save_clicked)
        # Escape pressed by reflex threw away the purposes ticked with the person
        self.keeps_input = KeepsInput(self, self.view.answers)
        self.buttons.rejected.connect(self.keeps_input.cancel)
        # recorded on a worker thread: the window does not wait while the sync writes
        self.recording = DialogSave(self, self.buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.texts, 2)
        layout.addWidget(self.view, 3)
        layout.addWidget(self.buttons)
        self.resize(within_screen(self, QSize(820, 680)))  # the texts and the form scroll
        self._show_texts()

    def _show_texts(self) -> None:
        lang = self.view.answers().get("consent_language") or current_language()
        if lang == self._texts_lang:
            # Set again at every answer, the texts jumped back to their top while they were
            # read out from further down (the section about the person's data, say).
            return
        self._texts_lang = lang
        parts = [f"<p>{pick(self.definition.help, lang)}</p>"]
        for purpose in self.definition.purposes:
            parts.append(f"<p><b>{pick(purpose.label, lang)}</b><br>{pick(purpose.text, lang)}</p>")
        shown = [pick(purpose.text, lang) for purpose in self.definition.purposes]
        heading, paragraphs = about_your_data(self.notice, lang, shown)
        # Plain text from the settings (the letterhead, the officer, the authority): escaped.
        parts.append(f'<h3><a name="{ABOUT_ANCHOR}"></a>{html.escape(heading)}</h3>')
        parts += [f"<p>{html.escape(paragraph)}</p>" for paragraph in paragraphs]
        self.texts.setHtml("".join(parts))

    def _on_save_clicked(self) -> None:
        store, user, person_id = self.session.store, self.session.user, self.person.id
        answers = self.view.answers()

        def record() -> frozenset[str]:
            visits.record_consent(store, user, person_id, answers)
            return visits.granted_purposes(store, user, person_id)

        self.recording.start(record, self._on_recorded, self._on_record_failed)

    def _on_recorded(self, granted: frozenset[str]) -> None:
        self.recorded.emit(granted)
        self.accept()
        form = self.parentWidget()
        if form is not None:  # typing goes on there (its shortcuts need it active)
            form.activateWindow()

    def _on_record_failed(self, exc: Exception) -> None:
        if not isinstance(exc, InvalidAnswers):
            raise exc  # not one to correct here: the application's error handler
        self.view.show_problems()

    def reject(self) -> None:
        self.recording.dismiss()
        super().reject()


# ---------------------------------------------------------------------------------------------
# the visit window


def _to_answer_since(
    store: Store, definition: FormDefinition, draft: visits.Draft
) -> tuple[FieldDef, ...] | None:
    """The questions ``definition`` added since the version the draft was begun in that need
    an answer; None where that version's definition is not known here."""
    begun = draft.form_version
    if not 0 < begun < definition.version:
        return ()
    old = visits.form_recorded_in(store, definition.id, begun, draft.answers)
    if old.version != begun:
        return None
    changes = reference.form_changes({old.id: old}, {definition.id: definition})
    return changes[0].required_added if changes else ()


class VisitWindow(QDialog):
    """One form being filled in for one person. Typing is saved as a draft as it happens;
    closing keeps the draft; finishing validates and stores the visit."""

    finished_visit = Signal(object)  # visits.Visit
    # every answer to finish(): the stored visit, or None (problems shown, or refused)
    finish_answered = Signal(object)
    # closed, its draft kept, discarded or the visit stored (before the window is deleted)
    form_closed = Signal()

    def __init__(
        self,
        session: Session,
        person: Person,
        form_id: str,
        *,
        draft: visits.Draft | None = None,
        visit: visits.Visit | None = None,
        client_lang: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window)
        self.session = session
        self.person = person
        self.form_id = form_id
        self.visit_id = visit.id if visit else (draft.visit_id if draft else "")
        # Editing a finished visit: what the edit starts from, so that saving changes only
        # what was changed here (a sync may change other answers while the form is open).
        self.base: visits.VisitBase | None = (
            visits.VisitBase(visit.answers, visit.next_steps)
            if visit is not None
            else (draft.base if draft is not None else None)
        )
        self.dirty = False
        self.done_ = False
        # Autosaves run here, one at a time in the order they were made: a sync writing to the
        # store at the same moment holds it for a few tenths of a second, and typing must not
        # wait for that. Closing, finishing and discarding wait for them, then act at once.
        self.drafts = TaskRunner(self, max_threads=1)
        self._saving = False  # an autosave is in flight
        self._save_again = False  # asked for while one was in flight
        # A finish in flight: the worker fills it in ({"visit": …} or {"error": …}).
        self._finishing: dict[str, Any] | None = None
        self.consent_dialog: ConsentDialog | None = None
        self.continued = ""  # where the form was opened from a draft: said until a save
        self._focus_drawn = False  # drawn again once the window is first active (changeEvent)
        store = session.store
        consents = visits.granted_purposes(store, session.user, person.id)
        # restricted sections a helper may not see are closed in the view; the use cases
        # enforce the same rule (and would refuse restricted answers)
        self.withheld = visits.withheld_kinds(store, session.user, person.id)
        definition = visits.form(form_id, store)
        # The day the answers are checked for, as the use case checks them when they are
        # stored: the visit's (its draft's) own, not the day the form is opened on.
        if visit is not None:
            day = visits.day_of(visit.started_at)
        elif draft is not None and draft.day is not None:
            day = draft.day
        else:
            day = dt.date.today()
        # The visit a correction edits, opened at once or from its draft: its own version of
        # the form says what it was asked (a draft of a correction said nothing of it).
        edited = visit
        if edited is None and draft is not None and draft.visit_id:
            edited = visits.get_visit(store, session.user, draft.visit_id, log_view=False)
        recorded = edited.form_version if edited is not None else 0
        older, shown_as = visits.recorded_version(store, definition, recorded)
        self.view = FormView(
            shown_as,
            client_lang=client_lang,
            consents=consents,
            withheld=self.withheld,
            today=day,
            directory=suggested_directory(definition, store),
        )
        if draft is not None:
            self.view.set_answers(draft.answers, draft.next_steps)
            self.continued = _("Continued from the draft of {time}.").format(
                time=_date(draft.updated_at)
            )
            to_answer = _to_answer_since(store, definition, draft)
            if edited is not None and to_answer is not None:
                # A correction of a visit of an earlier version need not answer what the
                # visit was not asked (``visits.not_asked``).
                unasked = visits.not_asked(definition, edited.answers, recorded)
                to_answer = tuple(f for f in to_answer if f.id not in unasked)
            self.view.set_draft_begun_in(draft.form_version, to_answer)
        elif visit is not None:
            self.view.set_answers(visit.answers, visit.next_steps)
        elif form_id == "life_situation":
            # The children as the last check recorded them: three children were typed in
            # again at every visit. Their daycare or school is asked again (visits.
            # CHILD_ANSWERS_KEPT): the visit is not finished until the advisor has. The
            # arrival in Germany too (visits.FACTS_KEPT).
            known = visits.known_from_latest_check(store, session.user, person.id)
            self.view.set_answers(answers_from_person(person) | known)
        elif form_id == "skills_check":
            # The languages recorded at registration were typed in again, the list empty.
            self.view.set_answers(languages_from_person(person, definition))
        if self.base is not None:
            # An edit of a visit that a later version of the form recorded: its answers this
            # form cannot show are kept by the save (visits.edit_visit). A helper reads none of
            # them; the visit's version says they are there.
            self.view.set_recorded_with_newer(
                visits.recorded_with_newer_form(store, form_id, self.base.answers, recorded)
            )
        if edited is not None:
            # One an earlier version recorded: said, and what it was not asked needs no
            # answer (a correction of it was refused until someone answered, for the
            # person, a question added since). Where that version is known here, the note
            # names the questions added since, and the answers read in its words.
            added = None
            if older is not None:
                changes = reference.form_changes({older.id: older}, {definition.id: definition})
                added = changes[0].added if changes else ()
            self.view.set_recorded_with_older(
                recorded,
                visits.not_asked(definition, edited.answers, recorded),
                added=added,
                worded=shown_as is not definition,
            )
        # The language the session is held in is most often the client language the form is
        # shown in; the advisor chose it twice (a required question, left empty). Before the
        # answers are watched: opening the form is no change to save.
        self._session_language: str | None = None
        self._prefill_session_language(client_lang)
        self.view.answers_changed.connect(self._on_answers_changed)
        self.view.consent_requested.connect(self.open_consent)

        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 13pt; font-weight: bold;")
        # Wrapped where the row is narrow: in one line the form's title and the person's name
        # beside the client language and the consent button made the window 1104 px wide in
        # Bulgarian (1031 in Romanian), past the right edge of a 1024 px screen.
        self.heading.setWordWrap(True)
        self.client_label = QLabel()
        self.client_combo = QComboBox()
        self.client_combo.setObjectName("client_language")
        self.client_combo.addItem("", None)
        for code in CLIENT_LANGUAGES:
            self.client_combo.addItem(LANGUAGE_NAMES[code], code)
        self.client_combo.setCurrentIndex(max(self.client_combo.findData(client_lang), 0))
        self.client_combo.currentIndexChanged.connect(self._on_client_language_changed)
        self.client_label.setBuddy(self.client_combo)
        # The person's consent, recorded or changed at any time by anyone filling in forms. It
        # opened only from a section closed for want of it (health): a helper, not shown that
        # section, recorded no consent at all, and an advisor none after the first.
        self.consent_button = QPushButton()
        self.consent_button.setObjectName("record_consent")
        self.consent_button.setAutoDefault(False)
        self.consent_button.clicked.connect(lambda _checked=False: self.open_consent())
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.client_label)
        top.addWidget(self.client_combo)
        top.addWidget(self.consent_button)

        self.saved_label = QLabel()
        self.saved_label.setStyleSheet("color: #555;")
        # The buttons keep their width and the message takes what is left, wrapped: beside
        # the four buttons in Bulgarian it widened the window past a laptop's screen.
        self.saved_label.setWordWrap(True)
        self.saved_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.saved_label.setMinimumWidth(10 * self.saved_label.fontMetrics().averageCharWidth())
        self.saved_label.setText(self.continued)
        self.close_button = QPushButton()
        self.discard_button = QPushButton()
        self.finish_button = QPushButton()
        self.finish_button.setObjectName("finish")
        # Ends the visit and opens the referral dialog for the same person (flow 4).
        self.refer_button = QPushButton()
        self.refer_button.setObjectName("finish_and_refer")
        self.refer_after = False
        self.closed_meanwhile = False  # closed while the visit was stored: nothing opens after
        for button in (
            self.close_button,
            self.discard_button,
            self.refer_button,
            self.finish_button,
        ):
            button.setAutoDefault(False)
        self.close_button.clicked.connect(self.close)
        self.discard_button.clicked.connect(self._on_discard_clicked)
        self.finish_button.clicked.connect(self.finish)
        self.refer_button.clicked.connect(self._on_refer_clicked)
        QShortcut(QKeySequence(FINISH_KEY), self, self.finish)
        bottom = QHBoxLayout()
        bottom.addWidget(self.saved_label, 1)
        bottom.addWidget(self.discard_button)
        bottom.addWidget(self.close_button)
        bottom.addWidget(self.refer_button)
        bottom.addWidget(self.finish_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        layout.addWidget(line)
        layout.addLayout(bottom)

        # Started by the first change not saved yet, not restarted by the ones after it: a
        # timer restarted by each key pressed (a pause in typing) never ran out while the
        # typing went on.
        self.autosave = QTimer(self)
        self.autosave.setSingleShot(True)
        self.autosave.setInterval(AUTOSAVE_MAX_WAIT_MS)
        self.autosave.timeout.connect(self.save_draft)
        self.periodic = QTimer(self)
        self.periodic.setInterval(AUTOSAVE_RETRY_MS)
        self.periodic.timeout.connect(self._on_periodic_timeout)
        self.periodic.start()
        self.retranslate()
        self.resize(opening_size(self.screen().availableGeometry().size()))  # the form scrolls

    def retranslate(self) -> None:
        name = f"{self.person.given_name} {self.person.family_name}"
        title = form_title(self.form_id)
        self.heading.setText(f"{title} – {name}")
        self.setWindowTitle(f"{title} – {name}")
        self.client_label.setText(_("Also show in the client's lan&guage:"))
        self.client_combo.setItemText(0, _("(off)"))
        self.consent_button.setText(_("Record c&onsent…"))
        self.consent_button.setToolTip(
            _(
                "The person's consent to advice, to central storage and to passing data on to "
                "services: record it, or record a change (a further service, a refusal)"
            )
        )
        self.close_button.setText(_("&Close (draft is kept)"))
        self.discard_button.setText(_("&Discard draft"))
        self.finish_button.setText(_("&Save changes") if self.visit_id else _("&Finish visit"))
        self.refer_button.setText(_("Finish and &refer…"))
        self.refer_button.setVisible(not self.visit_id)
        self.finish_button.setToolTip(key_text(FINISH_KEY))
        self.view.retranslate()

    # --- drafts ---------------------------------------------------------------------------
    def _on_answers_changed(self) -> None:
        self.dirty = True
        if not self.autosave.isActive():
            self.autosave.start()

    def _on_periodic_timeout(self) -> None:
        if self.dirty:
            self.save_draft()

    def save_draft(self) -> None:
        """Autosave: the answers as they are now, saved on a worker thread (a draft is a few
        kilobytes, but a sync may be writing to the store). One in flight at a time; asked
        for meanwhile, it runs again with what was typed by then."""
        if self.done_ or not self.dirty or self._finishing is not None:
            return
        self.autosave.stop()
        if self._saving:
            self._save_again = True
            return
        save = self._draft_saver()
        self.dirty, self._saving = False, True
        self.drafts.run(save, self._on_draft_saved, self._on_draft_failed)

    def save_draft_now(self) -> None:
        """Save what is typed before this window closes: after any autosave in flight (which
        holds older answers), on this thread."""
        in_flight = self._saving  # its outcome is not known here yet: saved again to be sure
        self.drafts.wait(DRAFT_WAIT_MS)
        if self.done_ or not (self.dirty or in_flight):
            return
        if self.session.store.closed:  # closed after its store (the window closes its forms
            return  # before the store closes; a test's teardown may not)
        try:
            self._draft_saver()()
        except PermissionDenied:  # e.g. an advisor closed this case to the helper meanwhile
            self.saved_label.setText(error_message("permission_denied"))
            return
        except visits.PersonErased:
            self._person_erased()
            return
        self.dirty = False

    def _draft_saver(self) -> Callable[[], visits.Draft]:
        """The save of the answers as they are now (read here, on the UI thread)."""
        store, user, person_id, form_id = (
            self.session.store,
            self.session.user,
            self.person.id,
            self.form_id,
        )
        answers, steps, visit_id = self.view.answers(), self.view.decisions(), self.visit_id
        base = self.base
        return lambda: visits.save_draft(
            store, user, person_id, form_id, answers, next_steps=steps, visit_id=visit_id, base=base
        )

    def _on_draft_saved(self, _draft: visits.Draft) -> None:
        self._saving = False
        if self.done_:
            return
        self.saved_label.setText(
            _("Draft saved at {time}.").format(
                time=format_time_of_day(dt.datetime.now(), seconds=True)
            )
        )
        if self._save_again:
            self._save_again = False
            self.save_draft()

    def _on_draft_failed(self, exc: Exception) -> None:
        self._saving = False
        self.dirty = True  # not kept: the next autosave or closing tries again
        if isinstance(exc, visits.PersonErased):
            self._person_erased()
            return
        if not isinstance(exc, PermissionDenied):
            raise exc  # not one the user can act on: the application's error handler
        self.saved_label.setText(error_message("permission_denied"))

    def _person_erased(self) -> None:
        """A sync brought the person's erasure while the form was open (or they were erased
        here): nothing more of it is kept, neither as a visit nor as a draft."""
        self.done_ = True  # no autosave, and closing keeps no draft
        self.dirty = False
        self.saved_label.clear()
        self.view.banner.setText(_("This person was erased meanwhile. Nothing was saved."))
        self.view.banner.show()
        self.finish_button.setEnabled(False)
        self.refer_button.setEnabled(False)
        self.discard_button.setEnabled(False)

    def _on_discard_clicked(self) -> None:
        answer = QMessageBox.question(
            self, _("Discard draft"), _("Throw away everything typed in this form?")
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.drafts.wait(DRAFT_WAIT_MS)  # an autosave in flight would bring it back
            visits.discard_draft(
                self.session.store, self.session.user, self.person.id, self.form_id
            )
            self.done_ = True
            self.close()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if (
            event.type() == QEvent.Type.ActivationChange
            and self.isActiveWindow()
            and not self._focus_drawn
        ):
            # The keyboard is put at the question to ask as the window is shown; its activation
            # by the window system after that took the focus's drawing away (focus_shown): the
            # choice box it was in looked exactly as the others until Tab was pressed once.
            self._focus_drawn = True
            if (widget := self.focusWidget()) is not None:
                focus_shown(widget)

    def reject(self) -> None:
        """Escape closes the form as Close does, what was typed kept as a draft; a dialog's
        own reject hid and deleted it without a close event, and what the autosave had not
        stored yet was lost."""
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.periodic.stop()
        if self._finishing is not None:  # closed while the visit is stored: its outcome first
            self.drafts.wait(DRAFT_WAIT_MS)
            self._finished(self._finishing, closing=True)
        self.save_draft_now()
        QWidget.closeEvent(self, event)  # not QDialog's: it would reject, which closes again
        self.form_closed.emit()

    # --- consent, language --------------------------------------------------------------------
    def _on_client_language_changed(self, _index: int) -> None:
        self.view.set_client_language(self.client_combo.currentData())
        self._prefill_session_language(self.client_combo.currentData())

    def _prefill_session_language(self, lang: str | None) -> None:
        """Answer "Language of the session" with the client language chosen for the form,
        while it is unanswered or still the one filled in here (the advisor's own answer
        stays)."""
        editor = self.view.editors.get("session_language")
        if editor is None or lang not in editor.fdef.option_ids():
            return
        if editor.value() not in (None, self._session_language):
            return
        self._session_language = lang
        self.view.set_answer("session_language", lang)

    def open_consent(self, _purpose: str = "") -> ConsentDialog:
        lang = self.client_combo.currentData() or client_language_of(self.person) or "de"
        dialog = ConsentDialog(self.session, self.person, lang, self)
        dialog.recorded.connect(self._on_consent_recorded)
        self.consent_dialog = dialog
        dialog.open()
        return dialog

    def _on_consent_recorded(self, granted: frozenset[str]) -> None:
        section = self.view.current_section()
        self.view.set_consents(granted)
        self.view.show_section(section)

    # --- finishing ------------------------------------------------------------------------
    def _on_refer_clicked(self) -> None:
        self.refer_after = True
        self.finish()

    def finish(self) -> None:
        """Store the visit on the worker thread that saves the drafts, after any autosave in
        flight (the window does not wait while the sync writes to the store). The form and
        its buttons wait meanwhile; ``finish_answered`` tells the outcome."""
        if self.done_ or self._finishing is not None:
            return
        store, user, person_id, form_id = (
            self.session.store,
            self.session.user,
            self.person.id,
            self.form_id,
        )
        visit_id, answers, steps = self.visit_id, self.view.answers(), self.view.decisions()
        base = self.base
        outcome: dict[str, Any] = {}

        def store_visit() -> dict[str, Any]:
            try:
                if visit_id:
                    outcome["visit"] = visits.edit_visit(
                        store, user, visit_id, answers, next_steps=steps, base=base
                    )
                else:
                    outcome["visit"] = visits.finish_visit(
                        store, user, person_id, form_id, answers, next_steps=steps
                    )
            except Exception as exc:  # told on the UI thread, in _finished
                outcome["error"] = exc
            return outcome

        self.autosave.stop()
        self._finishing = outcome
        self._set_finishing(True)
        self.drafts.run(store_visit, self._on_finish_answered)

    def _set_finishing(self, finishing: bool) -> None:
        self.view.setEnabled(not finishing)  # typed now, it would not be in the visit
        for button in (self.finish_button, self.refer_button, self.discard_button):
            button.setEnabled(not finishing)
        self.saved_label.setText(_("Storing the visit…") if finishing else "")

    def _on_finish_answered(self, outcome: dict[str, Any]) -> None:
        if self._finishing is outcome:  # not already told by closing the window
            self._finished(outcome, closing=False)

    def _finished(self, outcome: dict[str, Any], *, closing: bool) -> visits.Visit | None:
        self._finishing = None
        self._set_finishing(False)
        visit: visits.Visit | None = outcome.get("visit")
        if visit is not None:
            self.done_ = True
            if closing:
                self.refer_after = False  # the window was closed meanwhile: nothing opens
                self.closed_meanwhile = True
            self.finished_visit.emit(visit)
            self.finish_answered.emit(visit)
            if not closing:
                self.close()
            return visit
        self.refer_after = False
        error = outcome.get("error")
        if isinstance(error, InvalidAnswers):
            self.view.show_problems()
        elif isinstance(error, PermissionDenied):
            self.view.banner.setText(error_message("permission_denied"))
            self.view.banner.show()
        elif isinstance(error, visits.PersonErased | visits.VisitNotFound):
            self._person_erased()
        elif error is not None:
            raise error  # not one the user can act on: the application's error handler
        self.finish_answered.emit(None)
        return None


# ---------------------------------------------------------------------------------------------
# history tab


class _HistoryTree(QTreeWidget):
    """The visit history: the date, the form's title and what changed. The date is as wide as
    it is; the title takes the room it needs on one line where what changed leaves it (at
    least its count, "12 отговора", and a third of the room), what changed the rest. A cell
    wraps to two lines at most, the second ending in "…" where the text goes on, whole in its
    tooltip (what changed also below the history). At 1100 px the Bulgarian title ("Преглед
    на житейската ситуация, с промени (редакция 3)") wrapped into five lines in a column of
    119 px, the rows so tall that the history showed one visit; elided on one line it read
    "Преглед на жи…"."""

    #: the lines a cell wraps to at most
    LINES = 2
    #: the least share of the room beside the date that is what changed's
    CHANGES_SHARE = 1 / 3
    #: the branches' width before a row, each level (Qt's 20 px took the date column 40 px
    #: for an earlier version's row, and a Bulgarian title its second word)
    INDENTATION = 12

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setUniformRowHeights(False)
        self.setIndentation(self.INDENTATION)
        # The stretched last column (what changed) may be narrower than Qt's 100 px where the
        # title needs the room (a count, "12 отговора", takes 91).
        self.header().setDefaultSectionSize(self.header().minimumSectionSize())
        # Qt's own layout measures the rows: the tree paints a cell's text at its section's width
        self.delegate = WrappingDelegate(
            self, by_style=True, top_aligned=True, most_lines=self.LINES
        )
        self.setItemDelegate(self.delegate)
        # rows take their new heights when a column's width changes (at once: scheduled, the
        # scroll range kept the wider columns' for a moment and the tree scrolled sideways)
        self.header().sectionResized.connect(self._on_section_resized)
        # The widths the user gave the date and the title by dragging (or double-clicking) a
        # column's border: kept from then on, through a change of the window's width, a
        # re-display after a sync or a language change. The date dragged wider went back to
        # its text's width at the next re-display, the title to its fitted width whenever the
        # window's width changed. Where the pane is too narrow for one, it is shown narrower
        # (``fit_columns``), and as the user left it again once there is room.
        self.user_widths: dict[int, int] = {}
        self._fitting = False  # the widths set here, not by the user
        # A mouse button down on the header itself (a border dragged, or double-clicked): the
        # button held anywhere else (the window's border dragged, a click not let go of yet)
        # took the widths Qt sets as columns are added for the user's, and the date stayed
        # at Qt's 100 px, "6 dec. 2026, 17:06" cut off.
        self._header_pressed = False
        self.header().viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.header().viewport():
            kind = event.type()
            if kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick):
                self._header_pressed = True
            elif kind == QEvent.Type.MouseButtonRelease:
                self._header_pressed = False
        return super().eventFilter(watched, event)

    def _on_section_resized(self, index: int, old: int, new: int) -> None:
        # The user's: with the mouse button down on the header (Qt sets widths of its own
        # too, as columns are added), and not while this tree fits them.
        by_user = self._header_pressed
        if by_user and not self._fitting and index in (0, 1) and new > 0:
            self.user_widths[index] = new
        if old != new:
            self.doItemsLayout()

    def fit_date(self) -> None:
        """The date as wide as it is (beside its branches), unless the user gave it a width."""
        if 0 in self.user_widths:
            return
        self._fitting = True
        try:
            self.resizeColumnToContents(0)
        finally:
            self._fitting = False

    def texts(self, column: int) -> list[str]:
        """The texts of ``column``, of the visits and their earlier versions."""
        found: list[str] = []
        for index in range(self.topLevelItemCount()):
            item = self.topLevelItem(index)
            rows = [item, *(item.child(i) for i in range(item.childCount()))] if item else []
            found.extend(row.text(column) for row in rows if row is not None)
        return found

    def fit_columns(self) -> None:
        """The title's width for the pane's: fitted, or the user's as far as it fits. A width
        the user gave the date or the title stayed whatever the pane's width: a title dragged
        wider at 1366 px pushed what changed out of sight at 800, the history scrolling
        sideways. The user's width is kept while it fits beside what changed's least; where it
        does not, the column is as wide as fits (the date not narrower than its text), and
        the user's width comes back when the pane is wide enough again."""
        self._fitting = True
        try:
            if 0 in self.user_widths:
                self._fit_users_date()
            self._fit_title()
        finally:
            self._fitting = False

    def _changes_least(self) -> int:
        """What changed's least width: its heading, and its shortest text on one line (a
        count, "12 отговора")."""
        shortest = min((self.delegate.widths([text])[0] for text in self.texts(2)), default=0)
        return max(self.header().sectionSizeFromContents(2).width(), shortest)

    def _fit_users_date(self) -> None:
        header, wanted = self.header(), self.user_widths[0]
        titles = self.texts(1)
        # the title keeps its longest word beside it (or the user's narrower width)
        title_least = self.delegate.widths(titles)[1] if titles else header.minimumSectionSize()
        title_least = min(title_least, self.user_widths.get(1, title_least))
        fits = self.viewport().width() - title_least - self._changes_least()
        text = max(self.sizeHintForColumn(0), header.sectionSizeHint(0))
        header.resizeSection(0, max(min(wanted, fits), min(wanted, text)))

    def _fit_title(self) -> None:
        header = self.header()
        room = self.viewport().width() - header.sectionSize(0)
        if room <= 0:
            return
        if 1 in self.user_widths:  # the user's title as far as it fits: what changed the rest
            wanted = min(self.user_widths[1], room - self._changes_least())
        else:
            # on one line where that leaves what changed its least, else as many lines as it
            # takes
            titles = self.texts(1)
            title = self.delegate.widths(titles)[0] if titles else room // 2
            least = max(int(room * self.CHANGES_SHARE), self._changes_least())
            wanted = min(title, room - least)
        wanted = max(header.minimumSectionSize(), wanted)
        header.resizeSection(1, wanted)
        # The stretched last column does not shrink below a width of its own (Qt keeps it at
        # least the default section size, 100 px): beside "10 отговора" (89 px) the Bulgarian
        # title took the 11 px left and the tree scrolled sideways, cutting the answers off.
        # Measured from the sections before it, not the header's length: as the window
        # narrows, the stretched column still has its wider width here (the header is resized
        # after the tree's viewport), and the overflow that made took a user's title down to
        # 28 px.
        last = max(header.defaultSectionSize(), header.minimumSectionSize())
        overflow = header.sectionSize(0) + wanted + last - self.viewport().width()
        if overflow > 0:
            header.resizeSection(1, max(header.minimumSectionSize(), wanted - overflow))

    def viewportEvent(self, event: QEvent) -> bool:
        # The pane's width, and a vertical scroll bar coming or going: the columns fitted to
        # the width left (with one, the answers were cut off by its 14 px, the tree scrolled)
        if event.type() == QEvent.Type.Resize:
            self.fit_columns()
        return super().viewportEvent(event)

    def sizeHint(self) -> QSize:
        """As high as its least: the tab's layout gives it the room there is (its stretch).
        Qt's 192 px were asked of the scrolling tab for any history, and with a notice above
        the tabs (a likely duplicate, two rows of buttons) the tab scrolled by them though its
        summary and history fitted."""
        return QSize(super().sizeHint().width(), self.minimumSizeHint().height())


class VisitsTab(QWidget):
    """The person's visits, newest first; earlier revisions under each visit."""

    open_visit = Signal(object)  # visits.Visit
    continue_carried = Signal(object)  # visits.CarriedDraft

    def __init__(
        self,
        session: Session,
        log_view: Callable[[str, str, dict[str, str | int]], None],
        background: Background,
        continued_by: Callable[[str], str] = lambda _form_id: "",
    ) -> None:
        super().__init__()
        self.session = session
        self._log_view = log_view  # the window's: written off the UI thread
        # The window's task runner: the summary is read on it (``show_summary``).
        self._background = background
        # Counts the summaries asked for: only the answer to the last one is shown, and whose
        # summary is shown (None: none).
        self._summary_asked = 0
        self._summary_of: str | None = None
        # The person whose opening is to be logged as a view of their latest check when their
        # summary arrives (a re-display asked for meanwhile does not lose it).
        self._summary_to_log: str | None = None
        # The text of the button that opens (and so continues) a form, by its id.
        self._continued_by = continued_by
        self.person: Person | None = None
        self.visits: list[visits.Visit] = []
        self.tree = _HistoryTree()
        self.tree.setObjectName("visit_history")
        self.tree.setColumnCount(3)
        self.tree.setRootIsDecorated(True)
        # The form's title and what changed share the pane's width, elided with their whole
        # text in a tooltip: sized to their contents, the long titles of Bulgarian, Romanian or
        # German pushed the answers out of sight.
        history_header = self.tree.header()
        history_header.setStretchLastSection(True)
        for column in (0, 1):
            history_header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.tree.itemActivated.connect(self._on_item_activated)
        self.tree.currentItemChanged.connect(self._on_current_item_changed)
        # the pane is narrow: the selected version's changes are also shown in full below
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setObjectName("visit_detail")
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        # a helper sees that restricted answers exist in the form but are not shown to them
        self.withheld_note = QLabel()
        self.withheld_note.setObjectName("withheld_note")
        self.withheld_note.setWordWrap(True)
        self.withheld_note.setStyleSheet(WITHHELD_STYLE)
        self.withheld_note.hide()
        # A form left unfinished (the person had to go): said where the person's visits are,
        # with the button that continues it. The page said "No visits yet" and nothing else,
        # and the half-filled check was found only by starting a visit again.
        self.drafts_note = QLabel()
        self.drafts_note.setObjectName("drafts_note")
        self.drafts_note.setWordWrap(True)
        self.drafts_note.setStyleSheet(WITHHELD_STYLE)
        self.drafts_note.hide()
        # A draft of an entry merged into this one, of a form this entry had begun too: kept
        # beside this entry's (``merges.carry_drafts``), said with a way to continue or
        # discard it. A merge arriving by sync deleted it without a word.
        self.carried_box = QWidget()
        self.carried_box.setObjectName("carried_drafts")
        self.carried_layout = QVBoxLayout(self.carried_box)
        self.carried_layout.setContentsMargins(0, 0, 0, 0)
        self.carried_box.hide()
        self.carried: list[visits.CarriedDraft] = []
        self.carried_notes: list[QLabel] = []
        self.carried_buttons: list[tuple[QPushButton, QPushButton]] = []
        self.discard_question: QMessageBox | None = None
        self.edit_button = QPushButton()
        self.edit_button.clicked.connect(self._on_edit_clicked)
        # What the next advisor reads first: the children, open referrals and what was agreed
        # were found only by opening each visit.
        self.summary = PersonSummaryView(session.store)
        # The note has a line of its own: beside the button it made the tab (and the person's
        # page) some 500 px wide in Bulgarian, squeezing the people list.
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addWidget(self.summary)
        layout.addWidget(self.drafts_note)
        layout.addWidget(self.carried_box)
        layout.addWidget(self.withheld_note)
        layout.addWidget(self.tree, 1)  # the room the others leave
        layout.addWidget(self.detail)
        layout.addWidget(self.empty)
        layout.addWidget(self.edit_button)
        # The tab scrolls, its history kept at its least height: on a 1100 x 700 laptop a
        # helper's summary, the note on what is withheld and the history needed more room than
        # the tab has, and the summary's heading and lines were each cut to half a line.
        self.scroll_area = QScrollArea()
        self.scroll_area.setObjectName("visits_scroll")
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroll_area.setWidget(content)
        self.scroll_area.viewport().setAutoFillBackground(False)
        content.setAutoFillBackground(False)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll_area)
        self.retranslate()

    def retranslate(self) -> None:
        self.tree.setHeaderLabels([_("Date"), _("Form"), _("Answers")])
        self.tree.setAccessibleName(_("Visit history"))
        self.empty.setText(_("No visits yet."))
        self.edit_button.setText(_("&Open / edit visit"))
        self.summary.retranslate()
        self.reload()

    def show_person(self, person: Person | None) -> None:
        """``person`` opened: nothing of a summary read before is shown under their name
        until theirs is read, also where it was theirs (the entry kept after a merge, shown
        again: "No check of the life situation yet" and one open referral of two stayed while
        the merged entry's summary was read)."""
        self.person = person
        self._summary_of = None
        self.reload(log_view=True)

    def reread(self, person: Person) -> None:
        """The person shown, read again after a sync: their visits as they are now, the version
        selected and the scroll position kept, no new view logged."""
        current = self.tree.currentItem()
        top = current.parent() or current if current is not None else None
        chosen: tuple[str | None, int] = (None, 0)
        if top is not None and current is not None:
            index = top.data(0, Qt.ItemDataRole.UserRole)
            if isinstance(index, int) and 0 <= index < len(self.visits):
                child = top.indexOfChild(current) + 1 if current is not top else 0
                chosen = (self.visits[index].id, child)
        scroll = self.tree.verticalScrollBar().value()
        self.person = person
        self.reload()
        ids = [visit.id for visit in self.visits]
        if chosen[0] in ids and (item := self.tree.topLevelItem(ids.index(chosen[0]))):
            child = chosen[1]
            version = item.child(child - 1) if 0 < child <= item.childCount() else None
            self.tree.setCurrentItem(version or item)
        self.tree.verticalScrollBar().setValue(scroll)

    def reload(self, *, log_view: bool = False) -> None:
        """Show the person's visits; ``log_view`` when the person was just opened (one audit
        entry per opening, not per re-display after a language change or a save)."""
        self.tree.clear()
        self.visits = (
            visits.visit_history(
                self.session.store, self.session.user, self.person.id, log_view=False
            )
            if self.person
            else []
        )
        if log_view and self.person is not None:
            self._log_view("visits", self.person.id, {"count": len(self.visits)})
        self.show_summary(log_view=log_view)
        self.show_drafts()
        kinds = sorted({kind for visit in self.visits for kind in visit.withheld})
        self.withheld_note.setText(withheld_text(kinds))
        self.withheld_note.setVisible(bool(kinds))
        for index, visit in enumerate(self.visits):
            versions = [visit.answers] + [rev.answers for rev in visit.earlier]
            item = QTreeWidgetItem(
                [
                    _date(visit.finished_at),
                    _visit_title(visit),
                    _current_changes(self.session.store, visit, versions),
                ]
            )
            recorded = [visit.form_version] + [rev.form_version for rev in visit.earlier]
            item.setData(0, Qt.ItemDataRole.UserRole, index)
            _whole_in_tooltips(item)
            for position, rev in enumerate(visit.earlier, start=1):
                _whole_in_tooltips(
                    QTreeWidgetItem(
                        item,
                        [
                            _date(rev.saved_at),
                            _("earlier version {n}").format(n=len(versions) - position),
                            _changes(
                                self.session.store, visit.form_id, versions, position, recorded
                            ),
                        ],
                    )
                )
            self.tree.addTopLevelItem(item)
        self.tree.expandAll()
        if (first := self.tree.topLevelItem(0)) is not None:
            self.tree.setCurrentItem(first)
        self.detail.setVisible(bool(self.visits))
        self.tree.fit_date()
        self.tree.fit_columns()
        self.empty.setVisible(not self.visits)
        self.edit_button.setEnabled(bool(self.visits))

    def show_summary(self, *, log_view: bool = False, fresh: bool = False) -> None:
        """The summary of the person shown; ``log_view``: the latest check it read is logged
        as a view of that visit (the referrals listed are logged by their own tab). From the
        visits listed, or (``fresh``) read again: a change saved elsewhere.

        Read on a worker thread: it took tens of ms of the UI thread for each person shown, at
        each step of an arrow key held down the people list. Another person's summary is
        hidden at once; an answer that comes after another was asked for is dropped."""
        store, user, person = self.session.store, self.session.user, self.person
        self._summary_asked += 1
        asked = self._summary_asked
        if person is None or store.closed:
            self.summary.show_summary(None)
            self._summary_of = None
            return
        if self._summary_of != person.id:
            # Nothing of the person before under this one's name while it is read.
            self.summary.blank()
            self._summary_of = None
        if log_view:
            self._summary_to_log = person.id
        history = None if fresh else list(self.visits)

        def read() -> tuple[PersonSummary, ServiceDirectory]:
            summary = person_summary(store, user, person.id, history=history, log_view=False)
            return summary, reference.service_directory(store)  # names its referrals

        def arrived(found: tuple[PersonSummary, ServiceDirectory]) -> None:
            summary, directory = found
            if asked != self._summary_asked:  # another person, or a later change, asked since
                return
            if self._summary_to_log == person.id:
                for visit_id, form in (
                    (summary.visit_id, "life_situation"),
                    (summary.skills_visit_id, "skills_check"),
                ):
                    if visit_id:
                        self._log_view("visit", person.id, {"visit_id": visit_id, "form": form})
            self.summary.show_summary(summary, directory)
            self._summary_of, self._summary_to_log = person.id, None

        self._background(
            read,
            arrived,
            lambda _exc: None,  # the store closed or busy: read again with the next change
        )

    def show_drafts(self) -> None:
        """Say which forms of the person shown are unfinished, and how to go on with them."""
        store, user = self.session.store, self.session.user
        if store.closed:  # a form that closed after the window's store (quitting, a test's end)
            return
        drafts = visits.list_open_drafts(store, user, self.person.id) if self.person else []
        self.drafts_note.setText(
            "\n".join(
                _("Not finished yet: {form}, draft of {time}. “{button}” continues it.").format(
                    form=form_title(d.form_id),
                    time=_date(d.updated_at),
                    button=self._continued_by(d.form_id),
                )
                for d in drafts
            )
        )
        self.drafts_note.setVisible(bool(drafts))
        self.show_carried()

    def show_carried(self) -> None:
        """Say which drafts of entries merged into this one are kept beside its own, each
        with a button to continue it and one to discard it."""
        store, user = self.session.store, self.session.user
        found = visits.list_carried_drafts(store, user, self.person.id) if self.person else []
        while (item := self.carried_layout.takeAt(0)) is not None:
            if (gone := item.widget()) is not None:
                gone.hide()
                gone.deleteLater()
        self.carried, self.carried_notes, self.carried_buttons = found, [], []
        texts = [text for _c in found for text in (_("Continue it"), _("Discard it…"))]
        keys = choose_keys(texts, keys_in(self.window(), outside=[self.carried_box]))
        for index, carried in enumerate(found):
            frame = QWidget()
            frame.setObjectName("carried_draft")
            note = QLabel(_carried_text(carried))
            note.setWordWrap(True)
            note.setTextFormat(Qt.TextFormat.PlainText)
            note.setStyleSheet(WITHHELD_STYLE)  # as the note on the entry's own drafts
            go_on, discard = (
                QPushButton(marked(texts[2 * index + i], keys[2 * index + i])) for i in (0, 1)
            )
            go_on.clicked.connect(lambda _c=False, c=carried: self.continue_carried.emit(c))
            discard.clicked.connect(lambda _c=False, c=carried: self._ask_discard(c))
            buttons = QHBoxLayout()
            buttons.addWidget(go_on)
            buttons.addWidget(discard)
            buttons.addStretch(1)
            rows = QVBoxLayout(frame)
            rows.setContentsMargins(0, 0, 0, 0)
            rows.addWidget(note)
            rows.addLayout(buttons)
            self.carried_layout.addWidget(frame)
            self.carried_notes.append(note)
            self.carried_buttons.append((go_on, discard))
        self.carried_box.setVisible(bool(found))

    def _ask_discard(self, carried: visits.CarriedDraft) -> None:
        def answered(_discarded: bool) -> None:
            self.discard_question = None
            self.show_drafts()

        self.discard_question = ask_discard_carried(self, self.session, carried, answered)

    def _on_current_item_changed(
        self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None
    ) -> None:
        self.detail.setText(f"{current.text(1)}: {current.text(2)}" if current else "")

    def _on_item_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        top = item
        while (parent := top.parent()) is not None:
            top = parent
        index = top.data(0, Qt.ItemDataRole.UserRole)
        if isinstance(index, int):
            self.open_visit.emit(self.visits[index])

    def _on_edit_clicked(self) -> None:
        item = self.tree.currentItem() or self.tree.topLevelItem(0)
        if item is not None:
            self._on_item_activated(item, 0)


def _carried_text(carried: visits.CarriedDraft) -> str:
    """What a person's page says of a draft kept from the entry merged into theirs."""
    draft = carried.draft
    form, date = form_title(draft.form_id), _date(draft.started_at)
    if carried.author:
        return _("An unfinished {form} from the merged entry (begun {date} by {user}).").format(
            form=form, date=date, user=carried.author
        )
    return _("An unfinished {form} from the merged entry (begun {date}).").format(
        form=form, date=date
    )


def _whole_in_tooltips(item: QTreeWidgetItem) -> None:
    """The form's title and the changes whole, where a narrow column elides them."""
    for column in (1, 2):
        item.setToolTip(column, item.text(column))


def _changes(
    store: Store,
    form_id: str,
    versions: list[dict[str, Any]],
    position: int,
    recorded: list[int],
) -> str:
    """What changed in ``versions[position]`` against the version before it (newest first),
    the answers named in the words of the version of the form it was saved with
    (``recorded[position]``) where that is an earlier one known here: a check of version 3
    corrected while version 4 is in force names what it changed as version 3 asked it."""
    answers = versions[position]
    if position + 1 >= len(versions):
        return ngettext("{n} answer", "{n} answers", len(answers)).format(n=len(answers))
    before = versions[position + 1]
    version = recorded[position] if position < len(recorded) else 0
    definition = visits.form_worded_as_recorded(store, form_id, version)
    names = []
    for key in sorted(set(answers) | set(before)):
        if answers.get(key) != before.get(key):
            try:
                names.append(pick(definition.field(key).label, current_language()))
            except KeyError:
                names.append(key)
    return _("changed: {fields}").format(fields=", ".join(names)) if names else "—"


def _current_changes(store: Store, visit: visits.Visit, versions: list[dict[str, Any]]) -> str:
    """What the visit's current version changed; said with when, where it was edited on another
    day than the visit's: a correction keeps the visit's own date (``finished_at``) in the
    first column, and the day it was corrected would be seen nowhere else."""
    recorded = [visit.form_version] + [rev.form_version for rev in visit.earlier]
    changes = _changes(store, visit.form_id, versions, 0, recorded)
    if not visit.earlier or changes == "—":
        return changes
    saved = visits.changed_at(visit.updated_hlc)
    if _local_day(saved) == _local_day(visit.finished_at):
        return changes
    return _("{changes} (on {moment})").format(changes=changes, moment=_date(saved))


def _local_day(iso_timestamp: str) -> dt.date | None:
    try:
        return dt.datetime.fromisoformat(iso_timestamp).astimezone().date()
    except ValueError:
        return None


def _date(iso_timestamp: str) -> str:
    try:
        when = dt.datetime.fromisoformat(iso_timestamp).astimezone()
    except ValueError:
        return iso_timestamp
    return format_moment(when)


# ---------------------------------------------------------------------------------------------
# quick contact


class QuickContactDialog(QDialog):
    """An anonymous contact in a few seconds: no name, counts in the reports."""

    recorded = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        life = visits.form("life_situation")
        lang = current_language()
        self.setWindowTitle(_("Quick contact"))
        self.hint = QLabel(_("Anonymous: no name is recorded. The contact counts in the reports."))
        self.hint.setWordWrap(True)
        self.date = QDateEdit(QDate.currentDate())
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("dd.MM.yyyy")
        self.date.setMaximumDate(QDate.currentDate())
        self.language = QComboBox()
        self.nationality = QComboBox()
        self.sex = QComboBox()
        self.language.addItem("—", None)
        for combo, field_id in (
            (self.language, "session_language"),
            (self.nationality, "nationality"),
            (self.sex, "sex"),
        ):
            if combo is not self.language:
                combo.addItem(_("(not stated)"), "")
            fdef = life.field(field_id)
            for option in fdef.options or []:
                text = pick(option.label, lang)
                # languages standing alone start upper case (widgets.standing_alone)
                combo.addItem(standing_alone(text) if combo is self.language else text, option.id)
        self.topics: dict[str, QCheckBox] = {}
        topics_box = QWidget()
        grid = QGridLayout(topics_box)
        grid.setContentsMargins(0, 0, 0, 0)
        # One column: in Bulgarian and Romanian two columns of these labels made the dialog
        # wider than the main window.
        for index, option in enumerate(life.field("topics").options or []):
            check = QCheckBox(pick(option.label, lang))
            check.setObjectName(f"topic:{option.id}")
            grid.addWidget(check, index, 0)
            self.topics[option.id] = check
        self.referral = QCheckBox(_("&Referral given"))
        self.error = ErrorLabel()
        form = QFormLayout()
        date_label = QLabel(_("&Date"))
        date_label.setBuddy(self.date)
        # required, marked as the forms mark theirs: Save said so only after it was pressed
        lang_label = QLabel(_("&Language of the session") + " *")
        lang_label.setBuddy(self.language)
        form.addRow(date_label, self.date)
        form.addRow(lang_label, self.language)
        # Alt+letter goes to the first topic, Tab and Space on through the others
        topics_label = QLabel(_("&Topics") + " *")
        topics_label.setBuddy(next(iter(self.topics.values())))  # a choice has options
        form.addRow(topics_label, topics_box)
        form.addRow("", self.referral)
        nat_label = QLabel(_("&Nationality (optional)"))
        nat_label.setBuddy(self.nationality)
        sex_label = QLabel(_("S&ex (optional)"))
        sex_label.setBuddy(self.sex)
        form.addRow(nat_label, self.nationality)
        form.addRow(sex_label, self.sex)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._on_save_clicked)
        self.keeps_input = KeepsInput(self, self.contact)  # Escape by reflex lost the ticks
        self.buttons.rejected.connect(self.keeps_input.cancel)
        self.recording = DialogSave(self, self.buttons)  # on a worker thread
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def contact(self) -> visits.QuickContact:
        qdate = self.date.date()
        return visits.QuickContact(
            contact_date=dt.date(qdate.year(), qdate.month(), qdate.day()),
            session_language=self.language.currentData() or "",
            topics=tuple(oid for oid, check in self.topics.items() if check.isChecked()),
            referral_given=self.referral.isChecked(),
            nationality=self.nationality.currentData() or "",
            sex=self.sex.currentData() or "",
        )

    def _on_save_clicked(self) -> None:
        store, user, contact = self.session.store, self.session.user, self.contact()
        self.recording.start(
            lambda: visits.record_quick_contact(store, user, contact),
            self._on_recorded,
            self._on_record_failed,
        )

    def _on_recorded(self, contact_id: str) -> None:
        self.recorded.emit(contact_id)
        self.accept()

    def _on_record_failed(self, exc: Exception) -> None:
        if isinstance(exc, ValidationFailed):
            names = {
                "contact_date": _("Date"),
                "session_language": _("Language of the session"),
                "topics": _("Topics"),
                "nationality": _("Nationality"),
                "sex": _("Sex / gender"),
            }
            self.error.show_message(
                "\n".join(f"{names.get(e.field, e.field)}: {field_message(e)}" for e in exc.errors)
            )
            # The keyboard goes to what is to be corrected: it stayed on the button or topic
            # Enter was pressed on, and the message is under the whole list of topics.
            inputs: dict[str, QWidget] = {
                "contact_date": self.date,
                "session_language": self.language,
                "topics": next(iter(self.topics.values()), self.date),
                "nationality": self.nationality,
                "sex": self.sex,
            }
            first = inputs.get(exc.errors[0].field) if exc.errors else None
            if first is not None:
                first.setFocus()
        else:
            raise exc  # not one to correct here: the application's error handler

    def reject(self) -> None:
        self.recording.dismiss()
        super().reject()


def _visit_title(visit: visits.Visit) -> str:
    """A visit as the list names it: its form, and which of its saved versions is shown where
    it was edited. Counted by saves, not by the record's revision, which a merge or a sync
    also counts up: a visit never edited read "version 2" after its person was merged, and
    "version 1" beside the data copy's "form version 5" (the form's own version)."""
    if not visit.earlier:
        return form_title(visit.form_id)
    return _("{form}, edited (version {n})").format(
        form=form_title(visit.form_id), n=len(visit.earlier) + 1
    )


def ask_discard_carried(
    parent: QWidget,
    session: Session,
    carried: visits.CarriedDraft,
    answered: Callable[[bool], None],
) -> QMessageBox:
    """Discard a draft kept from a merged entry once the user confirms: its answers exist
    nowhere else. ``answered(True)`` once it is discarded, ``answered(False)`` if not."""
    draft = carried.draft

    def confirmed(yes: bool) -> None:
        if yes:
            visits.discard_carried_draft(
                session.store, session.user, draft.person_id, draft.form_id, carried.carried_from
            )
        answered(yes)

    return ask_to_confirm(
        parent,
        _("Discard the unfinished form?"),
        _(
            "The answers of the unfinished {form} from the merged entry (begun {date}) are "
            "deleted. This cannot be undone."
        ).format(form=form_title(draft.form_id), date=_date(draft.started_at)),
        _("&Discard"),
        confirmed,
    )


# ---------------------------------------------------------------------------------------------
# open drafts at start-up


class DraftsDialog(QDialog):
    """Drafts left open (after a crash or a closed window), offered to continue. Listed anew
    after a sync (``refresh``): the drafts of a person it erased went with their record.

    Under them the drafts of entries merged into another, kept beside that entry's own
    (``carried``, marked as from the merged entry): only the person's page said so, and an
    advisor who did not open it never learnt of the answers. Continuing one opens the
    person's page and goes on as its notice does (``chosen_carried``)."""

    chosen = Signal(object)  # visits.Draft
    chosen_carried = Signal(object)  # visits.CarriedDraft
    discarded_carried = Signal(object)  # visits.CarriedDraft, gone for good

    def __init__(
        self,
        session: Session,
        drafts: list[visits.Draft],
        parent: QWidget,
        log_view: Callable[[str, str], None],
        carried: list[visits.CarriedDraft] | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        # The window's: the views are written off the UI thread, so the dialog opens at once
        # while a sync holds the store (it waited for the store with a view written per name).
        self._log_view = log_view
        self.setWindowTitle(_("Unfinished forms"))
        self.drafts: list[visits.Draft] = []
        self.carried: list[visits.CarriedDraft] = []  # listed under ``drafts``
        # The people listed since the dialog opened, by id: their view is logged once, when
        # first listed (listed anew after a sync, nobody opened anything).
        self.names: dict[str, str] = {}
        self.list = QListWidget()
        self.list.setObjectName("drafts")
        self.list.setAccessibleName(_("Unfinished forms"))  # what a screen reader calls it
        # A row longer than the list is wide (a merged entry's form, in Bulgarian) wraps onto
        # a second line rather than being read by scrolling sideways.
        self.list.setWordWrap(True)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.itemActivated.connect(lambda _item: self._on_continue_clicked())
        self.label = QLabel(_("These forms were not finished. Continue one now?"))
        self.label.setWordWrap(True)
        self.notice = WarningLabel()  # whose drafts went with their erasure
        self.buttons = QDialogButtonBox()
        self.continue_button = self.buttons.addButton(
            _("&Continue"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.later_button = self.buttons.addButton(
            _("&Later"), QDialogButtonBox.ButtonRole.RejectRole
        )
        # A merged entry's form can be discarded here, as on the person's page: only there
        # could it be before, and an advisor who did not want it had it offered at each start.
        self.discard_button = self.buttons.addButton(
            _("&Discard…"), QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.discard_button.clicked.connect(self._on_discard_clicked)
        self.discard_question: QMessageBox | None = None
        self.list.currentRowChanged.connect(lambda _row: self._update_discard())
        self.buttons.accepted.connect(self._on_continue_clicked)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.notice)
        layout.addStretch(0)  # the room of the list, once none is left: the notice stays on top
        layout.addWidget(self.buttons)
        self.resize(560, 300)
        self._show(drafts, carried or [])

    def _show(self, drafts: list[visits.Draft], carried: list[visits.CarriedDraft]) -> None:
        """List ``drafts``, then the ``carried`` ones, of the people still on record, the row
        chosen kept chosen."""
        keys = self._keys()
        current = self.list.currentRow()
        chosen = keys[current] if 0 <= current < len(keys) else None
        self.drafts, self.carried = [], []
        self.list.clear()
        for draft in drafts:
            if (name := self._name(draft.person_id)) is None:
                continue  # erased: there is nothing to continue
            self.drafts.append(draft)
            self.list.addItem(f"{name} – {form_title(draft.form_id)} ({_date(draft.updated_at)})")
        for kept in carried:
            if (name := self._name(kept.draft.person_id)) is None:
                continue
            self.carried.append(kept)
            self.list.addItem(
                _("{name} – {form}, from the merged entry (begun {date})").format(
                    name=name,
                    form=form_title(kept.draft.form_id),
                    date=_date(kept.draft.started_at),
                )
            )
        keys = self._keys()
        self.list.setCurrentRow(keys.index(chosen) if chosen in keys else 0)
        # None left (a sync erased whom they were about): only why, and a way out.
        left = bool(keys)
        for widget in (self.label, self.list, self.continue_button):
            widget.setVisible(left)
        self.later_button.setText(_("&Later") if left else _("Close"))
        self._update_discard()

    def _picked_carried(self) -> visits.CarriedDraft | None:
        """The merged entry's form chosen in the list, if one is."""
        row = self.list.currentRow() - len(self.drafts)
        return self.carried[row] if 0 <= row < len(self.carried) else None

    def _update_discard(self) -> None:
        """Offered where a merged entry's form is listed, for that one chosen: a form of the
        person's own is discarded in its window, as it always was."""
        self.discard_button.setVisible(bool(self.carried))
        self.discard_button.setEnabled(self._picked_carried() is not None)

    def _on_discard_clicked(self) -> None:
        picked = self._picked_carried()
        if picked is None or self.discard_question is not None:
            return

        def answered(discarded: bool) -> None:
            self.discard_question = None
            if not discarded:
                return
            self.discarded_carried.emit(picked)
            self.refresh()
            if not self._keys():  # nothing left to continue
                self.reject()

        self.discard_question = ask_discard_carried(self, self.session, picked, answered)

    def _name(self, person_id: str) -> str | None:
        """The person's name to list a form of theirs under (None: erased). Listed with what
        form of theirs is unfinished is more than the people list's names, so a view of them
        (property 14), once, and only written later."""
        store, user = self.session.store, self.session.user
        person = people.get_person(store, user, person_id, log_view=False)
        if person is None:
            return None
        if person_id not in self.names:
            self._log_view("person", person_id)
        self.names[person_id] = f"{person.given_name} {person.family_name}"
        return self.names[person_id]

    def _keys(self) -> list[tuple[str, ...]]:
        """What each row lists, in the list's order: a draft by person and form, a carried one
        also by the entry it came from."""
        own = [(d.person_id, d.form_id) for d in self.drafts]
        return own + [(c.draft.person_id, c.draft.form_id, c.carried_from) for c in self.carried]

    def refresh(self) -> None:
        """The drafts as they are now: a sync that erased a person took their drafts along
        (their row goes, and the dialog says why); no view is logged of anyone listed before."""
        store, user = self.session.store, self.session.user
        listed = {key[0] for key in self._keys()}
        self._show(visits.list_open_drafts(store, user), visits.list_carried_drafts(store, user))
        gone = listed - {key[0] for key in self._keys()}
        erased = [
            pid for pid in gone if people.get_person(store, user, pid, log_view=False) is None
        ]
        if erased:
            self._say_erased(erased)

    def _say_erased(self, person_ids: list[str]) -> None:
        names = ", ".join(sorted(self.names[pid] for pid in person_ids))
        self.notice.show_message(
            ngettext(
                "{names} was erased on another laptop (received with a sync); their unfinished "
                "forms went with the record.",
                "{names} were erased on another laptop (received with a sync); their unfinished "
                "forms went with the records.",
                len(person_ids),
            ).format(names=names)
        )

    def _on_continue_clicked(self) -> None:
        row = self.list.currentRow()
        rows: list[visits.Draft | visits.CarriedDraft] = [*self.drafts, *self.carried]
        if not 0 <= row < len(rows):
            return
        picked = rows[row]
        draft = picked.draft if isinstance(picked, visits.CarriedDraft) else picked
        store, user = self.session.store, self.session.user
        if people.get_person(store, user, draft.person_id, log_view=False) is None:
            # A sync erased them and the dialog was not listed anew yet (the sync's end is
            # reported a moment after its changes are stored): said, and listed anew.
            self.refresh()
            return
        if isinstance(picked, visits.CarriedDraft):
            self.chosen_carried.emit(picked)
        else:
            self.chosen.emit(picked)
        self.accept()


# ---------------------------------------------------------------------------------------------
# wiring into the main window


class VisitsFeature(QObject):
    """What ``install`` adds to the main window; kept as ``window.visits``."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        window.installEventFilter(self)
        self.session = window.session
        self.open_windows: list[VisitWindow] = []
        # The end of the desktop session closes no window (Qt 6): the program is ended after
        # this signal, and what was typed since the last autosave went with it.
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.commitDataRequest.connect(
                self._on_app_commit_data_requested, Qt.ConnectionType.DirectConnection
            )
        self.drafts_dialog: DraftsDialog | None = None
        self.quick_dialog: QuickContactDialog | None = None
        page = window.person_page
        self.start_button = QPushButton()
        self.start_button.setObjectName("start_visit")
        self.start_button.clicked.connect(lambda: self.start("life_situation"))
        self.skills_button = QPushButton()
        self.skills_button.setObjectName("skills_check")
        self.skills_button.clicked.connect(lambda: self.start("skills_check"))
        page.add_action_button(self.start_button)
        page.add_action_button(self.skills_button)
        self.tab = VisitsTab(self.session, window.log_view, window.tasks.run, self._start_text)
        self.tab.open_visit.connect(self._on_tab_open_visit)
        self.tab.continue_carried.connect(self._on_tab_continue_carried)
        self.replace_question: QMessageBox | None = None
        self.take_over_question: QMessageBox | None = None  # ``ask_take_over``'s, while open
        self._window_closing = False
        # Questions held for this user in the store (``visits.hold_question``), written one
        # after the other; closing the window waits for them (its store closes after it).
        self._held = TaskRunner(self, max_threads=1)
        # What a check just took over into the record of the person shown, whole: the status
        # line has room for "stored, completed" only (at 1100 px the list was cut off there).
        self.taken_over_notice = QLabel()
        self.taken_over_notice.setObjectName("taken_over_notice")
        self.taken_over_notice.setWordWrap(True)
        self.taken_over_notice.hide()
        self._taken_over: tuple[str, tuple[str, ...]] | None = None  # person id, fields
        page.add_notice(self.taken_over_notice)
        page.person_changed.connect(self._on_page_person_changed)
        page.add_tab(self.tab, lambda: _("Visits"))
        page.person_changed.connect(self.tab.show_person)
        page.person_reread.connect(self.tab.reread)
        window.person_data_saved.connect(self._on_window_person_data_saved)
        self.quick_action = QAction(window)
        self.quick_action.setShortcut(QKeySequence("Ctrl+Shift+K"))
        self.quick_action.triggered.connect(self.open_quick_contact)
        window.person_menu.addAction(self.quick_action)
        window.retranslated.connect(self.retranslate)
        # the sync controller is installed after this feature
        window.features_ready.connect(self._follow_syncs)
        self.retranslate()
        QTimer.singleShot(0, self.offer_drafts)
        # after the window this one replaced has closed (a user switch at the lock)
        QTimer.singleShot(0, self._ask_held_for_user)

    def _ask_held_for_user(self) -> None:
        """Ask this window's user the questions of their checks held for them in the store
        (``visits.held_questions``): stored behind the lock, then another user logged in at
        the lock screen, or the program was closed or crashed before the unlock. Read on a
        worker, asked one after the other, each with the record as it is now."""
        if self._window_closing:
            return
        store, user = self.session.store, self.session.user
        self._held.run(lambda: visits.held_questions(store, user), self._ask_held, _held_failed)

    def _ask_held(self, held: list[tuple[visits.HeldQuestion, str, FactsTakenOver]]) -> None:
        waiting = list(held)

        def ask_next() -> None:
            if not waiting or self._window_closing:
                return  # (closing: they stay held, for this user's next login)
            question, person_id, facts = waiting.pop(0)
            # Finished with "Refer…": the Refer dialog for them once answered (the rest asked
            # once it is closed), as without the lock; it was left out.
            then = self._referring(person_id, ask_next) if question.refer else ask_next
            if self._locked():
                self._ask_when_unlocked(question, person_id, facts, then)
            elif self._can_ask():
                # The question does not name the person: their page is shown beside it.
                self.window.show_person(person_id)
                self.ask_take_over(person_id, facts, self._released(question, then))
            # else: not shown: they stay held, for this user's next window

        ask_next()

    def _released(
        self, question: visits.HeldQuestion, then: Callable[[], None]
    ) -> Callable[[], None]:
        """``then``, once the held ``question`` is answered: it is let go in the store."""
        store, user = self.session.store, self.session.user

        def release() -> None:
            self._held.run(
                lambda: visits.release_question(store, user, question.visit_id),
                lambda _none: None,
                _held_failed,
            )
            then()

        return release

    def _on_window_person_data_saved(self, person_id: str) -> None:
        """A referral issued or moved on: the summary of the person shown says so."""
        if self.tab.person is not None and self.tab.person.id == person_id:
            self.tab.show_summary(fresh=True)

    def _follow_syncs(self) -> None:
        controller = getattr(self.window, "sync", None)
        if controller is not None:
            controller.sync_finished.connect(self._on_sync_finished)

    def _on_sync_finished(self, result: object) -> None:
        """A sync that brought a person's erasure took their drafts along: an open list of
        drafts shows what is left."""
        from desktop_app.usecases import sync as sync_uc

        dialog = self.drafts_dialog
        applied = isinstance(result, sync_uc.SyncReport) and result.applied
        if applied and dialog is not None and dialog.isVisible():
            dialog.refresh()

    def _on_app_commit_data_requested(self, _manager: object) -> None:
        """Every open form's draft saved as it is, the forms left as they are: hidden by the
        lock, they stay hidden (the session may also go on, its end cancelled)."""
        for win in list(self.open_windows):
            win.save_draft_now()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Type.Close:
            # closing the main window closes the forms first, so their drafts are flushed
            # (a visit stored meanwhile asks nothing of a window that goes)
            self._window_closing = True
            for win in list(self.open_windows):
                win.close()
            # A question waiting for an unlock that will not come to this window (another
            # user logged in at the lock, the program closed) is held in the store, for this
            # user's next login: written before the store closes.
            self._held.wait(SAVE_WAIT_MS)
        return False

    def _on_page_person_changed(self, person: Person | None) -> None:
        """Another person opened: what a check took over into the one before is not theirs."""
        if self._taken_over is not None and (person is None or person.id != self._taken_over[0]):
            self._taken_over = None
            self.taken_over_notice.hide()

    def _say_taken_over(self, person_id: str, fields: tuple[str, ...], short: str) -> None:
        """The status line says ``short`` and the page of the person, if shown, which of their
        fields were taken over (with those taken over before, from the same check); shown
        elsewhere, the status line says it all (whole in its tooltip where it is cut)."""
        page = self.window.person_page
        if page.person is None or page.person.id != person_id:
            self.window.statusBar().showMessage(f"{short} {taken_over_text(fields)}", 8000)
            return
        if self._taken_over is not None and self._taken_over[0] == person_id:
            fields = tuple(dict.fromkeys((*self._taken_over[1], *fields)))
        self._taken_over = (person_id, fields)
        self.taken_over_notice.setText(taken_over_text(fields))
        self.taken_over_notice.show()
        self.window.statusBar().showMessage(short, 8000)

    def retranslate(self) -> None:
        if self._taken_over is not None:
            self.taken_over_notice.setText(taken_over_text(self._taken_over[1]))
        self.start_button.setText(_("Start &visit"))
        self.start_button.setToolTip(_("Check on the life situation"))
        self.skills_button.setText(_("S&kills check"))
        self.quick_action.setText(_("&Quick contact (anonymous)…"))
        self.tab.retranslate()
        for win in self.open_windows:
            win.retranslate()

    def start(
        self,
        form_id: str,
        *,
        person: Person | None = None,
        client_lang: str | None = None,
        visit: visits.Visit | None = None,
    ) -> VisitWindow | None:
        person = person or self.window.person_page.person
        if person is None:
            return None
        for win in self.open_windows:
            if win.person.id == person.id and win.form_id == form_id:
                win.raise_()
                win.activateWindow()
                return win
        draft = visits.load_draft(self.session.store, self.session.user, person.id, form_id)
        if visit is not None and draft is not None and draft.visit_id != visit.id:
            QMessageBox.information(
                self.window,
                _("Unfinished form"),
                _("This person has an unfinished form of this kind. It is opened first."),
            )
            visit = None
        win = VisitWindow(
            self.session,
            person,
            form_id,
            draft=draft,
            visit=visit if draft is None else None,
            client_lang=client_lang or client_language_of(person),
            parent=self.window,
        )
        win.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        win.finished_visit.connect(lambda visit, w=win: self._on_visit_finished(visit, w))
        win.destroyed.connect(lambda _obj=None, w=win: self._forget(w))
        # the person's page says which forms are left unfinished
        win.form_closed.connect(self.tab.show_drafts)
        self.open_windows.append(win)
        win.show()
        if draft is not None:
            win.view.focus_where_left(draft.answers)  # where the typing stopped
        elif visit is None:
            # a new check: at the first question the record did not answer
            win.view.focus_first_unanswered(not_asked_of(person))
        else:
            win.view.focus_first()
        return win

    def _start_text(self, form_id: str) -> str:
        """The text of the button on the person's page that opens ``form_id``."""
        button = self.skills_button if form_id == "skills_check" else self.start_button
        return plain(button.text())

    def _forget(self, win: VisitWindow) -> None:
        if win in self.open_windows:
            self.open_windows.remove(win)

    def _on_visit_finished(self, visit: visits.Visit, win: VisitWindow | None = None) -> None:
        self.tab.reload()
        self.window.person_data_saved.emit(visit.person_id)
        form = form_title(visit.form_id)
        facts = visit.facts
        if facts is not None and facts.filled and facts.person is not None:
            self._show_record(facts.person)
            said = _("{form} stored, personal data completed.").format(form=form)
            self._say_taken_over(visit.person_id, facts.filled, said)
        else:
            self.window.statusBar().showMessage(_("{form} stored.").format(form=form), 8000)
        refer = win is not None and win.refer_after

        def go_on() -> None:
            if refer:
                self._refer(visit.person_id)

        if facts is not None and facts.differing and self._can_ask():
            # Asked before the referral dialog opens: its letter carries the phone. A form
            # closed while it was stored asks too: the question was skipped, and the record
            # kept without a word.
            self.ask_take_over(visit.person_id, facts, go_on)
        elif facts is not None and facts.differing and self._locked():
            # Not over the lock screen (it lists the person's values): once unlocked; held
            # in the store meanwhile, for a user switch at the lock or the program's end.
            fields = tuple(d.field for d in facts.differing)
            held = visits.HeldQuestion(visit.id, fields, refer)
            self._ask_when_unlocked(held, visit.person_id, facts, go_on)
        elif facts is not None and facts.differing:
            self._keep_unasked(facts, go_on)
        else:
            go_on()

    def _locked(self) -> bool:
        locker = getattr(self.window, "locker", None)
        return bool(locker is not None and locker.is_locked)

    def _can_ask(self) -> bool:
        """Whether a question can be put in the main window now: it is shown, not locked and
        not closing."""
        return self.window.isVisible() and not self._locked() and not self._window_closing

    def _keep_unasked(self, facts: FactsTakenOver, then: Callable[[], None]) -> None:
        """The window closing or hidden: nobody to ask. Kept, as Enter would have it, and the
        status line says so (and what the check says otherwise)."""
        self.window.statusBar().showMessage(kept_text(facts), 15000)
        then()

    def _refer(self, person_id: str) -> QDialog | None:
        """The Refer dialog for the person, their page shown under it (a check finished with
        "Refer…"); None where it does not open (no referrals here, or the person is gone)."""
        referrals = getattr(self.window, "referrals", None)
        if referrals is None:
            return None
        self.window.show_person(person_id)
        page = self.window.person_page
        if page.person is None or page.person.id != person_id:
            return None  # erased meanwhile: their page says so
        dialog: QDialog | None = referrals.open_refer_dialog()
        return dialog

    def _referring(self, person_id: str, then: Callable[[], None]) -> Callable[[], None]:
        """What follows the answer to a question held for its user, of a check finished with
        "Refer…": the Refer dialog for the person, and ``then`` once it is closed."""

        def refer() -> None:
            dialog = self._refer(person_id)
            if dialog is None:
                then()
            else:
                dialog.finished.connect(lambda _result: then())

        return refer

    def _ask_when_unlocked(
        self,
        question: visits.HeldQuestion,
        person_id: str,
        facts: FactsTakenOver,
        then: Callable[[], None],
    ) -> None:
        """The question asked once the laptop is unlocked. Held for this user in the store
        meanwhile (``visits.hold_question``): where another user logs in at the lock instead,
        or the program ends (closed, or crashed), it is asked at this user's next login
        (``_ask_held_for_user``); ``question.refer``: the Refer dialog follows it."""
        locker = self.window.locker  # type: ignore[attr-defined]
        store, user = self.session.store, self.session.user
        self._held.run(
            lambda: visits.hold_question(store, user, question), lambda _none: None, _held_failed
        )
        released = self._released(question, then)

        def on_locked_changed(locked: bool) -> None:
            if locked:
                return
            locker.locked_changed.disconnect(on_locked_changed)
            if self._can_ask():
                self.ask_take_over(person_id, facts, released)
            elif not self._window_closing:
                self._keep_unasked(facts, released)

        locker.locked_changed.connect(on_locked_changed)

    def _show_record(self, person: Person) -> None:
        """The person's record as a check changed it: on their page if it is shown, and in
        the people list (its nationality and phone columns)."""
        self.window.reload_all()
        page = self.window.person_page
        if page.person is not None and page.person.id == person.id:
            page.show_person(person, reread=True)

    def ask_take_over(
        self, person_id: str, facts: FactsTakenOver, then: Callable[[], None]
    ) -> QMessageBox:
        """Where the check says otherwise than the person's record: take it over? Keeping
        them is the default (Enter, Escape); ``then`` once answered (and stored)."""
        store, user = self.session.store, self.session.user
        lines = "\n".join(difference_line(facts, d) for d in facts.differing)
        fields = tuple(d.field for d in facts.differing)

        def answered(update: bool) -> None:
            self.take_over_question = None
            if not update:
                then()
                return

            def stored(person: Person) -> None:
                self._show_record(person)
                self.window.person_data_saved.emit(person_id)
                self._say_taken_over(person_id, fields, _("Personal data updated."))
                then()

            def failed(exc: Exception) -> None:
                self.window._on_task_failed(exc)
                then()

            self.window.tasks.run(
                lambda: people.take_over_differences(store, user, person_id, facts),
                stored,
                failed,
            )

        box = ask_to_confirm(
            self.window,
            _("Personal data"),
            _(
                "This check recorded other values than the person's personal data:\n\n"
                "{differences}\n\nTake them over into the personal data?"
            ).format(differences=lines),
            _("&Update the personal data"),
            answered,
            cancel=_("&Keep them"),
        )
        box.setIcon(QMessageBox.Icon.Question)
        self.take_over_question = box
        return box

    def _on_tab_open_visit(self, visit: visits.Visit) -> None:
        # opening a visit is read afresh, and written to the audit log off the UI thread
        opened = visits.get_visit(self.session.store, self.session.user, visit.id, log_view=False)
        if opened is not None:
            self.window.log_view(
                "visit", opened.person_id, {"visit_id": opened.id, "form": opened.form_id}
            )
            self.start(opened.form_id, visit=opened)

    def _on_tab_continue_carried(self, carried: visits.CarriedDraft) -> None:
        """Continue a draft kept from the merged entry as this entry's draft of its form. Where
        this entry has one of its own, the user is asked first: it is then discarded (finish
        it first to keep both)."""
        person = self.tab.person
        if person is None or person.id != carried.draft.person_id:
            return
        self._continue_carried(carried, person)

    def _continue_carried(self, carried: visits.CarriedDraft, person: Person) -> None:
        """As ``_on_tab_continue_carried``, for ``person`` (the one shown)."""
        store, user, draft = self.session.store, self.session.user, carried.draft
        for win in self.open_windows:
            if win.person.id == person.id and win.form_id == draft.form_id:
                # Its autosave would write over the draft continued in its place.
                win.raise_()
                win.activateWindow()
                self.window.statusBar().showMessage(
                    _("Finish or close the open {form} first.").format(
                        form=form_title(draft.form_id)
                    ),
                    8000,
                )
                return

        def go_on(replace_own: bool) -> None:
            try:
                visits.continue_carried_draft(
                    store,
                    user,
                    person.id,
                    draft.form_id,
                    carried.carried_from,
                    replace_own=replace_own,
                )
            except visits.OwnDraftHeld:
                ask(visits.load_draft(store, user, person.id, draft.form_id))
                return
            except LookupError:  # discarded or continued meanwhile
                self.tab.show_drafts()
                return
            self.tab.show_drafts()
            self.start(draft.form_id, person=person)

        def ask(own: visits.Draft | None) -> None:
            def answered(confirmed: bool) -> None:
                self.replace_question = None
                if confirmed:
                    go_on(True)

            self.replace_question = ask_to_confirm(
                self.window,
                _("Unfinished form"),
                _(
                    "This entry has an unfinished {form} of its own (draft of {time}). "
                    "Continue the one from the merged entry in its place? This entry's own "
                    "draft is then discarded. To keep both, finish this entry's own first "
                    "(“{button}”), then continue the other."
                ).format(
                    form=form_title(draft.form_id),
                    time=_date(own.updated_at) if own is not None else "",
                    button=self._start_text(draft.form_id),
                ),
                _("&Replace its own draft"),
                answered,
            )

        go_on(False)

    def open_quick_contact(self) -> QuickContactDialog:
        dialog = QuickContactDialog(self.session, self.window)
        dialog.recorded.connect(
            lambda _id: self.window.statusBar().showMessage(_("Quick contact recorded."), 5000)
        )
        self.quick_dialog = dialog
        dialog.open()
        return dialog

    def offer_drafts(self) -> None:
        if self.session.store.closed:  # the window's store closed before this came round
            return
        store, user = self.session.store, self.session.user
        drafts = visits.list_open_drafts(store, user)
        carried = visits.list_carried_drafts(store, user)
        if not drafts and not carried:
            return
        dialog = DraftsDialog(self.session, drafts, self.window, self.window.log_view, carried)
        dialog.chosen.connect(self._on_draft_chosen)
        dialog.chosen_carried.connect(self._on_carried_chosen)
        # the page of the person shown no longer offers it either
        dialog.discarded_carried.connect(lambda _carried: self.tab.show_drafts())
        self.drafts_dialog = dialog
        dialog.open()

    def _on_draft_chosen(self, draft: visits.Draft) -> None:
        person = self._opened(draft.person_id)
        if person is not None:
            self.start(draft.form_id, person=person)

    def _on_carried_chosen(self, carried: visits.CarriedDraft) -> None:
        """A merged entry's draft chosen from the list: the person's page (its notice says
        of the draft) and on as its Continue goes, asking where the entry has its own."""
        person = self._opened(carried.draft.person_id)
        if person is not None:
            self._continue_carried(carried, person)

    def _opened(self, person_id: str) -> Person | None:
        """The person's page shown (and the view logged); None if they were erased."""
        person = people.get_person(self.session.store, self.session.user, person_id, log_view=False)
        if person is not None:
            self.window.log_view("person", person.id)
            self.window.person_page.show_person(person)
        return person


# The person's fields a check takes over, as named inside a sentence.
_FACT_NAMES = {
    "nationality": N_("nationality"),
    "sex": N_("sex / gender"),
    "phone": N_("phone"),
    "languages": N_("languages spoken"),
    "id_document_name": N_("name as on the ID document"),
}


def taken_over_text(fields: tuple[str, ...]) -> str:
    """The person's page's "Nationality and phone taken over into the personal data."."""
    names = format_list([_(_FACT_NAMES[f]) for f in fields], locale=current_language())
    template = _("{fields} taken over into the personal data.")
    text = template.format(fields=names)
    return standing_alone(text) if template.startswith("{fields}") else text


def _held_failed(exc: Exception) -> None:
    """A held question not written or read (the store busy past its wait, a disk error): the
    question goes as it did before it was held; the rest of the window goes on."""
    log.warning("a held question could not be kept or read: %s", type(exc).__name__)


def kept_text(facts: FactsTakenOver) -> str:
    """The status line's word that the person's record was kept where the check says
    otherwise, with nobody there to ask."""
    names = format_list(
        [_(_FACT_NAMES[d.field]) for d in facts.differing], locale=current_language()
    )
    return _("Personal data kept as it was; the check says otherwise: {fields}.").format(
        fields=names
    )


def difference_line(facts: FactsTakenOver, difference: FactDifference) -> str:
    """One line of the question: "Phone: 0176 1 → 0176 2", as the person's page shows them."""
    from desktop_app.ui.merge_dialog import person_value  # it imports this module

    person = facts.person
    assert person is not None
    before = with_values(person, {difference.field: difference.recorded})
    after = with_values(person, {difference.field: difference.checked})
    name = _(FIELD_NAMES[difference.field])
    return (
        f"{name}: {person_value(before, difference.field)} → "
        f"{person_value(after, difference.field)}"
    )


def install(window: MainWindow) -> None:
    window.visits = VisitsFeature(window)  # type: ignore[attr-defined]


def open_form_for_screenshot(
    window: MainWindow, form_id: str, client_lang: str | None, section: str | None = None
) -> QWidget:
    """For ``--screenshot --form``: the form opened for the first person in the list."""
    feature: VisitsFeature = window.visits  # type: ignore[attr-defined]
    entry = window.model.entry(0)
    person = (
        people.get_person(window.session.store, window.session.user, entry.id) if entry else None
    )
    if person is None:
        return window
    window.person_page.show_person(person)
    win = feature.start(form_id, person=person, client_lang=client_lang)
    if win is None:
        return window
    if section:
        win.view.show_section(section)
    return win
