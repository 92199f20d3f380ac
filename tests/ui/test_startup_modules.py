"""What the window's start-up does before its first paint: the modules it loads, PySide6's
question to each of them, the Qt classes it sets up. Anything else waits until after it."""

from __future__ import annotations

import json
import linecache
import os
import sys
from pathlib import Path

import pytest

from tests.ui.conftest import run_program

# The program as ``python -m desktop_app.app`` runs it, noting right after its first paint
# (the store opens behind it) the modules loaded, the files whose source Python keeps in
# memory and whether Qt's wizard class was set up (PySide6 sets up every widget class the
# first time it is handed a plain widget Qt made, such as a table's viewport); then again
# once the features are in.
_AT_FIRST_PAINT = """
import json, linecache, sys
from desktop_app import app

open_behind, finish = app._open_store_behind, app._finish_probe

def noted():
    return {
        "modules": sorted(sys.modules),
        "sources": sorted(linecache.cache),
        "widget_classes_set_up": "QWizard" in vars(sys.modules["PySide6.QtWidgets"]),
    }

def open_behind_noting(*args, **kwargs):
    # right after the first paint, before the store's modules start loading on a worker
    print("at-first-paint " + json.dumps(noted()), flush=True)
    return open_behind(*args, **kwargs)

def finish_noting(*args, **kwargs):
    code = finish(*args, **kwargs)  # waits for the store and the features
    print("at-the-end " + json.dumps(noted()), flush=True)
    return code

app._open_store_behind = open_behind_noting
app._finish_probe = finish_noting
sys.exit(app.main(sys.argv[1:]))
"""

# Loaded after the first paint (the store's full modules, the features and what they use),
# or only for another kind of start (the command line, the login prompt, a chosen folder).
NOT_BEFORE_THE_FIRST_PAINT = (
    "sqlalchemy",
    "alembic",
    "reportlab",
    "pypdf",
    "httpx",
    "desktop_app.usecases.accounts",
    "desktop_app.ui.features",
    "desktop_app.letters",
    "desktop_app.sync",
    "desktop_app.cli",
    "desktop_app.ui.login",
    "platformdirs",
    # the list's dates, count and countries come from i18n/cldr_cache.py
    "babel",
)


def _noted(store: Path) -> tuple[dict[str, object], dict[str, object]]:
    probe = ("--password-stdin", "--account", "anna", "--startup-probe", "--lang", "de")
    done = run_program(
        "-c", _AT_FIRST_PAINT, "--data-dir", str(store), *probe, stdin="a good password\n"
    )
    assert done.returncode == 0, done.stderr
    lines = {line.split(" ", 1)[0]: line.split(" ", 1)[1] for line in done.stdout.splitlines()}
    assert "first_row=1" in lines["startup-probe"]  # the first paint showed people
    return json.loads(lines["at-first-paint"]), json.loads(lines["at-the-end"])


def _loaded(modules: object, name: str) -> bool:
    assert isinstance(modules, list)
    return any(m == name or m.startswith(name + ".") for m in modules)


def test_the_first_paint_waits_for_none_of_the_heavy_modules(store: Path) -> None:
    painted, end = _noted(store)
    early = [name for name in NOT_BEFORE_THE_FIRST_PAINT if _loaded(painted["modules"], name)]
    assert early == []
    # They are not simply missing: the store's modules and the features load after it.
    for name in ("sqlalchemy", "desktop_app.usecases.accounts", "desktop_app.ui.features"):
        assert _loaded(end["modules"], name), name


def test_no_widget_class_is_set_up_for_the_list_before_its_first_paint(store: Path) -> None:
    """Sizing the list's columns asked its viewport for its width: PySide6, handed a widget it
    had not seen, set up every widget class of Qt (a twentieth of the start-up) to find the
    one it is. The width comes from the viewport's resize events now."""
    painted, _end = _noted(store)
    assert painted["widget_classes_set_up"] is False


def test_no_module_source_is_read_for_pyside6(store: Path) -> None:
    """PySide6 asked of each module loaded after it whether its source names PySide6 by
    reading, decoding and keeping that source (linecache); it is asked of the file's bytes."""
    painted, end = _noted(store)
    for noted in (painted, end):
        sources = noted["sources"]
        assert isinstance(sources, list)
        ours = [s for s in sources if f"{os.sep}desktop_app{os.sep}" in s]
        assert ours == []


def test_pyside6_gets_the_answers_it_got_from_the_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same answer as before, without the source kept: 0 (uses PySide6) for a module that
    names it, -1 (leave it alone) for one that does not."""
    import desktop_app.ui  # noqa: F401  (its PySide6 set-up)

    feature = sys.modules["shibokensupport.feature"]
    (tmp_path / "wd_names_qt.py").write_text("from PySide6.QtCore import QObject\n")
    (tmp_path / "wd_plain.py").write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    names = ("wd_names_qt", "wd_plain")
    try:
        for name in names:
            exec(f"import {name}")  # through builtins.__import__, which PySide6 watches
        answers = {name: feature.pyside_feature_dict[name] for name in names}
        assert answers == {"wd_names_qt": 0, "wd_plain": -1}
        assert not [p for p in linecache.cache if str(tmp_path) in str(p)]
    finally:
        for name in names:
            sys.modules.pop(name, None)
            feature.pyside_feature_dict.pop(name, None)
