from PySide6.QtWidgets import QMenu
from tests.ui.test_access_keys_ui import desk  # noqa: F401

def _walk(menu, path):
    for a in menu.actions():
        if a.isSeparator() or not a.text():
            continue
        if isinstance(a.menu(), QMenu):
            _walk(a.menu(), path + [a.text()])
        else:
            print("MENU", " > ".join(path + [a.text()]), "|", a.shortcut().toString(), a.isVisible())

def test_probe(qtbot, desk):  # noqa: F811
    desk.qtbot = qtbot
    w = desk.window
    for a in w.menuBar().actions():
        if isinstance(a.menu(), QMenu):
            _walk(a.menu(), [a.text()])
    _walk(w.person_page.more_menu, ["More"])
    from desktop_app.ui.help import shortcut_rows
    for r in shortcut_rows(w):
        print("ROW", r)
