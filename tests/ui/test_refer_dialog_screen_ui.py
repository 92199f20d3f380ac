"""The refer dialog on the advisors' laptop screens, 1366 × 768 and 1280 × 720, with the
note that a sync changed the chosen service's address: nothing blank under the note, nothing
cut below it. Run in a program of its own per screen: the tests' offscreen screen is 800 × 800.

Before: the note stood in a row as tall as its narrow size hint (28 px blank under its two
lines), and with the consent's warning and the tallest service the dialog wanted 726 px, more
than either screen leaves, its buttons below the screen's edge."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QSize

from desktop_app.ui.widgets import FRAME_ROOM
from tests.conftest import PASSWORD
from tests.ui.conftest import run_program

SCRIPT = """
import json, os, sys
from pathlib import Path
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication
app = QApplication([])
from desktop_app.domain.person import PersonDraft
from desktop_app.domain.validation import FieldError
from desktop_app.i18n.text import set_language
from desktop_app.ui.application import load_fonts
from desktop_app.ui.main_window import MainWindow
from desktop_app.usecases import people, reference
from desktop_app.usecases.accounts import create_first_account
from tests.conftest import record_sharing_consent
load_fonts(app)
session = create_first_account(Path(sys.argv[1]), "anna", "Anna Schmidt", sys.argv[2])
person = people.register_person(session.store, session.user, PersonDraft(
    "Мария", "Петрова-Димитрова", "1991-04-02", languages=("bg", "ro")))
# the longest consent warning: the consent names two other services
record_sharing_consent(
    session, person.id, named="Jobcenter Dortmund, Familienkasse Nordrhein-Westfalen Ost")
screen = sys.argv[3]
window = MainWindow(session)
window.sync.timer.stop()
window.show()
window.show_person(person.id)
free = app.primaryScreen().availableGeometry()

def box(widget, dialog):
    top = widget.mapTo(dialog, widget.rect().topLeft())
    return [top.y(), top.y() + widget.height()]

out = {"screen": [free.width(), free.height()], "shown": {}}
for step, lang in enumerate(("de", "bg", "ro", "en")):
    set_language(lang)
    dialog = window.referrals.open_refer_dialog()
    app.processEvents()
    dialog.select_service("diakonie_migration")  # the tallest with the warning
    dialog.has_appointment.setChecked(True)
    app.processEvents()
    shown = {"form_spacing": dialog.form.verticalSpacing()}
    shown["plain"] = {
        "size": [dialog.width(), dialog.height()],
        "info": box(dialog.service_info, dialog),
        "reason": box(dialog.reason, dialog),
        "buttons": box(dialog.create_button, dialog),
        "notice_hidden": dialog.directory_notice.isHidden(),
    }
    files = reference.shipped_directory_files()
    files["diakonie_migration.yaml"] = files["diakonie_migration.yaml"].replace(
        "Rolandstraße 10", f"Rolandstraße {20 + step}")
    reference.publish_directory(session.store, session.user, files, "Diakonie")
    # what a sync that brought the directory ends in (``_on_sync_finished``)
    dialog._show_directory(reference.service_directory(session.store))
    app.processEvents()
    notice = dialog.directory_notice
    shown["notice"] = {
        "size": [dialog.width(), dialog.height()],
        "info": box(dialog.service_info, dialog),
        "notice": box(notice, dialog),
        "notice_lines": notice.heightForWidth(notice.width()),
        "reason": box(dialog.reason, dialog),
        "buttons": box(dialog.create_button, dialog),
        "client_lang": box(dialog.client_lang, dialog),
        "consent": [dialog.consent_note.height(),
                    dialog.consent_note.heightForWidth(dialog.consent_note.width())],
        "services": dialog.services.height(),
        "documents": dialog.documents.height(),
        "text": notice.text(),
        "visible": notice.isVisible(),
    }
    dialog.grab().save(str(Path(sys.argv[4]) / f"refer-notice-{screen}-{lang}.png"))
    # Create refused (what issue_referral answers): the messages under the fields as well
    dialog._show_errors([
        FieldError("reason", "required"),
        FieldError("contact_person", "too_long", {"max": 200}),
    ])
    app.processEvents()
    shown["errors"] = {
        "size": [dialog.width(), dialog.height()],
        "buttons": box(dialog.create_button, dialog),
        "client_lang": box(dialog.client_lang, dialog),
        "reason_error": box(dialog.errors["reason"], dialog),
        "contact_error": box(dialog.errors["contact_person"], dialog),
        "visible": all(dialog.errors[f].isVisible() for f in ("reason", "contact_person")),
    }
    dialog.grab().save(str(Path(sys.argv[4]) / f"refer-errors-{screen}-{lang}.png"))
    out["shown"][lang] = shown
    dialog.done(0)
    app.processEvents()
print(json.dumps(out), flush=True)
os._exit(0)  # nothing to tidy away: the store is the test's temporary folder
"""


@pytest.mark.parametrize("screen", [QSize(1366, 768), QSize(1280, 720)])
def test_the_directory_note_leaves_no_gap_and_the_dialog_fits_the_laptops_screen(
    tmp_path: Path, shots: Path, screen: QSize
) -> None:
    config = tmp_path / "screen.json"
    name = f"{screen.width()}x{screen.height()}"
    laptop = {"name": name, "x": 0, "y": 0, "width": screen.width(), "height": screen.height()}
    config.write_text(json.dumps({"screens": [laptop | {"logicalDpi": 96, "dpr": 1}]}))
    done = run_program(
        "-c",
        SCRIPT,
        str(tmp_path / "data"),
        PASSWORD,
        name,
        str(shots),
        env={"QT_QPA_PLATFORM": f"offscreen:configfile={config}"},
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["screen"] == [screen.width(), screen.height()]
    room = screen - FRAME_ROOM
    for lang, shown in out["shown"].items():
        spacing = shown["form_spacing"]
        plain, noted = shown["plain"], shown["notice"]
        # without the note: no hidden row's spacing between the address and "Reason"
        assert plain["notice_hidden"], lang
        assert plain["reason"][0] - plain["info"][1] == spacing, (lang, plain)
        # with it: right under the address, "Reason" right under it, its lines whole
        assert noted["visible"] and noted["text"], lang
        assert noted["notice"][0] - noted["info"][1] == spacing, (lang, noted)
        assert noted["reason"][0] - noted["notice"][1] == spacing, (lang, noted)
        height = noted["notice"][1] - noted["notice"][0]
        assert height == noted["notice_lines"], (lang, noted)
        # both within the screen's room, the buttons and the last field in view
        for size, buttons in ((plain["size"], plain["buttons"]), (noted["size"], noted["buttons"])):
            framed = QSize(*size) + FRAME_ROOM
            assert framed.boundedTo(screen) == framed, (lang, size, room)
            assert buttons[1] <= size[1], (lang, buttons, size)
        assert noted["client_lang"][1] < noted["buttons"][0], (lang, noted)
        consent_height, consent_lines = noted["consent"]
        assert consent_height >= consent_lines, (lang, noted)  # the warning whole
        assert (shots / f"refer-notice-{name}-{lang}.png").is_file()
        # refused, with two messages under the fields: still within the screen
        wrong = shown["errors"]
        assert wrong["visible"], lang
        framed = QSize(*wrong["size"]) + FRAME_ROOM
        assert framed.boundedTo(screen) == framed, (lang, wrong)
        assert wrong["buttons"][1] <= wrong["size"][1], (lang, wrong)
        assert wrong["client_lang"][1] < wrong["buttons"][0], (lang, wrong)
