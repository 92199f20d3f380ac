"""A walk through the two command lines as their users meet them, in real processes on
127.0.0.1: the city's IT person running ``welcome-desk-server`` (help, migrate on SQLite and
PostgreSQL, serve with TLS, enroll, devices, revoke, and what goes wrong) and an advisor's
laptop without its window (``welcome-desk join`` and ``sync``). A mistake gets one line that
says what is wrong and what to do, no traceback, and an exit code that --help names."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session as DbSession

from desktop_app import cli
from desktop_app.exits import EXIT_OFFLINE, EXIT_OK, EXIT_REFUSED
from desktop_app.i18n.text import set_language
from desktop_app.usecases.accounts import create_first_account
from sync_server import models
from tests.integration.sync_harness import (
    PASSWORD,
    ROOT,
    Laptops,
    PortReservation,
    ServerProcess,
    add_person,
    edit_person,
    run_cli,
    run_desk,
    self_signed_certificate,
    started_server,
)

SERVER_COMMANDS = ("serve", "migrate", "enroll", "devices", "revoke")


def server_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sync_server.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def said_once(result: subprocess.CompletedProcess[str], code: int) -> str:
    """The one error line of a failed command, checked: its exit code, no traceback."""
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    return errors[0]


# --- The server's administrator -------------------------------------------------------------


def test_every_server_command_says_in_its_help_what_it_does_and_its_exit_codes() -> None:
    """A command's own --help said nothing of what it does, the exit codes were only in the
    README, and --log-level had no help at all."""
    overview = server_cli("--help")
    assert overview.returncode == 0
    assert "exit codes: 0 done; 1 failed" in overview.stdout
    for command in SERVER_COMMANDS:
        shown = server_cli(command, "--help")
        assert shown.returncode == 0, shown.stderr
        rest = shown.stdout.split("\n\n", 1)[1]  # after the usage
        description = rest.splitlines()[0]
        assert description and not description.startswith(("options:", "positional")), rest
        assert description in overview.stdout  # the same words as in the list of commands
        assert "exit codes: 0 done" in shown.stdout
    serve_help = " ".join(server_cli("serve", "--help").stdout.split())
    assert "--log-level {debug,info,warning} how much the server logs" in serve_help
    assert "--port PORT TCP port, 1-65535" in serve_help


def test_migrate_a_fresh_database_then_enroll_list_and_revoke(db_url: str) -> None:
    """On a new SQLite file and on PostgreSQL alike, twice (a second run changes nothing)."""
    for _ in range(2):
        migrated = run_cli(db_url, "migrate")
        assert migrated.stdout.startswith("database is up to date: ")
        assert "Traceback" not in migrated.stderr
    assert run_cli(db_url, "devices").stdout == "no devices\n"
    enrolled = run_cli(db_url, "enroll", "--name", "Büro Nordstadt")
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}\n", enrolled.stdout), enrolled.stdout
    assert "for 'Büro Nordstadt', single use, valid until " in enrolled.stderr
    for hours in ("0", "-1", "721"):
        refused = run_cli(db_url, "enroll", "--name", "x", "--valid-hours", hours, check=False)
        # It said "between 0 and 720" and refused 0.
        line = said_once(refused, 2)
        assert line == "error: the code must be valid for more than 0 and at most 720 hours"
    unnamed = said_once(run_cli(db_url, "enroll", "--name", " ", check=False), 2)
    assert "the name must be 1 to 100 characters" in unnamed


def test_revoking_an_unknown_device_or_one_revoked_already(
    server: ServerProcess, tmp_path: Path
) -> None:
    first = server.enroll("Laptop 1")
    client = server.client()
    try:
        device = client.register(first, "Laptop 1", b"k" * 32).device_id
    finally:
        client.close()
    unknown = said_once(run_cli(server.db_url, "revoke", "ffff0000", check=False), 1)
    assert unknown == (
        "error: no device matches 'ffff0000'; welcome-desk-server devices lists the devices "
        "and their ids"
    )
    revoked = run_cli(server.db_url, "revoke", device[:8], "--force")
    assert revoked.stdout.startswith(f"revoked {device} (Laptop 1)")
    # Revoked again, it said "revoked" and to renew the team key, as if it had been approved.
    again = run_cli(server.db_url, "revoke", device[:8], "--force", check=False)
    line = said_once(again, 1)
    assert line.startswith(f"error: {device} (Laptop 1) is revoked already since 20")
    assert line.endswith("UTC; nothing changed. Its requests stay refused.")
    assert again.stdout == ""
    assert server.device_status(device) == "revoked"


def test_serve_with_a_self_signed_certificate_on_loopback(tmp_path: Path) -> None:
    cert, key = self_signed_certificate(tmp_path)
    db_url = f"sqlite:///{tmp_path / 'tls.db'}"
    with started_server(db_url, tmp_path / "server.log", tls=(cert, key)) as server:
        url = f"https://127.0.0.1:{server.port}/v1/health"
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            httpx.get(url)
        trusted = ssl.create_default_context(cafile=str(cert))
        assert httpx.get(url, verify=trusted).json()["status"] == "ok"
        # plain HTTP to the TLS port gets no answer of the API
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"http://127.0.0.1:{server.port}/v1/health").raise_for_status()


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "sync.example.org"])
def test_plain_http_off_loopback_is_refused_before_anything_listens(
    tmp_path: Path, host: str
) -> None:
    """Checked only: refused before the server binds (nothing but loopback is ever bound)."""
    database = tmp_path / "s.db"
    with PortReservation() as port:
        result = server_cli(
            "serve", "--database-url", f"sqlite:///{database}", "--host", host, "--port", str(port)
        )
    line = said_once(result, 2)
    assert line == (
        f"error: refusing plain HTTP on {host}: records and tokens would cross the network "
        "unprotected. Give --cert and --key, bind to 127.0.0.1, or (development only) pass "
        "--insecure-dev."
    )
    assert not database.exists()


def test_a_port_in_use_is_one_line_that_says_what_to_do(tmp_path: Path) -> None:
    """uvicorn logged "[Errno 98] error while attempting to bind" and exited 3, a code no
    help named."""
    database = tmp_path / "s.db"
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        result = server_cli("serve", "--database-url", f"sqlite:///{database}", "--port", str(port))
    line = said_once(result, 1)
    assert line == (
        f"error: cannot listen on 127.0.0.1 port {port}: address already in use by another "
        "program (a welcome-desk-server still running?). Stop that one, or give another --port."
    )
    assert "Started server process" not in result.stderr


@pytest.mark.parametrize("host", ["", "  "])
def test_an_empty_host_is_a_usage_error_that_says_what_to_give(tmp_path: Path, host: str) -> None:
    """``--host ""`` (an unset variable in a unit file) was told "error: refusing plain HTTP
    on :", naming neither the empty address nor what to give."""
    database = tmp_path / "s.db"
    result = server_cli("serve", "--database-url", f"sqlite:///{database}", "--host", host)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "refusing plain HTTP" not in result.stderr
    assert result.stderr.splitlines()[-1] == (
        "welcome-desk-server serve: error: argument --host: the address is empty: give the "
        "address to listen on, e.g. --host 127.0.0.1 (this machine only) or --host 0.0.0.0 "
        "(all its addresses, with --cert and --key)"
    )
    assert not database.exists()  # refused before touching anything


def test_a_port_below_1024_without_administrator_rights_says_so(tmp_path: Path) -> None:
    """Port 80 as a user who may not open it: the one line says why and what to give, not
    uvicorn's "[Errno 13] error while attempting to bind". Root is run without the right
    to open such ports (CAP_NET_BIND_SERVICE), as any other user is."""
    unprivileged_from = Path("/proc/sys/net/ipv4/ip_unprivileged_port_start")
    if unprivileged_from.exists() and int(unprivileged_from.read_text()) <= 80:
        pytest.skip("every user may open port 80 here")
    without_the_right: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("no setpriv to run the server without the right to open port 80")
        without_the_right = [setpriv, "--bounding-set", "-net_bind_service"]
    result = subprocess.run(
        [
            *without_the_right,
            sys.executable,
            "-m",
            "sync_server.cli",
            "serve",
            "--database-url",
            f"sqlite:///{tmp_path / 's.db'}",
            "--port",
            "80",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    line = said_once(result, 1)
    assert line == (
        "error: port 80 may be opened only with administrator rights: give a port from 1024 "
        "up, e.g. --port 8443"
    )
    assert "Started server process" not in result.stderr


def test_a_port_out_of_range_is_a_usage_error(tmp_path: Path) -> None:
    """--port 99999 was taken, and uvicorn listened on 34463 while it said 99999."""
    result = server_cli(
        "serve", "--database-url", f"sqlite:///{tmp_path / 's.db'}", "--port", "99999"
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "argument --port: 99999 is not a TCP port (1-65535)" in result.stderr
    assert not (tmp_path / "s.db").exists()


def test_a_missing_certificate_file_is_named(tmp_path: Path) -> None:
    _, key = self_signed_certificate(tmp_path)
    missing = tmp_path / "chain.pem"
    with PortReservation() as port:
        result = server_cli(
            "serve",
            "--database-url",
            f"sqlite:///{tmp_path / 's.db'}",
            "--port",
            str(port),
            "--cert",
            str(missing),
            "--key",
            str(key),
        )
    line = said_once(result, 2)
    assert line.startswith(f"error: cannot load the TLS certificate {missing} with the key {key}")
    assert line.endswith(f"No such file or directory: {missing}")


def test_a_sqlite_path_that_cannot_be_made_is_one_line(tmp_path: Path) -> None:
    """A file where the database's folder should be: a traceback of pathlib's mkdir."""
    blocker = tmp_path / "server.db"
    blocker.write_text("not a folder")
    url = f"sqlite:///{blocker / 'sync.db'}"
    for command in (["migrate"], ["devices"], ["enroll", "--name", "Laptop 3"]):
        line = said_once(run_cli(url, *command, check=False), 1)
        assert line == (
            f"error: cannot use the database {url}: File exists: {blocker}. Give a path whose "
            "folder exists or can be created."
        )


def test_an_unreachable_database_says_what_to_check() -> None:
    nobody = PortReservation()  # nothing listens: refused at once
    url = f"postgresql://welcome_desk:pw@127.0.0.1:{nobody.port}/welcome_desk"
    line = said_once(run_cli(url, "devices", check=False), 1)
    assert "Connection refused. Check that the database server runs at that host and port" in line


def test_an_env_file_that_cannot_be_read_is_named(tmp_path: Path) -> None:
    """It printed Python's "[Errno 2] No such file or directory: '…'" after the path."""
    missing = tmp_path / "server.env"
    result = server_cli("enroll", "--env-file", str(missing), "--name", "Laptop 3")
    assert said_once(result, 2) == f"error: cannot read {missing}: No such file or directory"


# --- The headless laptop --------------------------------------------------------------------


def test_the_laptops_help_names_the_exit_codes_in_its_language() -> None:
    """Only the README named them: a scheduled sync's script is written from --help."""
    words = {
        "en": "Exit codes: 0 done;",
        "de": "Rückgabewerte (Exit-Codes): 0 erledigt;",
        "bg": "Кодове на изход: 0 готово;",
        "ro": "Coduri de ieșire: 0 gata;",
    }
    for lang, start in words.items():
        for command in ([], ["join"], ["sync"]):
            shown = run_desk(*command, "--help", lang=lang)
            assert shown.returncode == 0, shown.stderr
            text = " ".join(shown.stdout.split())
            assert start in text, (lang, command, text[-600:])
            assert "130" in text.split(start)[1]


def _folder(session: object) -> str:
    return str(session.store.paths.data_dir)  # type: ignore[attr-defined]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_sync_with_a_conflict_then_one_with_nothing_new_in_the_laptops_language(
    laptops: Laptops,
) -> None:
    """The second sync said "0 conflicts" and nothing else while the first one's conflict
    still waited: now both say how many wait, and where they are decided."""
    a, b = laptops.new("A"), laptops.new("B")
    pid = add_person(a, "Мария", "Иванова", "1990", phone="0176 1111111")
    laptops.sync(a, b, a)
    edit_person(a, pid, phone="0176 2222222")
    edit_person(b, pid, phone="0176 3333333")
    laptops.sync(a)
    folder_b = str(b.store.paths.data_dir)
    laptops.close()
    first = run_desk("sync", "--data-dir", folder_b, lang="bg", password=PASSWORD)
    assert first.returncode == EXIT_OK, first.stderr
    assert re.fullmatch(
        r"Синхронизирано: \d+ изпратен\w*, \d+ получен\w*, 1 конфликт, 0 отказани\.\n", first.stdout
    )
    waiting_bg = "1 конфликт чака консултант да го реши в прозореца: Файл → Конфликти за решаване…"
    assert waiting_bg in first.stderr.splitlines()
    again = run_desk("sync", "--data-dir", folder_b, lang="ro", password=PASSWORD)
    assert again.returncode == EXIT_OK, again.stderr
    assert ", 0 conflicte, 0 refuzate." in again.stdout
    waiting_ro = (
        "1 conflict așteaptă să fie decis de un consilier în fereastra programului: "
        "Fișier → Conflicte de rezolvat…"
    )
    assert waiting_ro in again.stderr.splitlines()
    assert "Traceback" not in first.stderr + again.stderr


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_join_and_sync_refused_in_the_laptops_language(
    server: ServerProcess, tmp_path: Path
) -> None:
    laptop = str(tmp_path / "laptop")
    assert run_desk("init", "--data-dir", laptop, "--account", "anna").returncode == 0
    url = server.base_url
    expired = server.enroll("Laptop 1")
    # Its validity over (as a day later): the operator's database says so.
    with DbSession(server.engine) as s, s.begin():
        s.execute(
            update(models.EnrollmentCode).values(
                expires_at=models.utcnow() - dt.timedelta(seconds=1)
            )
        )
    expected = {
        "bg": "Сървърът не приема този код за присъединяване: сгрешен е, изтекъл е",
        "ro": "Serverul nu acceptă acest cod de înrolare: este greșit introdus, a expirat",
        "de": "Der Server nimmt diesen Anmeldecode nicht an: Er ist falsch eingegeben, abgelaufen",
    }
    for lang, words in expected.items():
        late = run_desk("join", "--data-dir", laptop, "--server", url, "--code", expired, lang=lang)
        assert late.returncode == EXIT_REFUSED and late.stderr.startswith(words), late.stderr
    wrong = run_desk(
        "join", "--data-dir", laptop, "--server", url, "--code", server.enroll("x"),
        lang="ro", password="not the password",
    )  # fmt: skip
    assert wrong.returncode == 3
    assert wrong.stderr == "Numele de utilizator sau parola nu sunt corecte.\n"
    joined = run_desk("join", "--data-dir", laptop, "--server", url, "--code", server.enroll("A"))
    assert joined.returncode == EXIT_OK, joined.stderr
    synced = run_desk("sync", "--data-dir", laptop, lang="de")
    assert synced.returncode == EXIT_OK, synced.stderr
    assert re.fullmatch(
        r"Synchronisiert: \d+ gesendet, \d+ empfangen, 0 Konflikte, 0 abgelehnt\.\n", synced.stdout
    )
    assert "Konflikt" not in synced.stderr  # none waits
    server.stop()
    down = run_desk("sync", "--data-dir", laptop, lang="bg")
    assert down.returncode == EXIT_OFFLINE
    assert down.stderr == "Сървърът за синхронизиране не е достъпен. Нищо не е загубено.\n"
    server.start()
    device = re.search(r"Joined as laptop (\S+)\.", joined.stdout)
    assert device, joined.stdout
    run_cli(server.db_url, "revoke", device.group(1), "--force")  # the only coordinator
    revoked = run_desk("sync", "--data-dir", laptop, lang="ro")
    assert revoked.returncode == EXIT_REFUSED
    assert revoked.stderr == (
        "Acest laptop a fost revocat și nu se mai sincronizează. Adresați-vă coordonatorului.\n"
    )


def test_a_server_certificate_the_laptop_does_not_trust_in_bulgarian(tmp_path: Path) -> None:
    """What an advisor gets from the city's own certificate before IT installed its authority
    (installer/server/README.md): a sentence, the check's reason, nothing sent; no traceback."""
    cert, key = self_signed_certificate(tmp_path)
    with started_server(
        f"sqlite:///{tmp_path / 'tls.db'}", tmp_path / "server.log", tls=(cert, key)
    ) as server:
        laptop = str(tmp_path / "laptop")
        assert run_desk("init", "--data-dir", laptop, "--account", "anna").returncode == 0
        code = server.enroll("Laptop A")
        url = f"https://127.0.0.1:{server.port}"
        refused = run_desk("join", "--data-dir", laptop, "--server", url, "--code", code, lang="bg")
        assert refused.returncode == EXIT_OFFLINE
        assert refused.stderr.startswith(
            "Сертификатът на сървъра за синхронизиране е невалиден. Нищо не е изпратено."
        )
        assert "(self-signed certificate)" in refused.stderr
        assert "Traceback" not in refused.stderr
        assert server.service.list_devices().devices == []


@pytest.mark.parametrize(
    ("lang", "still_works"),
    [
        ("ro", "Rulați din nou aceeași comandă când serverul poate fi accesat: același cod"),
        ("bg", "Изпълнете същата команда отново, когато сървърът стане достъпен: същият код"),
        ("de", "Führen Sie denselben Befehl erneut aus, sobald der Server erreichbar ist"),
    ],
)
def test_a_join_that_never_reaches_the_server_says_the_code_still_works(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    lang: str,
    still_works: str,
) -> None:
    """After five tries it ended at "Nothing was lost.": whether the code can be used again,
    and what to do, the user had to guess. Run in this process, its waits not waited."""
    session = create_first_account(tmp_path / "A", "anna", "A", PASSWORD)
    folder = str(session.store.paths.data_dir)
    session.close()
    nobody = PortReservation()  # nothing listens: refused at once
    monkeypatch.setattr(cli, "_sleep", lambda seconds: None)
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    argv = ["join", "--data-dir", folder, "--server", f"http://127.0.0.1:{nobody.port}",
            "--code", "K7QX-2MPA-9TZD-4HRB", "--lang", lang, "--password-stdin"]  # fmt: skip
    try:
        exit_code = cli.run(cli.parse(argv))
    finally:
        set_language("en")
        nobody.release()
    err = capsys.readouterr().err.splitlines()
    assert exit_code == EXIT_OFFLINE
    assert still_works in err[-1], err
    assert err[-2] == err[0]  # the offline message, as after every try


def _at_the_prompt(argv: list[str], password: str) -> tuple[str, int]:
    """``welcome-desk`` in a terminal (a pseudo-terminal): the password typed at its prompt,
    as a person types it; what the terminal showed, and the exit code."""
    import os
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # the child: the command, with the terminal as its tty
        os.environ["WELCOME_DESK_FAST_KDF"] = "1"
        os.chdir(ROOT)
        os.execv(sys.executable, [sys.executable, "-m", "desktop_app.app", *argv])
    shown = b""
    typed = False
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child ended: its side of the terminal is closed
            break
        if not chunk:
            break
        shown += chunk
        if not typed and shown.rstrip().endswith(b":"):
            os.write(fd, password.encode() + b"\n")
            typed = True
    os.close(fd)
    _, status = os.waitpid(pid, 0)
    return shown.decode(errors="replace").replace("\r\n", "\n"), os.waitstatus_to_exitcode(status)


def test_sync_with_the_password_typed_at_the_prompt(tmp_path: Path) -> None:
    """Not echoed; a wrong one is said in the laptop's language (3); a laptop not joined yet is
    told the command that joins it (it was told only that it had not joined)."""
    laptop = str(tmp_path / "laptop")
    assert run_desk("init", "--data-dir", laptop, "--account", "anna").returncode == 0
    shown, code = _at_the_prompt(["sync", "--data-dir", laptop, "--lang", "ro"], "wrong password")
    assert code == 3 and "wrong password" not in shown
    assert shown.split("\n", 1) == [
        "Parolă: ",
        "Numele de utilizator sau parola nu sunt corecte.\n",
    ]
    shown, code = _at_the_prompt(["sync", "--data-dir", laptop, "--lang", "bg"], PASSWORD)
    assert code == 1 and PASSWORD not in shown
    assert shown.splitlines()[1:] == [
        "Този лаптоп все още не е присъединен към сървър за синхронизиране.",
        "За да се присъедините, с кода от координатора си: welcome-desk join --server АДРЕС "
        "--code КОД",
    ]
