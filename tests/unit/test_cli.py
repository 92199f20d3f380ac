"""The headless commands, run as real processes: exit codes and messages, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(
    *args: str, password: str | None = None, lang: str = "en"
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WELCOME_DESK_FAST_KDF": "1"}
    return subprocess.run(
        [sys.executable, "-m", "desktop_app.app", *args, "--lang", lang],
        input=(password + "\n") if password is not None else None,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


def test_init_add_search_round_trip(tmp_path: Path) -> None:
    d = str(tmp_path / "data")
    pw = "a good password"
    assert (
        run(
            "init", "--data-dir", d, "--account", "anna", "--password-stdin", password=pw
        ).returncode
        == 0
    )
    added = run(
        "people",
        "add",
        "--data-dir",
        d,
        "--password-stdin",
        "--given",
        "Ștefan",
        "--family",
        "Țăranu",
        "--dob",
        "02.05.1979",
        "--nationality",
        "RO",
        password=pw,
    )
    assert added.returncode == 0, added.stderr
    person_id = added.stdout.strip()
    found = run(
        "people", "search", "stefan taranu", "--data-dir", d, "--password-stdin", password=pw
    )
    assert found.returncode == 0
    assert found.stdout.startswith(person_id) and "Țăranu, Ștefan" in found.stdout
    dup = run(
        "people",
        "add",
        "--data-dir",
        d,
        "--password-stdin",
        "--given",
        "Stefan",
        "--family",
        "Taranu",
        "--dob",
        "1979-05-02",
        password=pw,
    )
    assert dup.returncode == 1 and "duplicates" in dup.stderr and "Traceback" not in dup.stderr


def test_wrong_password_is_a_clear_message_in_the_users_language(tmp_path: Path) -> None:
    d = str(tmp_path / "data")
    run(
        "init", "--data-dir", d, "--account", "anna", "--password-stdin", password="a good password"
    )
    result = run(
        "people", "search", "x", "--data-dir", d, "--password-stdin", password="wrong", lang="de"
    )
    assert result.returncode == 3
    assert result.stderr.strip() == "Kontoname oder Passwort ist nicht richtig."


def test_bad_input_is_reported_per_field(tmp_path: Path) -> None:
    d = str(tmp_path / "data")
    pw = "a good password"
    run("init", "--data-dir", d, "--account", "anna", "--password-stdin", password=pw)
    result = run(
        "people",
        "add",
        "--data-dir",
        d,
        "--password-stdin",
        "--given",
        " ",
        "--family",
        "x" * 10_000,
        "--dob",
        "2999",
        password=pw,
        lang="bg",
    )
    assert result.returncode == 1
    # named by the option typed, not the program's field ("date_of_birth: Această dată …")
    assert "--given: Това поле е задължително." in result.stderr
    assert "--dob: Тази дата е в бъдещето." in result.stderr
    assert "Traceback" not in result.stderr
    result = run(
        "people",
        "add",
        "--data-dir",
        d,
        "--password-stdin",
        "--given",
        "Ion",
        "--family",
        "Popescu",
        "--dob",
        "31.02.1990",
        "--phone",
        "12",
        password=pw,
        lang="ro",
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "--dob: Această dată nu există.",
        "--phone: Un număr de telefon are între 5 și 15 cifre.",
    ]


def test_foreign_database_file_is_refused_and_kept(tmp_path: Path) -> None:
    d = tmp_path / "data"
    run(
        "init",
        "--data-dir",
        str(d),
        "--account",
        "anna",
        "--password-stdin",
        password="a good password",
    )
    db = d / "welcome-desk.db"
    db.write_bytes(b"this is not a database" * 100)
    result = run(
        "people",
        "search",
        "x",
        "--data-dir",
        str(d),
        "--password-stdin",
        password="a good password",
    )
    assert result.returncode == 4 and "not a Welcome Desk database" in result.stderr
    assert db.read_bytes() == b"this is not a database" * 100


def test_missing_store_says_how_to_create_one(tmp_path: Path) -> None:
    result = run(
        "people",
        "search",
        "x",
        "--data-dir",
        str(tmp_path / "none"),
        "--password-stdin",
        password="x",
    )
    assert result.returncode == 4 and "welcome-desk init" in result.stderr


def test_demo_search_and_screenshot(tmp_path: Path) -> None:
    found = run("people", "search", "petrov", "--demo")
    assert found.returncode == 0 and len(found.stdout.splitlines()) >= 1
    png = tmp_path / "shot.png"
    shot = run("--demo", "--screenshot", str(png), lang="ro")
    assert shot.returncode == 0, shot.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


def test_forms_check_refuses_a_broken_definition(tmp_path: Path) -> None:
    assert run("forms", "check", str(ROOT / "resources" / "forms")).returncode == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\n", encoding="utf-8")
    result = run("forms", "check", str(bad))
    assert result.returncode == 1 and "bad.yaml" in result.stderr


def test_report_is_written_for_a_coordinator_and_refused_to_an_advisor(tmp_path: Path) -> None:
    from desktop_app.cli import EXIT_AUTH
    from desktop_app.domain.users import Role
    from desktop_app.usecases import accounts

    d = tmp_path / "data"
    coordinator = accounts.create_first_account(d, "anna", "Anna", "a good password")
    accounts.add_user(coordinator, "eva", "Eva", Role.ADVISOR, "advisor pass 1")
    coordinator.close()
    out = tmp_path / "report.csv"
    args = ("report", "--period", "2026-10", "--format", "csv", "--data-dir", str(d))
    refused = run(*args, "--out", str(out), "--account", "eva", "--password-stdin",
                  password="advisor pass 1")  # fmt: skip
    assert refused.returncode == EXIT_AUTH and "Traceback" not in refused.stderr
    assert refused.stderr.strip() and not out.exists()
    written = run(*args, "--out", str(out), "--account", "anna", "--password-stdin",
                  password="a good password")  # fmt: skip
    assert written.returncode == 0, written.stderr
    assert out.read_text(encoding="utf-8").strip()


def test_people_add_records_the_id_document_name_and_refuses_cyrillic_in_it(
    tmp_path: Path,
) -> None:
    d = str(tmp_path / "data")
    pw = "a good password"
    run("init", "--data-dir", d, "--account", "anna", "--password-stdin", password=pw)
    common = ("people", "add", "--data-dir", d, "--password-stdin", "--given", "Мария")
    refused = run(*common, "--family", "Георгиева", "--id-name", "Георгиева", password=pw)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert refused.stderr.strip() == (
        "--id-name: Please type the name in Latin letters, as the ID card or passport spells it."
    )
    added = run(*common, "--family", "Георгиева", "--id-name", "GUEORGUIEVA Maria", password=pw)
    assert added.returncode == 0, added.stderr
    found = run("people", "search", "Gueorguieva", "--data-dir", d, "--password-stdin", password=pw)
    assert found.stdout.startswith(added.stdout.strip()) and "Георгиева, Мария" in found.stdout


@pytest.mark.parametrize(
    ("lang", "one", "many"),
    [
        # "1 trimise" and "1 получени": the plural after 1
        ("ro", "Sincronizat: 1 trimisă, 1 primită, 1 conflict, 1 refuzată.",
         "Sincronizat: 21 de trimise, 3 primite, 0 conflicte, 20 de refuzate."),
        ("bg", "Синхронизирано: 1 изпратен, 1 получен, 1 конфликт, 1 отказан.",
         "Синхронизирано: 21 изпратени, 3 получени, 0 конфликта, 20 отказани."),
        ("de", "Synchronisiert: 1 gesendet, 1 empfangen, 1 Konflikt, 1 abgelehnt.",
         "Synchronisiert: 21 gesendet, 3 empfangen, 0 Konflikte, 20 abgelehnt."),
        ("en", "Sync done: 1 sent, 1 received, 1 conflict, 1 refused.",
         "Sync done: 21 sent, 3 received, 0 conflicts, 20 refused."),
    ],
)  # fmt: skip
def test_a_syncs_summary_puts_each_count_in_its_own_form(lang: str, one: str, many: str) -> None:
    from desktop_app.cli import _sync_summary
    from desktop_app.i18n.text import set_language

    set_language(lang)
    try:
        assert _sync_summary(1, 1, 1, 1) == one
        assert _sync_summary(21, 3, 0, 20) == many
    finally:
        set_language("en")
