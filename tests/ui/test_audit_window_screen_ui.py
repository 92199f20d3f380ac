"""The audit log on the advisors' most common laptop screen, 1366 × 768: it opens as wide as
the screen's free room allows, and the details take what the other columns leave, in view.
Run in a program of its own: the tests' offscreen screen is 800 × 800."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QSize

from desktop_app.ui.widgets import FRAME_ROOM
from tests.conftest import PASSWORD
from tests.ui.conftest import run_program

SCREEN = QSize(1366, 768)

SCRIPT = """
import json, os, sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
app = QApplication([])
from desktop_app.domain.person import PersonDraft
from desktop_app.i18n.text import set_language
from desktop_app.ui.audit import open_audit_window
from desktop_app.ui.main_window import MainWindow
from desktop_app.usecases import people, referrals
from desktop_app.usecases.accounts import create_first_account
from tests.conftest import record_sharing_consent
session = create_first_account(Path(sys.argv[1]), "anna", "Anna Schmidt", sys.argv[2])
# entries with long details: consents (their purposes), referrals (their services)
for given, family, service in (
    ("Мария", "Петрова-Димитрова", "familienkasse"),
    ("Ștefan", "Constantinescu", "clearingstelle"),
):
    person = people.register_person(session.store, session.user, PersonDraft(given, family))
    record_sharing_consent(session, person.id)
    referrals.issue_referral(session.store, session.user, person.id, service, "health_insurance")
set_language("bg")
window = MainWindow(session)
window.sync.timer.stop()
log = open_audit_window(window)
app.processEvents()
table, header = log.table, log.table.horizontalHeader()
details = log.model.columnCount() - 1  # the last: Details
log.grab().save(str(Path(sys.argv[3]) / "audit-log-1366-bg.png"))
free = app.primaryScreen().availableGeometry()
model = log.model
print(json.dumps({
    "screen": [free.width(), free.height()],
    "window": [log.width(), log.height()],
    "viewport": table.viewport().width(),
    "details": [table.columnViewportPosition(details), table.columnWidth(details)],
    "details_wanted": table.sizeHintForColumn(details),
    "others": [
        [table.columnWidth(c), max(table.sizeHintForColumn(c), header.sectionSizeHint(c))]
        for c in range(model.columnCount()) if c != details
    ],
    "scroll_bar": table.horizontalScrollBar().isVisible(),
    "texts": [
        [model.item(r, details).text(), model.item(r, details).toolTip()]
        for r in range(model.rowCount())
    ],
}), flush=True)
os._exit(0)  # nothing to tidy away: the store is the test's temporary folder
"""


def test_the_audit_log_opens_as_wide_and_as_tall_as_the_screen_allows_its_details_in_view(
    tmp_path: Path, shots: Path
) -> None:
    """On a 1366 × 768 screen it opened 1024 px wide, the details column as wide as its
    longest entry and behind a horizontal scroll bar. Now it opens within the screen's free
    room, wider, and the details end within the list (elided, whole in their tooltip). It
    stayed 600 px high: it opens as tall as the free room now, its frame within the screen."""
    config = tmp_path / "screen.json"
    screen = {"name": "laptop", "x": 0, "y": 0, "width": SCREEN.width()}
    screen |= {"height": SCREEN.height(), "logicalDpi": 96, "dpr": 1}
    config.write_text(json.dumps({"screens": [screen]}))
    done = run_program(
        "-c",
        SCRIPT,
        str(tmp_path / "data"),
        PASSWORD,
        str(shots),
        env={"QT_QPA_PLATFORM": f"offscreen:configfile={config}"},
    )
    assert done.returncode == 0, done.stderr
    shown = json.loads(done.stdout.strip().splitlines()[-1])
    assert shown["screen"] == [SCREEN.width(), SCREEN.height()]
    width, height = shown["window"]
    framed = QSize(width, height) + FRAME_ROOM
    assert framed.boundedTo(SCREEN) == framed, shown["window"]  # its frame within the screen
    # the columns want more than the screen has: the window takes the screen's free room
    wanted = sum(want for _width, want in shown["others"]) + shown["details_wanted"]
    assert wanted > shown["viewport"], (wanted, shown["viewport"])
    assert width == SCREEN.width() - FRAME_ROOM.width(), shown["window"]
    # and as tall: it stayed 600 px high, 128 px of the screen unused below it
    assert height == SCREEN.height() - FRAME_ROOM.height(), shown["window"]
    # every other column whole; the details from where they begin to the list's right edge,
    # elided there, no scroll bar to reach them
    for column_width, want in shown["others"]:
        assert column_width >= want, shown["others"]
    left, details_width = shown["details"]
    assert left > 0 and 300 <= details_width < shown["details_wanted"], shown["details"]
    assert left + details_width <= shown["viewport"], (shown["details"], shown["viewport"])
    assert not shown["scroll_bar"]
    # the details in Bulgarian, whole in the tooltip of what the column elides
    texts = shown["texts"]
    assert any(text.startswith("цели: ") for text, _tip in texts), texts
    assert all(text == tip for text, tip in texts)
    assert (shots / "audit-log-1366-bg.png").is_file()


NARROW = QSize(1100, 700)

# As SCRIPT, on a screen 1100 px wide, in German, an entry with long details chosen.
NARROW_SCRIPT = SCRIPT.replace('set_language("bg")', 'set_language("de")').replace(
    'log.grab().save(str(Path(sys.argv[3]) / "audit-log-1366-bg.png"))',
    """consent = next(
    r for r in range(log.model.rowCount())
    if log.model.item(r, log.model.columnCount() - 1).text().startswith("Zwecke: ")
)
before_choice = log.detail.text()
log.table.setFocus()
log.table.setCurrentIndex(log.model.index(consent, 0))
app.processEvents()
log.grab().save(str(Path(sys.argv[3]) / "audit-log-1100-de.png"))
pane = log.detail
print(json.dumps({
    "before_choice": before_choice,
    "pane": pane.text(),
    "pane_shown": pane.isVisible(),
    "pane_box": [pane.x(), pane.width(), pane.height(), pane.heightForWidth(pane.width())],
    "chosen": log.model.item(consent, log.model.columnCount() - 1).text(),
}), flush=True)""",
)


def test_at_1100_px_the_chosen_entrys_details_are_read_whole_under_the_list(
    tmp_path: Path, shots: Path
) -> None:
    """At 1100 px the other columns leave the details a few words (cut, "Zwecke: Beratung,
    Speicherung und…"), whole only in a tooltip, read by mouse. The chosen entry's details are
    shown whole under the list, wrapped within the window, by keys as by mouse."""
    config = tmp_path / "screen.json"
    screen = {"name": "laptop", "x": 0, "y": 0, "width": NARROW.width()}
    screen |= {"height": NARROW.height(), "logicalDpi": 96, "dpr": 1}
    config.write_text(json.dumps({"screens": [screen]}))
    done = run_program(
        "-c",
        NARROW_SCRIPT,
        str(tmp_path / "data"),
        PASSWORD,
        str(shots),
        env={"QT_QPA_PLATFORM": f"offscreen:configfile={config}"},
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    chosen, shown = json.loads(lines[-2]), json.loads(lines[-1])
    # the column cuts the details short at this width
    details_width = shown["details"][1]
    assert details_width < shown["details_wanted"], shown["details"]
    assert not shown["scroll_bar"]
    # nothing chosen yet: the pane says what it is for
    assert (
        chosen["before_choice"]
        == "Wählen Sie einen Eintrag: Seine Details stehen dann hier vollständig."
    )
    # chosen: the whole text, wrapped within the window and as tall as its lines
    assert chosen["pane_shown"]
    assert chosen["pane"] == chosen["chosen"] and chosen["pane"].startswith("Zwecke: ")
    x, width, height, needed = chosen["pane_box"]
    assert x >= 0 and x + width <= shown["window"][0], (chosen["pane_box"], shown["window"])
    assert height >= needed, chosen["pane_box"]
    assert (shots / "audit-log-1100-de.png").is_file()
