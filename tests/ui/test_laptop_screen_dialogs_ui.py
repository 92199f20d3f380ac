"""The consent dialog and the letter preview on a laptop's 1024 × 700 screen: each opens
with its frame and title bar within the screen, its buttons above the screen's edge. Run in a
program of its own: the tests' offscreen screen is 800 px tall, where both fitted anyway."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QSize

from desktop_app.ui.widgets import FRAME_ROOM
from tests.conftest import PASSWORD
from tests.ui.conftest import run_program

LAPTOP = QSize(1024, 700)

SCRIPT = """
import json, os, sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
app = QApplication([])
from desktop_app.domain.person import PersonDraft
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.referrals import LetterPreview
from desktop_app.ui.visits import ConsentDialog
from desktop_app.usecases import people, referrals
from desktop_app.usecases.accounts import create_first_account
session = create_first_account(Path(sys.argv[1]), "anna", "Anna Schmidt", sys.argv[2])
person = people.register_person(session.store, session.user, PersonDraft("Мария", "Петрова"))
referral = referrals.issue_referral(
    session.store, session.user, person.id, "vhs", "integration_course", client_lang="bg"
)
window = MainWindow(session)
window.sync.timer.stop()
sizes = {}
for name, dialog in (
    ("consent", ConsentDialog(session, person, "bg", window)),
    ("preview", LetterPreview(window, referral)),
):
    sizes[name] = [dialog.width(), dialog.height()]
free = app.primaryScreen().availableGeometry()
print(json.dumps({"screen": [free.width(), free.height()], **sizes}), flush=True)
os._exit(0)  # nothing to tidy away: the store is the test's temporary folder
"""


def test_the_consent_and_the_letter_open_within_a_laptops_screen(tmp_path: Path) -> None:
    """Both opened 680 px tall whatever the screen: 720 px with a title bar and frame, on a
    700 px screen their Record consent and Print buttons below its edge."""
    config = tmp_path / "screen.json"
    screen = {"name": "laptop", "x": 0, "y": 0, "width": LAPTOP.width()}
    screen |= {"height": LAPTOP.height(), "logicalDpi": 96, "dpr": 1}
    config.write_text(json.dumps({"screens": [screen]}))
    done = run_program(
        "-c",
        SCRIPT,
        str(tmp_path / "data"),
        PASSWORD,
        env={"QT_QPA_PLATFORM": f"offscreen:configfile={config}"},
    )
    assert done.returncode == 0, done.stderr
    sizes = json.loads(done.stdout.strip().splitlines()[-1])
    assert sizes["screen"] == [LAPTOP.width(), LAPTOP.height()]
    for name in ("consent", "preview"):
        width, height = sizes[name]
        framed = QSize(width, height) + FRAME_ROOM
        assert framed.boundedTo(LAPTOP) == framed, (name, sizes[name])
        assert height >= 500, (name, sizes[name])  # no smaller than the room makes it
