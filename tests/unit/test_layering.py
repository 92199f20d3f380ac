"""Qt belongs to desktop_app/ui and desktop_app/app.py only; domain imports nothing of ours."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "desktop_app"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py"))


def test_qt_only_in_ui_and_app() -> None:
    offenders = []
    for path in _modules(PACKAGE):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "ui" or rel == Path("app.py"):
            continue
        if any(name.split(".")[0] == "PySide6" for name in _imports(path)):
            offenders.append(str(rel))
    assert offenders == []


def test_sync_server_never_imports_qt_or_client_storage() -> None:
    offenders = []
    for path in _modules(ROOT / "sync_server"):
        for name in _imports(path):
            if name.split(".")[0] == "PySide6" or name.startswith(
                ("desktop_app.storage", "desktop_app.ui")
            ):
                offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert offenders == []


def test_domain_imports_nothing_of_ours_but_domain() -> None:
    offenders = []
    for path in _modules(PACKAGE / "domain"):
        for name in _imports(path):
            top = name.split(".")
            if top[0] == "desktop_app" and (len(top) < 2 or top[1] != "domain"):
                offenders.append(f"{path.name}: {name}")
            if top[0] in {"sqlalchemy", "PySide6", "httpx"}:
                offenders.append(f"{path.name}: {name}")
    assert offenders == []


def test_layering_check_sees_a_violation(tmp_path: Path) -> None:
    """The checker itself must be able to fail."""
    bad = tmp_path / "bad.py"
    bad.write_text("from PySide6.QtCore import QObject\n", encoding="utf-8")
    assert "PySide6.QtCore" in _imports(bad)


def test_every_storage_module_imports_first_in_a_fresh_interpreter() -> None:
    """models.py imports every table module to register its table; a table module that imports
    another one then meets it half loaded when it is the first import (as a test file alone)."""
    modules = [
        "desktop_app.storage." + p.stem
        for p in sorted((PACKAGE / "storage").glob("*.py"))
        if p.stem != "__init__"
    ]
    code = (
        "import importlib, sys, traceback\n"
        "try:\n"
        "    importlib.import_module(sys.argv[1])\n"
        "except Exception:\n"
        "    traceback.print_exc(limit=0)\n"
        "    sys.exit(1)\n"
    )
    failed = {}
    for module in modules:
        run = subprocess.run(
            [sys.executable, "-c", code, module], capture_output=True, text=True, cwd=ROOT
        )
        if run.returncode:
            failed[module] = run.stderr.strip().splitlines()[-1]
    assert failed == {}
