"""Help menu: the keyboard shortcuts (read from the window's live actions) and the guide.

Both follow the UI language. Every menu path and button the guide names is built from the
msgid the UI itself uses, so that a renamed entry cannot leave the guide naming an old one.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMenu,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from desktop_app.domain.permissions import Action, allowed
from desktop_app.i18n.text import N_, _, current_language, gettext_in, ngettext
from desktop_app.ui.widgets import key_text

if TYPE_CHECKING:
    from desktop_app.ui.main_window import MainWindow

ARROW = " → "
DIALOG_WIDTH = 680  # some 80 characters a line: readable, and within a 1100 px window


def plain(text: str) -> str:
    """A menu or button text as the user reads it: without its access-key "&" ("&&" is "&")."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def menu_path(*msgids: str) -> str:
    """A menu path as the guide names it (``File → Sync now``), from the msgids the menus use."""
    return ARROW.join(plain(_(m)) for m in msgids)


#: the language the coordinator works in as a rule
COORDINATION_LANGUAGE = "de"


def menu_path_elsewhere(*msgids: str) -> str:
    """A menu path on another person's laptop (the coordinator's, a helper's), in the reader's
    language and, where that is not German, in German too: a Romanian helper read "Fișier →
    Laptopurile organizației" out to a coordinator whose screen says "Datei → …"."""
    here = menu_path(*msgids)
    if current_language() == COORDINATION_LANGUAGE:
        return here
    there = ARROW.join(plain(gettext_in(COORDINATION_LANGUAGE, m)) for m in msgids)
    return _("{path} (in German: {german})").format(path=here, german=there)


# A sentence that ends with a menu entry such as "Change password…" ends with its "…" (also
# when the entry is in bold): a full stop after it would read "…." in every language.
_STOP_AFTER_ELLIPSIS = re.compile(r"…((?:</[a-z]+>)*)\.(?!\.)")


def end_cleanly(text: str) -> str:
    """``text`` (plain or HTML) without a sentence's full stop right after a closing "…"."""
    return _STOP_AFTER_ELLIPSIS.sub(r"…\1", text)


# --- what the window has -----------------------------------------------------------------
@dataclass(frozen=True)
class Entry:
    """An action reachable by the mouse: its path (menu titles or a button, then entries)."""

    path: tuple[str, ...]  # as shown, without "&"
    action: QAction | None


def _menu_entries(menu: QMenu, path: tuple[str, ...]) -> Iterator[Entry]:
    for action in menu.actions():
        if action.isSeparator() or not action.text() or not action.isVisible():
            continue
        sub = action.menu()
        here = (*path, plain(action.text()))
        if isinstance(sub, QMenu):
            yield from _menu_entries(sub, here)
        else:
            yield Entry(here, action)


def window_entries(window: MainWindow) -> list[Entry]:
    """Every entry of the menu bar's menus, and every button of the window (with the entries
    of a button's own menu, such as "More…" on the person's page)."""
    entries: list[Entry] = []
    for top in window.menuBar().actions():
        top_menu = top.menu()
        if isinstance(top_menu, QMenu):
            entries.extend(_menu_entries(top_menu, (plain(top.text()),)))
    for button in window.findChildren(QAbstractButton):
        if not button.text():
            continue
        entries.append(Entry((plain(button.text()),), None))
        menu = getattr(button, "menu", lambda: None)()
        if isinstance(menu, QMenu):
            entries.extend(_menu_entries(menu, (plain(button.text()),)))
    return entries


@dataclass(frozen=True)
class ShortcutRow:
    group: str
    text: str
    keys: str


def _visit_rows() -> list[ShortcutRow]:
    """The visit form's keys: its own window, so not among the main window's actions; read
    from the constants the form's shortcuts are made of."""
    from desktop_app.ui.form_view import NEXT_SECTION_KEY, PREVIOUS_SECTION_KEY
    from desktop_app.ui.visits import FINISH_KEY

    group = _("Visit form")
    return [
        ShortcutRow(group, _("Next section"), key_text(QKeySequence(NEXT_SECTION_KEY))),
        ShortcutRow(group, _("Previous section"), key_text(QKeySequence(PREVIOUS_SECTION_KEY))),
        ShortcutRow(
            group, _("Finish the visit or save the changes"), key_text(QKeySequence(FINISH_KEY))
        ),
    ]


def _letter_rows() -> list[ShortcutRow]:
    """The letter preview's key: a window of its own as well."""
    from desktop_app.ui.referrals import PRINT_KEY

    return [ShortcutRow(_("Letter"), _("Print"), key_text(QKeySequence(PRINT_KEY)))]


def shortcut_rows(window: MainWindow) -> list[ShortcutRow]:
    """Every action and shortcut of the window that has keys, grouped by its menu (in menu
    order), then those outside any menu, then the visit form's and the letter preview's."""
    rows: list[ShortcutRow] = []
    seen: set[int] = set()

    def keys_of(action: QAction) -> str:
        return ", ".join(key_text(k) for k in action.shortcuts() if not k.isEmpty())

    for entry in window_entries(window):
        action = entry.action
        if action is None or id(action) in seen or not keys_of(action):
            continue
        seen.add(id(action))
        rows.append(ShortcutRow(ARROW.join(entry.path[:-1]), entry.path[-1], keys_of(action)))
    elsewhere = _("Main window")
    for action in window.findChildren(QAction):
        if id(action) in seen or not action.isVisible() or not action.text():
            continue
        if not keys_of(action):
            continue
        seen.add(id(action))
        rows.append(ShortcutRow(elsewhere, plain(action.text()), keys_of(action)))
    for shortcut in window.findChildren(QShortcut):
        keys = key_text(shortcut.key())
        # A shortcut says what it does in its "What's this" text; one without it is not listed.
        if keys and shortcut.whatsThis():
            rows.append(ShortcutRow(elsewhere, shortcut.whatsThis(), keys))
    return rows + _visit_rows() + _letter_rows()


class ShortcutsDialog(QDialog):
    """Help → Keyboard shortcuts: what the window's actions have, read when it is shown."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(2)
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.buttons)
        window.retranslated.connect(self.retranslate)
        self.retranslate()
        self.resize(DIALOG_WIDTH, 480)
        self.tree.setFocus()  # arrows and Page Down go through the list at once

    def retranslate(self) -> None:
        self.setWindowTitle(_("Keyboard shortcuts"))
        self.intro.setText(
            _(
                "Alt together with the underlined letter of a button or menu chooses it; Tab "
                "moves to the next field, Esc closes a dialog."
            )
        )
        self.tree.setHeaderLabels([_("Command"), _("Keys")])
        self.tree.setAccessibleName(_("Keyboard shortcuts"))
        self.tree.clear()
        group_item: QTreeWidgetItem | None = None
        for row in shortcut_rows(self.window_):
            if group_item is None or group_item.text(0) != row.group:
                group_item = QTreeWidgetItem(self.tree, [row.group])
                font = group_item.font(0)
                font.setBold(True)
                group_item.setFont(0, font)
                group_item.setFirstColumnSpanned(True)
                group_item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            QTreeWidgetItem(group_item, [row.text, row.keys])
        self.tree.expandAll()
        # The command whole (a long Bulgarian one is some 480 px), the keys in the rest.
        self.tree.resizeColumnToContents(0)
        self.tree.setColumnWidth(0, self.tree.columnWidth(0) + 24)  # a gap before the keys

    def rows(self) -> list[tuple[str, str, str]]:
        """(group, command, keys) as shown."""
        shown = []
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            assert group is not None
            for j in range(group.childCount()):
                item = group.child(j)
                assert item is not None
                shown.append((group.text(0), item.text(0), item.text(1)))
        return shown


# --- the guide ---------------------------------------------------------------------------
@dataclass
class Guide:
    """The guide's HTML, and the paths it names (each as shown, for the tests)."""

    html: str
    paths: list[tuple[str, ...]]
    msgids: list[str]  # of the menus and buttons it names


class _Builder:
    def __init__(self, window: MainWindow) -> None:
        self.entries = {e.path: e for e in window_entries(window)}
        self.paths: list[tuple[str, ...]] = []
        self.msgids: list[str] = []
        self.parts: list[str] = []

    def button(self, msgid: str) -> str:
        """A button of a dialog the guide's reader opens (its text as the dialog shows it)."""
        self.msgids.append(msgid)
        return f"<b>{html.escape(plain(_(msgid)).rstrip(':'))}</b>"

    def ref(self, *msgids: str) -> str:
        """A menu path or a button (with its menu's entry) by the msgids the UI uses; with
        its keys where the entry has some."""
        self.msgids.extend(msgids)
        path = tuple(plain(_(m)) for m in msgids)
        self.paths.append(path)
        shown = f"<b>{html.escape(menu_path(*msgids))}</b>"
        entry = self.entries.get(path)
        if entry is not None and entry.action is not None and not entry.action.shortcut().isEmpty():
            shown += f" ({html.escape(key_text(entry.action.shortcut()))})"
        return shown

    @staticmethod
    def quote(text: str) -> str:
        """What the status bar says, in the language's quotation marks."""
        # Translators: quotation marks around a text the program shows, e.g. „…“ in German.
        return html.escape(_("“{text}”").format(text=plain(text)))

    def paragraphs(self, *paragraphs: str) -> None:
        """The guide's paragraphs (HTML, see ``fill``); an empty one is left out."""
        self.parts.extend(f"<p>{p}</p>" for p in paragraphs if p)

    def section(self, heading: str, *paragraphs: str) -> None:
        self.parts.append(f"<h3>{html.escape(heading)}</h3>")
        self.paragraphs(*paragraphs)


def fill(text: str, **refs: str) -> str:
    """A translated paragraph with its references (already HTML) put in."""
    return end_cleanly(html.escape(text, quote=False).format(**refs))


def visit_keys() -> dict[str, str]:
    """The visit form's keys as the guide names them (from the constants the form uses)."""
    from desktop_app.ui.form_view import NEXT_SECTION_KEY, PREVIOUS_SECTION_KEY
    from desktop_app.ui.visits import FINISH_KEY

    keys = {"next": NEXT_SECTION_KEY, "previous": PREVIOUS_SECTION_KEY, "finish_key": FINISH_KEY}
    return {name: f"<b>{html.escape(key_text(QKeySequence(k)))}</b>" for name, k in keys.items()}


def build_guide(window: MainWindow) -> Guide:
    user = window.user
    may: Callable[[Action], bool] = lambda a: user is not None and allowed(user, a)  # noqa: E731
    b = _Builder(window)
    q = b.quote
    b.paragraphs(
        fill(
            _("Short answers for the daily work. {shortcuts} lists every key of the program."),
            shortcuts=b.ref("&Help", "&Keyboard shortcuts"),
        )
    )
    b.section(
        _("Find or register a person"),
        fill(
            _(
                "Type into the search box above the list ({find}): part of a name in any alphabet, "
                "a date of birth or a phone number. “Petrov” also finds “Петров”, and “Stefan” "
                "finds “Ștefan”."
            ),
            find=b.ref("&Edit", "&Find person"),
        ),
        fill(
            _(
                "If the person is not in the list, choose {register}. While you type the names, "
                "people who may be the same person are listed below: open the one that fits with "
                "{open_existing} instead of registering them a second time."
            ),
            register=b.ref("&Person", "&Register person…"),
            open_existing=b.button(N_("Op&en the selected person")),
        ),
    )
    b.section(
        _("The visit: life situation and skills check"),
        fill(
            _(
                "Choose the person in the list: their page opens on the right. {start} opens the "
                "check on the life situation, {skills} the skills check, each in a window of its "
                "own."
            ),
            start=b.ref("Start &visit"),
            skills=b.ref("S&kills check"),
        ),
        fill(
            _(
                "Sections show only when they concern the person: the questions about children, "
                "for example, appear once there are children in the household. Sections with "
                "health data open after the person has given consent ({consent})."
            ),
            consent=b.button(N_("Take consen&t…")),
        ),
        fill(
            _(
                "What you type is saved as a draft every few seconds, also if the laptop crashes. "
                "{close} keeps the draft for later; {finish} saves the visit."
            ),
            close=b.button(N_("&Close (draft is kept)")),
            finish=b.button(N_("&Finish visit")),
        ),
        fill(
            _(
                "Under {client_language} choose the person's language: every question is then "
                "shown in your language and in theirs side by side, so that you can read it out "
                "to them."
            ),
            client_language=b.button(N_("Also show in the client's lan&guage:")),
        ),
        fill(
            _(
                "In the form, {next} and {previous} go to the next or the previous section, "
                "and {finish_key} finishes the visit."
            ),
            **visit_keys(),
        ),
        # Where the keys of repeated entries are is not to be seen from one entry alone
        # (see GroupEditor.show_keys).
        fill(
            _(
                "Alt and a question's underlined letter go to its answer. In a list of entries "
                "(children, languages …) the letters lead into the newest entry; Tab reaches "
                "the others."
            )
        ),
    )
    b.section(
        _("Refer and print"),
        fill(
            _(
                "{refer} on the person's page (or {finish_refer} at the end of a visit) opens the "
                "referral: choose the service, the reason and the appointment if there is one, "
                "then {create}."
            ),
            refer=b.ref("&Refer…"),
            finish_refer=b.button(N_("Finish and &refer…")),
            create=b.button(N_("Create le&tter")),
        ),
        fill(
            _(
                "An appointment made later (after a phone call, say) is entered on the person's "
                "{referrals} tab: {change_status}, tick {agreed} and give the date and time. The "
                "follow-ups and a letter shown or printed again name it."
            ),
            referrals=b.button(N_("Referrals")),
            change_status=b.button(N_("Change &status…")),
            agreed=b.button(N_("Appointment agreed")),
        ),
        fill(
            _(
                "The referral letter to the service is in German; the copy for the person is in "
                "their language and says where to go, when, and which documents to bring. The "
                "preview shows both before anything is printed."
            )
        ),
        fill(
            _(
                "With no printer at hand, choose {add_to_queue}: the letters wait in {queue} "
                "until you print them all at the contact point."
            ),
            add_to_queue=b.button(N_("Add to print &queue")),
            queue=b.ref("&File", "Print q&ueue…"),
        ),
        fill(
            _(
                "A referral prepared by a helper is a draft until an advisor signs it off in the "
                "preview; only then can it be printed."
            )
        ),
    )
    b.section(
        _("Working offline and the status bar"),
        fill(
            _(
                "Welcome Desk works without a network: what you save is stored encrypted on this "
                "laptop at once, and nothing waits for a connection. When there is one, the "
                "changes are synced with the server in the background, every minute."
            )
        ),
        fill(
            _(
                "The status bar at the bottom of the window says how things stand: {online} or "
                "{offline}, how many changes are still to be sent ({pending}) and when the last "
                "sync was ({last_sync}). Changes to send are safe on this laptop; they go with the "
                "next sync."
            ),
            online=q(_("Online")),
            offline=q(_("Offline")),
            pending=q(
                ngettext("{count} change to send", "{count} changes to send", 3).format(count=3)
            ),
            last_sync=q(_("Last sync {time}").format(time="…")),
        ),
        fill(
            _(
                "To sync at once, before you leave a meeting point with a connection, for example, "
                "choose {sync_now}. {not_joined} means that this laptop has not joined an "
                "organisation: its data stays on it alone."
            ),
            sync_now=b.ref("&File", "&Sync now"),
            not_joined=q(_("Not connected to a server · all data stays on this laptop")),
        ),
    )
    b.section(
        _("When two laptops changed the same thing"),
        fill(
            _(
                "If the same thing was changed on two laptops before they synced, Welcome Desk "
                "does not choose for you: it keeps both values, and the status bar and the "
                "person's page show a conflict to decide ({conflicts})."
            ),
            conflicts=q(
                ngettext("{count} conflict to decide", "{count} conflicts to decide", 1).format(
                    count=1
                )
            ),
        ),
        fill(
            _(
                "{decide} shows both values, and on which laptop and when each was changed. Take "
                "one of them, keep both where that is possible, or enter the right value. Nothing "
                "is lost until you decide, and your decision reaches every laptop with the next "
                "sync."
            ),
            decide=b.ref("&File", "&Conflicts to decide…"),
        ),
    )
    b.section(
        _("Leaving the laptop"),
        fill(
            _(
                "Welcome Desk locks itself after some minutes without use ({lock_after}); your "
                "password unlocks it. When you step away, lock it at once: {lock_now}."
            ),
            lock_after=b.ref("&File", "Lock &after…"),
            lock_now=b.ref("&File", "&Lock now"),
        ),
        fill(
            _(
                "Several people may share one laptop: each has their own account name and "
                "password, and types both at each login (the login window shows no names). On "
                "the lock screen, {switch} lets a colleague log in. Never pass on your password; "
                "change it with {change}."
            ),
            switch=b.button(N_("&Switch user")),
            change=b.ref("&File", "Change &password…"),
        ),
        # What is lost with the laptop, and what a thief faces: it said only that the
        # coordination revokes it, and a helper whose laptop was stolen was left to wonder
        # about the intakes of the day and about the people's data on it.
        fill(
            _(
                "If a laptop is lost or stolen, tell the coordination at once: they revoke it, "
                "and it can no longer sync. What was recorded on it after its last sync has not "
                "reached the team, nor have the forms left unfinished on it: note down what you "
                "remember. Without the password of one of its accounts, nobody can read the data "
                "on it."
            )
        ),
    )
    export = (
        fill(
            _(
                "A person may have a copy of all their data: {export} on their page writes it, "
                "with a PDF in the language you choose."
            ),
            export=b.ref("&More…", "&Export data…"),
        )
        if may(Action.EXPORT_PERSON)
        else fill(
            _(
                "If a person asks for a copy of their data or for its erasure, pass it on to an "
                "advisor."
            )
        )
    )
    erase = (
        fill(
            _(
                "{erase} erases a person for good: on this laptop, on the server and on every "
                "other laptop at its next sync."
            ),
            erase=b.ref("&More…", "E&rase person…"),
        )
        if may(Action.ERASE_PERSON)
        else fill(
            _(
                "The coordination erases a person's data on request or when the retention period "
                "is over; the erasure reaches every laptop with its next sync."
            )
        )
    )
    b.section(
        _("Data protection"),
        fill(
            _(
                "Health data and other special categories are recorded only with the person's "
                "consent, taken in their language and with its date. Every opening of a person's "
                "case is logged."
            )
        ),
        export,
        erase,
    )
    if may(Action.MANAGE_LAPTOPS):
        laptops = b.ref("&File", "Lap&tops of the organisation…")
        users = b.ref("&Administration", "&Users…")
        b.section(
            _("For the coordination: laptops, forms, service directory, reports"),
            # How the laptops come in, and that accounts stay on their laptop: a coordinator
            # set up the first laptop and was left to guess both.
            # Where a further laptop's code comes from: the guide said only from whoever runs
            # the server, after the Laptops dialog could make one.
            fill(
                _(
                    "A new organisation: its first laptop joins the sync server with {join} and "
                    "an enrollment code from whoever runs the server, and makes the team key. "
                    "Every further laptop joins the same way, or in its first-start wizard, with "
                    "a code of its own, which a coordinator makes in {laptops} ({new_code}), "
                    "and shows its fingerprint ({fingerprint})."
                ),
                join=b.ref("&File", "&Join an organisation…"),
                laptops=b.ref("&File", "Lap&tops of the organisation…"),
                new_code=b.button(N_("New enrollment &code…")),
                fingerprint=b.ref("&File", "This laptop's fi&ngerprint…"),
            ),
            fill(
                _(
                    "{laptops}: approve a new laptop by the fingerprint it shows, and revoke a "
                    "lost or stolen one at once; this renews the team key. After its next sync "
                    "the new laptop asks for this laptop's fingerprint ({confirm})."
                ),
                laptops=laptops,
                confirm=b.ref("&File", "Con&firm the coordinator's laptop…"),
            ),
            # What the role chosen at the approval means: a student helper's own laptop, set
            # up with a code, gave its first account every coordinator's right.
            fill(
                _(
                    "Approving, choose who uses the new laptop: student helpers, advisors or "
                    "coordinators. No account on it works with more rights than that, its first "
                    "account included; that account still adds the laptop's accounts ({users}), "
                    "up to that role."
                ),
                users=users,
            ),
            # Lowering needs no joining again (an advisor's laptop handed to student helpers);
            # raising still does.
            fill(
                _(
                    "To lower a laptop's role later (an advisor's laptop handed to student "
                    "helpers), choose it in {laptops} and press {change}: from its next sync on it "
                    "works so, with its accounts and what it has not sent yet. A higher role takes "
                    "joining again: revoke the laptop, let it join again with a new enrollment "
                    "code and approve it for the new role; approving it again keeps the role it "
                    "has."
                ),
                laptops=laptops,
                change=b.button(N_("C&hange role of selected laptop…")),
            ),
            # What to do when a laptop is stolen, step by step: the guide said only to revoke
            # it, not what its user lost nor how they go on.
            fill(
                _(
                    "A lost or stolen laptop: revoke it in {laptops} at once. Its line there "
                    "shows its last sync: what was recorded on it after that, and the forms left "
                    "unfinished on it, are lost unless the laptop turns up again and joins again. "
                    "Its user goes on with another laptop: it joins with a new enrollment code, "
                    "and its first sync brings everything the team has recorded. Add the user's "
                    "account on that laptop ({users})."
                ),
                laptops=laptops,
                users=users,
            ),
            # A broken laptop: the guide spoke only of lost and stolen ones, and a coordinator
            # who joined the new laptop afresh lost what the old one held unsynced at its
            # backup; one who revoked the broken laptop after the restore found the new one
            # refused (it is that laptop to the server). The new laptop restores it from the
            # first start's window: an account set up first was left behind in a store.
            fill(
                _(
                    "A broken laptop: restore its last backup on the new laptop: at its first "
                    "start, choose “{first}” ({restore} on a laptop set up already). The "
                    "restored data is as it was at the "
                    "backup; its next sync brings back what the old laptop synced after the "
                    "backup, and sends what it held unsynced at the backup. What was recorded on "
                    "the old laptop after both the backup and its last sync is lost. The new "
                    "laptop syncs as the old one did. Revoke the old one only if it leaves your "
                    "hands ({laptops}): the new laptop is then told so, and joins again with a "
                    "new enrollment code, keeping its data."
                ),
                first=html.escape(_("&Restore a backup of this laptop").replace("&", "")),
                restore=b.ref("&File", "&Restore backup…"),
                laptops=laptops,
            ),
            fill(
                _(
                    "{users} manages the accounts of this laptop only: accounts are not synced. "
                    "Add a helper's or an advisor's account on the laptop they work on."
                ),
                users=users,
            ),
            fill(
                _(
                    "{directory} and {forms} export the service directory and the form "
                    "definitions to a folder and publish your edits; the other laptops use them "
                    "after their next sync."
                ),
                directory=b.ref("&Administration", "Service &directory…"),
                forms=b.ref("&Administration", "&Form definitions…"),
            ),
            fill(
                _(
                    "{reports} shows the figures per month and period (people, visits, referrals "
                    "by nationality, district, topic and service) with charts, and exports them "
                    "for the funders' reports; small counts are suppressed."
                ),
                reports=b.ref("&File", "Rep&orts…"),
            ),
        )
    return Guide("".join(b.parts), b.paths, b.msgids)


class GuideDialog(QDialog):
    """Help → Guide: short sections on the daily work, in the UI language."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)  # the guide has no links; none opens a browser
        self.browser.setTabChangesFocus(True)
        self.browser.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(self.buttons)
        self.guide = Guide("", [], [])
        window.retranslated.connect(self.retranslate)
        self.retranslate()
        self.resize(DIALOG_WIDTH, 600)
        self.browser.setFocus()

    def retranslate(self) -> None:
        self.setWindowTitle(_("Guide"))
        self.browser.setAccessibleName(_("Guide"))
        self.guide = build_guide(self.window_)
        self.browser.setHtml(self.guide.html)


def _single(window: MainWindow, name: str, make: Callable[[], QDialog]) -> QDialog:
    """One dialog of each kind per window: chosen again, it comes to the front."""
    dialog = getattr(window, name, None)
    if not isinstance(dialog, QDialog):
        dialog = make()
        setattr(window, name, dialog)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog


def open_guide(window: MainWindow) -> GuideDialog:
    dialog = _single(window, "guide_dialog", lambda: GuideDialog(window))
    assert isinstance(dialog, GuideDialog)
    return dialog


def open_shortcuts(window: MainWindow) -> ShortcutsDialog:
    dialog = _single(window, "shortcuts_dialog", lambda: ShortcutsDialog(window))
    assert isinstance(dialog, ShortcutsDialog)
    dialog.retranslate()  # actions added or changed since it was last shown
    return dialog
