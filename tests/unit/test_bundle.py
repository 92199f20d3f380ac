"""Laptop bundle: the desktop entry and spec are sound; the built bundle starts and renders.

The build test runs `make bundle` into a temporary folder (about 1.5 minutes) when PyInstaller
is available: in this Python, or at the path in WELCOME_DESK_PYINSTALLER.
"""

from __future__ import annotations

import configparser
import importlib.util
import os
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_desktop_entry_is_valid() -> None:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(ROOT / "installer" / "linux" / "welcome-desk.desktop", encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Exec"] == "welcome-desk"  # install-desktop-entry.sh puts in the real path
    assert entry["Icon"] == "welcome-desk"
    assert entry["Terminal"] == "false"
    assert entry["Categories"].endswith(";")
    for lang in ("de", "bg", "ro"):
        assert entry[f"Comment[{lang}]"]
    if shutil.which("desktop-file-validate"):
        subprocess.run(
            ["desktop-file-validate", str(ROOT / "installer/linux/welcome-desk.desktop")],
            check=True,
        )


def test_icon_svg_renders(tmp_path: Path) -> None:
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(ROOT / "resources" / "icons" / "welcome-desk.svg"))
    assert renderer.isValid()
    assert renderer.defaultSize().width() == 256


def test_inno_setup_script_installs_per_user_with_the_project_version() -> None:
    text = (ROOT / "installer" / "windows" / "welcome-desk.iss").read_text("utf-8")
    version = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["version"]
    assert "PrivilegesRequired=lowest" in text
    assert "{autopf}" in text or "{localappdata}" in text
    assert f'#define AppVersion "{version}"' in text
    for lang in ("german", "bulgarian", "romanian", "english"):
        assert f'Name: "{lang}"' in text


def _pyinstaller() -> list[str] | None:
    explicit = os.environ.get("WELCOME_DESK_PYINSTALLER")
    if explicit:
        return [explicit]
    if importlib.util.find_spec("PyInstaller") is not None:
        return [sys.executable, "-m", "PyInstaller"]
    return None


@pytest.mark.slow
def test_bundle_builds_and_starts_offscreen(tmp_path: Path) -> None:
    tool = _pyinstaller()
    if tool is None:
        pytest.skip("PyInstaller not installed (set WELCOME_DESK_PYINSTALLER or `make bundle`)")
    dist, build = tmp_path / "dist", tmp_path / "build"
    catalogs = sorted((ROOT / "translations").glob("*/LC_MESSAGES/welcome_desk.mo"))
    assert catalogs, "scripts/setup compiles the catalogs"
    written = [mo.stat().st_mtime_ns for mo in catalogs]
    started = time.perf_counter()
    subprocess.run(
        [
            "make",
            # Not `compile` again (scripts/setup compiled the catalogs): it rewrites the .mo
            # files in place, and a program the other xdist worker starts meanwhile would read
            # a half-written catalog.
            "--old-file=compile",
            "bundle",
            f"PY={sys.executable}",
            f"PYINSTALLER={' '.join(tool)}",
            "BUNDLE_PIP=true",
            f"DIST={dist}",
            f"BUILD={build}",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=900,
    )
    built = time.perf_counter() - started
    # The catalogs other tests' programs read at the same time were left as they were.
    assert [mo.stat().st_mtime_ns for mo in catalogs] == written
    folder = dist / "welcome-desk"
    for part in (
        "welcome-desk",
        "welcome-desk.desktop",
        "welcome-desk.png",
        "_internal/resources/fonts/DejaVuSans.ttf",
        "_internal/resources/forms/life_situation.yaml",
        "_internal/resources/services/jobcenter.yaml",
        "_internal/resources/letters/common.yaml",
        "_internal/resources/icons/welcome-desk-256.png",
        "_internal/translations/bg/LC_MESSAGES/welcome_desk.mo",
        "_internal/desktop_app/storage/migrations/versions/0001_people.py",
    ):
        assert (folder / part).exists(), part
    archive = next(dist.glob("welcome-desk-*-linux-x86_64.tar.gz"))
    with tarfile.open(archive) as tar:
        assert "welcome-desk/welcome-desk" in tar.getnames()

    shot = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PYTHONPATH", None)
    started = time.perf_counter()
    run = subprocess.run(
        [str(folder / "welcome-desk"), "--demo", "--screenshot", str(shot), "--lang", "bg"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
    )
    start_s = time.perf_counter() - started
    assert run.returncode == 0, run.stderr
    assert shot.stat().st_size > 10_000

    # The window's sync process is the bundle itself, told so by its first argument.
    from desktop_app.usecases.accounts import create_first_account
    from desktop_app.usecases.sync import SyncSetupError
    from desktop_app.usecases.sync_process import CHILD_FLAG, SyncProcess

    session = create_first_account(tmp_path / "store", "anna", "Anna", "password 123")
    process = SyncProcess(session.store, session.key, [str(folder / "welcome-desk"), CHILD_FLAG])
    try:
        with pytest.raises(SyncSetupError) as refused:
            process.sync()
        assert refused.value.code == "not_joined"
    finally:
        process.close()
        session.close()
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    print(
        f"bundle: build {built:.0f} s, {size / 1e6:.0f} MB unpacked, "
        f"{archive.stat().st_size / 1e6:.0f} MB tar.gz, demo start+screenshot {start_s:.1f} s"
    )
