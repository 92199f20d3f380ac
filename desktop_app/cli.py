"""Command line of ``welcome-desk``: the GUI options and the headless commands (no Qt here)."""

from __future__ import annotations

import argparse
import getpass
import os
import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.domain.permissions import Action, allowed
from desktop_app.domain.users import Role
from desktop_app.domain.validation import ValidationFailed
from desktop_app.exits import (
    EXIT_AUTH,
    EXIT_INVALID,
    EXIT_OFFLINE,
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_STOPPED,
    EXIT_STORE,
    EXIT_USAGE,
    CliError,
)
from desktop_app.i18n.argparse_text import argparse_in_ui_language
from desktop_app.i18n.messages import (
    clock_warning,
    confirm_message,
    connection_message,
    coordinator_to_confirm,
    erased_work_message,
    error_message,
    failure_cause,
    failure_message,
    field_message,
    held_on_revoked_laptop,
    laptop_role_name,
    laptops_not_given_the_key,
    no_role_yet,
    offline_message,
    refusal_message,
    restore_failure_message,
    revoke_again_pending_message,
    role_lowered_message,
    server_restored_message,
    sync_message,
    unusable_publication_detail,
    unusable_publication_message,
    withdrawn_message,
)
from desktop_app.i18n.text import LANGUAGES, _, ngettext, set_language, system_language
from desktop_app.paths import default_data_dir

# Storage and use cases pull in SQLAlchemy (~0.2 s): imported where needed, so that the GUI
# can import them on a worker thread while the password's key is derived (see app.py).
if TYPE_CHECKING:
    from desktop_app.storage.people_sql import PersonListEntry
    from desktop_app.storage.quick import QuickStart
    from desktop_app.usecases import people_import
    from desktop_app.usecases import reference as reference_uc
    from desktop_app.usecases.accounts import Session
    from desktop_app.usecases.sync import JoinAttempt


def _command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    text: str,
    *parents: argparse.ArgumentParser,
) -> argparse.ArgumentParser:
    """A subcommand: ``text`` in the parent's list of commands and atop its own --help, the
    exit codes below it."""
    return commands.add_parser(
        name, parents=list(parents), help=text, description=text, epilog=_exit_codes()
    )


def _exit_codes() -> str:
    """The exit codes, for --help: the README alone named them, and a scheduled sync's script
    is written from --help."""
    return _(
        "Exit codes: 0 done; 1 invalid input or likely duplicates, or the laptop waits for a "
        "coordinator's approval or for devices trust; 2 wrong usage; 3 wrong account or "
        "password; 4 store missing or unreadable; 5 sync server not reached (nothing was "
        "lost; try again later); 6 refused by the sync server; 130 stopped with Ctrl+C."
    )


def _command_group(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    text: str,
    what_to_do: str,
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """A command made of subcommands (``people add``): the one given lands in
    ``<name>_command``, where ``run`` looks for it. ``what_to_do`` heads their list."""
    return _command(commands, name, text).add_subparsers(
        dest=f"{name}_command", required=True, metavar=_("COMMAND"), help=what_to_do
    )


def _whole_number() -> Callable[[str], int]:
    """``int`` for argparse, named in the user's words: argparse calls a value it cannot
    convert an "invalid <the type's __name__> value", which for ``int`` is "int"."""

    def convert(text: str) -> int:
        return int(text)

    convert.__name__ = _("whole number")
    return convert


def _publication_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    *,
    show: str,
    export: str,
    publish: str,
    edited: str,
) -> None:
    """``show``, ``export --out`` and ``publish --from --note``: the same three subcommands for
    the forms and the service directory (``cmd_reference`` runs both); the texts say which."""
    folder = _("FOLDER")
    _command(commands, "show", show, common)
    export_cmd = _command(commands, "export", export, common)
    export_cmd.add_argument(
        "--out", required=True, type=Path, metavar=folder, help=_("an empty folder")
    )
    publish_cmd = _command(commands, "publish", publish, common)
    publish_cmd.add_argument(
        "--from", dest="source", required=True, type=Path, metavar=folder, help=edited
    )
    publish_cmd.add_argument(
        "--note", default="", metavar=_("NOTE"), help=_("what changed (shown to colleagues)")
    )


def build_parser() -> argparse.ArgumentParser:
    """The parser, worded in the current UI language: set it first (``parse`` does). Every
    help text and every metavar that is a word goes through the catalog; argparse's own words
    (usage, headings, errors) come from it while the parser is used within
    ``argparse_in_ui_language``."""
    with argparse_in_ui_language():  # the help option's text and the headings: made here
        return _build_parser()


def _build_parser() -> argparse.ArgumentParser:
    folder, file, name = _("FOLDER"), _("FILE"), _("NAME")
    laptop_id, fingerprint = _("LAPTOP_ID"), _("FINGERPRINT")
    command = _("COMMAND")  # the commands themselves are listed below it, literally
    whole_number = _whole_number()
    # Common options may stand before or after the subcommand. SUPPRESS keeps a subcommand's
    # unset option from overwriting the same option given before it; defaults come after parsing.
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument(
        "--data-dir",
        type=Path,
        metavar=folder,
        help=_("data folder (default: the user data folder)"),
    )
    common.add_argument(
        "--account", metavar=_("ACCOUNT"), help=_("account name (default: the only account)")
    )
    common.add_argument(
        "--password-stdin", action="store_true", help=_("read the password from standard input")
    )
    common.add_argument("--demo", action="store_true", help=_("use a throwaway store of demo data"))
    common.add_argument("--lang", choices=LANGUAGES, help=_("language of messages and the UI"))

    parser = argparse.ArgumentParser(
        prog="welcome-desk",
        parents=[common],
        description=_("Welcome Desk advice sessions. Without a command, the window opens."),
        epilog=_exit_codes(),
    )
    parser.add_argument(
        "--screenshot", type=Path, metavar=file, help=_("render the main window to PNG and exit")
    )
    parser.add_argument(
        "--form",
        choices=["life_situation", "skills_check"],
        help=_("with --screenshot: open this form for the first person and render it"),
    )
    parser.add_argument(
        "--client-lang",
        choices=LANGUAGES,
        help=_("with --form: show the questions also in this language (bilingual mode)"),
    )
    parser.add_argument(
        "--section", metavar=_("SECTION"), help=_("with --form: the section to show (its id)")
    )
    # For bench/startup.py: quit as soon as the main window is shown and idle.
    parser.add_argument("--startup-probe", action="store_true", help=argparse.SUPPRESS)
    # With --startup-probe at the login prompt: seconds of "typing" before the probe submits.
    parser.add_argument("--probe-typing-s", type=float, default=1.0, help=argparse.SUPPRESS)
    # With it, the typing begins once the window is built behind the prompt (tests: a loaded
    # machine may take longer than any fixed typing time to build it).
    parser.add_argument("--probe-type-once-built", action="store_true", help=argparse.SUPPRESS)
    commands = parser.add_subparsers(
        dest="command",
        metavar=command,
        help=_("what to do; without a command, the window opens"),
    )

    init = _command(commands, "init", _("set up a new store"), common)
    init.add_argument(
        "--display-name", default="", metavar=name, help=_("your name as colleagues see it")
    )

    people_sub = _command_group(
        commands, "people", _("register and find people"), _("what to do with people")
    )
    add = _command(people_sub, "add", _("register a person"), common)
    add.add_argument("--given", required=True, metavar=_("GIVEN_NAME"), help=_("given name(s)"))
    add.add_argument("--family", required=True, metavar=_("FAMILY_NAME"), help=_("family name"))
    add.add_argument(
        "--dob",
        default="",
        metavar=_("DATE"),
        help=_("date of birth: DD.MM.YYYY, YYYY-MM-DD or YYYY"),
    )
    add.add_argument(
        "--sex",
        default="",
        choices=["", "female", "male", "diverse", "not_stated"],
        help=_("sex / gender (optional)"),
    )
    add.add_argument(
        "--nationality", default="", metavar=_("COUNTRY"), help=_("ISO country code, e.g. BG")
    )
    add.add_argument(
        "--language",
        action="append",
        default=[],
        metavar=_("LANGUAGE"),
        help=_("ISO language code, e.g. bg; once per language spoken"),
    )
    add.add_argument("--phone", default="", metavar=_("PHONE"), help=_("phone number"))
    add.add_argument("--notes", default="", metavar=_("NOTES"), help=_("free notes"))
    add.add_argument(
        "--id-name",
        default="",
        metavar=_("NAME"),
        help=_("the name as on the ID document, in Latin letters, where it differs"),
    )
    add.add_argument("--force", action="store_true", help=_("register even if duplicates exist"))
    imp = _command(people_sub, "import", _("import people from a CSV or XLSX file"), common)
    imp.add_argument(
        "file",
        type=Path,
        metavar=file,
        help=_("CSV or XLSX file, one person per row, column names in the first row"),
    )
    imp.add_argument("--mapping", metavar=name, help=_("name of a saved column mapping"))
    imp.add_argument(
        "--map",
        action="append",
        default=[],
        metavar=_("FIELD=COLUMN"),
        help=_(
            "map a field (given_name, family_name, full_name, date_of_birth, sex, nationality, "
            "languages, phone, notes) to a column; unmapped fields are guessed from the headers"
        ),
    )
    imp.add_argument("--save-mapping", metavar=name, help=_("save the mapping under this name"))
    imp.add_argument("--dry-run", action="store_true", help=_("report, store nothing"))
    dup = imp.add_mutually_exclusive_group()
    dup.add_argument(
        "--skip-duplicates", action="store_true", help=_("leave likely duplicates out")
    )
    dup.add_argument("--force", action="store_true", help=_("import likely duplicates as well"))
    search = _command(people_sub, "search", _("find people"), common)
    search.add_argument(
        "query",
        metavar=_("QUERY"),
        help=_("name (in either alphabet), date of birth or phone number"),
    )
    search.add_argument(
        "--limit",
        type=whole_number,
        default=50,
        metavar=_("COUNT"),
        help=_("show at most this many people (default: 50)"),
    )

    forms_sub = _command_group(
        commands, "forms", _("form definitions"), _("what to do with the forms")
    )
    check = _command(forms_sub, "check", _("validate form definitions"), common)
    check.add_argument(
        "paths", nargs="+", type=Path, metavar=_("PATH"), help=_("YAML files or folders")
    )
    _publication_commands(
        forms_sub,
        common,
        show=_("the form versions in force"),
        export=_("write the forms in force as YAML files for editing"),
        publish=_("check edited forms and publish them to every laptop"),
        edited=_("the folder with the edited forms"),
    )

    join = _command(commands, "join", _("join an organisation's server"), common)
    join.add_argument(
        "--server",
        required=True,
        metavar=_("ADDRESS"),
        help=_("https:// address of the sync server"),
    )
    join.add_argument(
        "--code", required=True, metavar=_("CODE"), help=_("one-time enrollment code")
    )
    join.add_argument(
        "--name", default="", metavar=name, help=_("name of this laptop (default: host name)")
    )
    join.add_argument(
        "--again",
        action="store_true",
        help=_(
            "join again with a new code, keeping this laptop's data (after the server forgot "
            "this laptop, e.g. restored from a backup)"
        ),
    )
    join.add_argument(
        "--even-if-known",
        action="store_true",
        help=_("with --again: join again even though the server still knows this laptop"),
    )
    _command(commands, "sync", _("sync once and print a summary"), common)
    devices_sub = _command_group(
        commands,
        "devices",
        _("laptops of the organisation (coordinator; trust: on a new laptop)"),
        _("what to do with the laptops"),
    )
    _command(devices_sub, "list", _("this laptop's fingerprint, then the laptops"), common)
    approve = _command(devices_sub, "approve", _("approve a laptop"), common)
    approve.add_argument(
        "device", metavar=laptop_id, help=_("laptop id (or a unique prefix of it)")
    )
    approve.add_argument(
        "--fingerprint",
        required=True,
        metavar=fingerprint,
        help=_("as shown on the new laptop"),
    )
    approve.add_argument(
        "--role",
        required=True,
        choices=["helper", "advisor", "coordinator"],
        help=_(
            "who uses the laptop: student helpers, advisors or coordinators (no account on it "
            "works above this role; a laptop enrolled with a coordinator's code: coordinator)"
        ),
    )
    trust = _command(
        devices_sub,
        "trust",
        _("on a new laptop: take the team key from the coordinator's laptop that approved it"),
        common,
    )
    trust.add_argument(
        "--fingerprint",
        required=True,
        metavar=fingerprint,
        help=_("as shown on the coordinator's laptop (devices list)"),
    )
    set_role = _command(devices_sub, "set-role", _("lower the role of an approved laptop"), common)
    set_role.add_argument(
        "device", metavar=laptop_id, help=_("laptop id (or a unique prefix of it)")
    )
    set_role.add_argument(
        "--role",
        required=True,
        choices=["helper", "advisor", "coordinator"],
        help=_(
            "who uses the laptop from its next sync on: student helpers or advisors, lower "
            "than now (more rights take joining again with a new code); coordinators only for "
            "a laptop with no role chosen yet"
        ),
    )
    revoke = _command(devices_sub, "revoke", _("revoke a laptop"), common)
    revoke.add_argument("device", metavar=laptop_id, help=_("laptop id (or a unique prefix of it)"))
    code = _command(
        devices_sub,
        "code",
        _("print a one-time enrollment code for a new laptop (valid 24 hours)"),
        common,
    )
    code.add_argument(
        "--name",
        required=True,
        metavar=_("NAME"),
        help=_("who or which laptop the code is for, e.g. “Laptop 3”"),
    )
    directory_sub = _command_group(
        commands,
        "directory",
        _("the service directory used for referrals (coordinator)"),
        _("what to do with the directory"),
    )
    _publication_commands(
        directory_sub,
        common,
        show=_("which directory is in force"),
        export=_("write the directory as YAML files for editing"),
        publish=_("check a folder and publish it to every laptop"),
        edited=_("the folder with the edited directory"),
    )
    keys_sub = _command_group(
        commands,
        "keys",
        _("the organisation's team key (coordinator)"),
        _("what to do with the team key"),
    )
    _command(keys_sub, "rotate", _("new team key for approved laptops"), common)
    backup_cmd = _command(commands, "backup", _("write an encrypted backup of the store"), common)
    backup_cmd.add_argument(
        "--out", type=Path, required=True, metavar=file, help=_("backup file to write")
    )
    backup_cmd.add_argument(
        "--passphrase-stdin",
        action="store_true",
        help=_("read the backup passphrase from standard input (after the password, if both)"),
    )
    restore_cmd = _command(
        commands, "restore", _("restore a backup into a new data folder"), common
    )
    restore_cmd.add_argument(
        "--in",
        dest="backup_in",
        type=Path,
        required=True,
        metavar=file,
        help=_("backup file to read"),
    )
    restore_cmd.add_argument(
        "--passphrase-stdin",
        action="store_true",
        help=_("read the backup passphrase from standard input"),
    )

    report = _command(commands, "report", _("figures for a period as PDF, XLSX or CSV"), common)
    report.add_argument(
        "--period",
        required=True,
        metavar=_("PERIOD"),
        help=_(
            "the period: a month (2026-10), quarter (2026-Q3), year (2026), week (2026-W40) "
            "or days (2026-10-01..2026-12-31)"
        ),
    )
    report.add_argument(
        "--format",
        choices=("pdf", "xlsx", "csv"),
        default="pdf",
        help=_("file format (default: pdf)"),
    )
    report.add_argument("--out", type=Path, required=True, metavar=file, help=_("file to write"))
    report.add_argument(
        "--device", metavar=laptop_id, help=_("only records from this laptop (device id)")
    )
    report.add_argument(
        "--advisor", metavar=_("USER_ID"), help=_("only records by this advisor (user id)")
    )
    report.add_argument(
        "--threshold",
        type=whole_number,
        default=5,
        metavar=_("COUNT"),
        help=_("hide counts below this number (default: 5)"),
    )
    letters_sub = _command_group(
        commands, "letters", _("referral letters"), _("what to do with the letters")
    )
    sample = _command(
        letters_sub,
        "sample",
        _("write a sample letter per service and client language"),
        common,
    )
    sample.add_argument(
        "--out", type=Path, required=True, metavar=folder, help=_("folder for the PDFs")
    )
    sample.add_argument(
        "--client-lang",
        action="append",
        choices=LANGUAGES,
        default=None,
        help=_("a client language of the letters; once per language (default: bg and ro)"),
    )
    return parser


def read_password(args: argparse.Namespace, prompt: str) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return getpass.getpass(prompt)


def login_target(data_dir: Path | None, account: str | None) -> tuple[Path, str | None]:
    """The data folder and the account to log in to (None: the only one, none being named)."""
    from desktop_app.storage.layout import StorePaths

    paths = StorePaths(data_dir or default_data_dir())
    if not paths.is_initialised():
        raise CliError(
            _("No store in {folder}. Set one up with: welcome-desk init").format(
                folder=paths.data_dir
            ),
            EXIT_STORE,
        )
    if not account and not paths.can_log_in_unnamed():
        raise CliError(_("Please name the account with --account."), EXIT_USAGE)
    return paths.data_dir, account or None


def login_error(exc: Exception) -> CliError:
    """A refused login (key slot error) or a store that cannot open, as a message and exit code."""
    from desktop_app.storage.keyslots import KeySlotError

    code = EXIT_AUTH if isinstance(exc, KeySlotError) else EXIT_STORE
    return CliError(error_message(getattr(exc, "code", "store_error")), code)


def open_session(args: argparse.Namespace) -> Session:
    from desktop_app.storage.keyslots import KeySlotError
    from desktop_app.storage.layout import StoreError

    if args.demo:
        from desktop_app.usecases.demo import open_demo_session

        return open_demo_session()
    try:
        data_dir, account = login_target(args.data_dir, args.account)
        from desktop_app.usecases.accounts import log_in

        return log_in(data_dir, account, read_password(args, _("Password: ")))
    except (KeySlotError, StoreError) as exc:
        raise login_error(exc) from exc


def open_session_quickly(args: argparse.Namespace) -> QuickStart | Session:
    """``open_session`` for the window's start: the key and the people list's first page
    without the store's heavier modules (``usecases/unlock.py``). Same errors and exit codes as
    ``open_session``."""
    from desktop_app.storage.keyslots import KeySlotError
    from desktop_app.storage.layout import StoreError
    from desktop_app.usecases.unlock import open_for_window

    try:
        data_dir, account = login_target(args.data_dir, args.account)
        return open_for_window(data_dir, account, read_password(args, _("Password: ")))
    except (KeySlotError, StoreError) as exc:
        raise login_error(exc) from exc


# The option that carries each checked field: a problem is named by what was typed
# ("--dob: This date does not exist."), not by the program's field ("date_of_birth: …", in
# English inside a Romanian or Bulgarian message). Passwords are typed at a prompt, and their
# messages name them.
_OPTION_OF_FIELD = {
    "given_name": "--given",
    "family_name": "--family",
    "date_of_birth": "--dob",
    "sex": "--sex",
    "nationality": "--nationality",
    "languages": "--language",
    "phone": "--phone",
    "notes": "--notes",
    "id_document_name": "--id-name",
    "account": "--account",
    "display_name": "--display-name",
}
_PROMPTED_FIELDS = {"password", "password_repeat", "passphrase"}


def _validation_report(exc: ValidationFailed) -> str:
    return "\n".join(
        field_message(e)
        if e.field in _PROMPTED_FIELDS
        else f"{_OPTION_OF_FIELD.get(e.field, e.field)}: {field_message(e)}"
        for e in exc.errors
    )


def cmd_init(args: argparse.Namespace) -> int:
    from desktop_app.storage.db import StoreError
    from desktop_app.storage.keyslots import KeySlotError
    from desktop_app.usecases.accounts import create_first_account

    data_dir = args.data_dir or default_data_dir()
    if not args.account:
        raise CliError(_("Please name the account with --account."), EXIT_USAGE)
    password = read_password(args, _("New password: "))
    repeat = password if args.password_stdin else getpass.getpass(_("Repeat the password: "))
    try:
        session = create_first_account(
            data_dir, args.account, args.display_name, password, repeat=repeat
        )
    except ValidationFailed as exc:
        raise CliError(_validation_report(exc), EXIT_INVALID) from exc
    except (StoreError, KeySlotError) as exc:
        raise CliError(error_message(exc.code), EXIT_STORE) from exc
    code = session.recovery_code
    session.close()
    print(_("Store created in {folder}.").format(folder=data_dir))
    print(
        _(
            "Recovery code (shown only now; print it and keep it locked away — it opens the "
            "store if every password is forgotten):"
        )
    )
    print(code)
    return EXIT_OK


def _line(entry: PersonListEntry) -> str:
    from desktop_app.i18n.formatting import format_partial_date

    parts = [f"{entry.family_name}, {entry.given_name}"]
    if entry.date_of_birth:
        parts.append(format_partial_date(entry.date_of_birth))
    parts.extend(p for p in (entry.nationality, entry.phone) if p)
    return "\t".join([entry.id, *parts])


def cmd_people_add(args: argparse.Namespace) -> int:
    from desktop_app.domain.person import PersonDraft
    from desktop_app.usecases import people

    draft = PersonDraft(
        given_name=args.given,
        family_name=args.family,
        date_of_birth=args.dob,
        sex=args.sex,
        nationality=args.nationality,
        languages=tuple(args.language),
        phone=args.phone,
        notes=args.notes,
        id_document_name=args.id_name,
    )
    session = open_session(args)
    try:
        person = people.register_person(
            session.store, session.user, draft, confirm_duplicates=args.force
        )
    except ValidationFailed as exc:
        raise CliError(_validation_report(exc), EXIT_INVALID) from exc
    except people.DuplicatesFound as exc:
        lines = [_("Likely duplicates found (use --force to register anyway):")]
        lines += [_line(c) for c in exc.candidates]
        raise CliError("\n".join(lines), EXIT_INVALID) from exc
    finally:
        session.close()
    print(person.id)
    return EXIT_OK


def _import_report_lines(report: people_import.ImportReport) -> list[str]:
    from desktop_app.usecases import people_import

    lines: list[str] = []
    for verdict in report.refused:
        reasons = " · ".join(
            f"{people_import.field_label(e.field)}: {people_import.describe(e)}"
            for e in verdict.errors
        )
        lines.append(
            _("Line {line} ({name}) refused: {reasons}").format(
                line=verdict.line, name=verdict.name or "—", reasons=reasons
            )
        )
    for verdict in report.duplicates:
        if verdict.same_as_line is not None:
            lines.append(
                _("Line {line} ({name}) is likely the same person as line {other}.").format(
                    line=verdict.line, name=verdict.name, other=verdict.same_as_line
                )
            )
        for entry in verdict.duplicate_of:
            lines.append(
                _("Line {line} ({name}) is likely already stored: {person}").format(
                    line=verdict.line, name=verdict.name, person=_line(entry)
                )
            )
    return lines


def cmd_people_import(args: argparse.Namespace) -> int:
    from desktop_app.usecases import people_import

    try:
        table_ = people_import.read_table(args.file)
    except people_import.ImportFileError as exc:
        raise CliError(people_import.file_error_message(exc), EXIT_INVALID) from exc
    session = open_session(args)
    try:
        mapping = people_import.guess_mapping(table_.headers)
        if args.mapping:
            saved = people_import.saved_mappings(session.store)
            if args.mapping not in saved:
                names = ", ".join(sorted(saved)) or "—"
                raise CliError(
                    _("No saved mapping “{name}”. Saved: {names}").format(
                        name=args.mapping, names=names
                    ),
                    EXIT_USAGE,
                )
            mapping = dict(saved[args.mapping])
        for item in args.map:
            name, sep, column = item.partition("=")
            if not sep:
                raise CliError(_("Please write --map FIELD=COLUMN."), EXIT_USAGE)
            mapping[name.strip()] = column.strip()
        mapping = {f: c for f, c in mapping.items() if c}
        if problems := people_import.check_mapping(mapping, table_.headers):
            lines = [f"{e.field}: {people_import.describe(e)}" for e in problems]
            lines.append(
                _("Columns in the file: {columns}").format(columns=", ".join(table_.headers))
            )
            raise CliError("\n".join(lines), EXIT_USAGE)
        if args.save_mapping:
            people_import.save_mapping(session.store, args.save_mapping, mapping)
        policy: people_import.DuplicatePolicy = (
            "skip" if args.skip_duplicates else "import" if args.force else "refuse"
        )
        if args.dry_run:
            report = people_import.dry_run(session.store, table_, mapping, policy=policy)
        else:
            try:
                report = people_import.import_people(
                    session.store, session.user, table_, mapping, policy=policy
                )
            except people_import.DuplicatesInImport as exc:
                lines = _import_report_lines(exc.report)
                lines.append(
                    _(
                        "Nothing was imported: likely duplicates found. Use --skip-duplicates "
                        "to leave them out or --force to import them as well."
                    )
                )
                raise CliError("\n".join(lines), EXIT_INVALID) from exc
    finally:
        session.close()
    for line in _import_report_lines(report):
        print(line, file=sys.stderr)
    summary = (
        _(
            "Rows: {total} · to import: {accepted} · refused: {refused} · likely duplicates: "
            "{duplicates}"
        )
        if report.dry_run
        else _(
            "Rows: {total} · imported: {accepted} · refused: {refused} · likely duplicates: "
            "{duplicates}"
        )
    )
    print(
        summary.format(
            total=report.total,
            accepted=report.accepted,
            refused=len(report.refused),
            duplicates=len(report.duplicates),
        )
    )
    return EXIT_OK


def cmd_people_search(args: argparse.Namespace) -> int:
    from desktop_app.usecases import people

    session = open_session(args)
    try:
        for entry in people.search_people(session.store, args.query, max(1, args.limit)):
            print(_line(entry))
    finally:
        session.close()
    return EXIT_OK


def cmd_forms_check(args: argparse.Namespace) -> int:
    from desktop_app.forms.check import check_paths

    code, messages = check_paths(list(args.paths))
    for line in messages:
        print(line, file=sys.stderr if code else sys.stdout)
    return code


def _read_passphrase(args: argparse.Namespace, *, repeat: bool) -> str:
    if args.passphrase_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    phrase = getpass.getpass(_("Backup passphrase: "))
    if repeat and getpass.getpass(_("Repeat the passphrase: ")) != phrase:
        raise CliError(_("The two passphrases are not the same."), EXIT_INVALID)
    return phrase


def cmd_backup(args: argparse.Namespace) -> int:
    from desktop_app.domain.permissions import PermissionDenied
    from desktop_app.usecases.backup import write_backup

    session = open_session(args)
    try:
        write_backup(session, args.out, _read_passphrase(args, repeat=True))
    except ValidationFailed as exc:
        raise CliError(_validation_report(exc), EXIT_INVALID) from exc
    except PermissionDenied as exc:
        raise CliError(error_message(exc.code), EXIT_AUTH) from exc
    finally:
        session.close()
    print(_("Backup written to {file}.").format(file=args.out))
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from desktop_app.storage.db import StoreError
    from desktop_app.usecases.backup import BackupError, restore_backup

    data_dir = args.data_dir or default_data_dir()
    try:
        restore_backup(args.backup_in, data_dir, _read_passphrase(args, repeat=False))
    except (BackupError, StoreError) as exc:
        raise CliError(error_message(exc.code), EXIT_STORE) from exc
    except OSError as exc:  # which file, why and what to do, as the restore dialog says it
        message = restore_failure_message(exc, args.backup_in, data_dir)
        raise CliError(message, EXIT_STORE) from exc
    print(_("Backup restored into {folder}.").format(folder=data_dir))
    return EXIT_OK


def cmd_letters_sample(args: argparse.Namespace) -> int:
    from desktop_app.i18n.formatting import format_number
    from desktop_app.letters.samples import write_samples

    langs = tuple(args.client_lang or ("bg", "ro"))
    written = write_samples(args.out, langs=langs)
    for path in written:
        print(path)
    print(
        ngettext("{count} letter written.", "{count} letters written.", len(written)).format(
            count=format_number(len(written))
        ),
        file=sys.stderr,
    )
    return EXIT_OK


def _with_server(args: argparse.Namespace, work: Callable[[Session], int]) -> int:
    """``work`` on the session opened from ``args``, closed after it; the server's and the
    sync's refusals said as the commands that talk to the server say them."""
    from desktop_app.domain.permissions import PermissionDenied
    from desktop_app.sync.http_client import (
        CertificateProblem,
        ConnectionLost,
        Offline,
        RequestRefused,
        ServerError,
    )
    from desktop_app.usecases.sync import SyncSetupError

    session = open_session(args)
    try:
        return work(session)
    except PermissionDenied as exc:
        raise CliError(error_message(exc.code), EXIT_AUTH) from exc
    except SyncSetupError as exc:
        raise CliError(sync_message(exc.code), EXIT_INVALID) from exc
    except CertificateProblem as exc:
        message = f"{connection_message('certificate')} ({exc.reason})"
        raise CliError(message, EXIT_OFFLINE) from exc
    except ServerError as exc:
        raise CliError(connection_message("server_fault"), EXIT_OFFLINE) from exc
    except ConnectionLost as exc:  # it was reached: not "cannot be reached"
        raise CliError(connection_message("lost"), EXIT_OFFLINE) from exc
    except Offline as exc:
        raise CliError(offline_message(exc.hint), EXIT_OFFLINE) from exc
    except RequestRefused as exc:
        raise CliError(refusal_message(exc.code), EXIT_REFUSED) from exc
    finally:
        session.close()


def cmd_join(args: argparse.Namespace) -> int:
    import socket

    from desktop_app.sync.http_client import may_get_through_later
    from desktop_app.usecases import sync as sync_uc

    # Before the store is opened: a join running (the window's) may keep it busy for as long
    # as the server takes to answer, and opening it would wait, then say the records are busy.
    if not args.demo and sync_uc.join_running(args.data_dir or default_data_dir()):
        raise CliError(sync_message("join_running"), EXIT_INVALID)

    def go(session: Session) -> int:
        name = args.name or socket.gethostname()
        # Tried again within this run after a failure on this laptop or of the connection: the
        # same registration, which the server takes again (a new run has a new secret, and the
        # code may be spent).
        attempt = sync_uc.JoinAttempt()
        local_tries_left, network_tries = _JOIN_TRIES - 1, 1
        try:
            while True:
                try:
                    result = sync_uc.join(
                        session.store,
                        args.server,
                        args.code,
                        name,
                        again=args.again,
                        even_if_known=args.even_if_known,
                        attempt=attempt,
                        # Tried again here, with the waits said, not in the client unsaid
                        # (and the store not held while waiting).
                        max_retries=0,
                    )
                    break
                except Exception as exc:
                    if may_get_through_later(exc):
                        if network_tries >= _JOIN_NETWORK_TRIES:
                            message = _join_unreachable(exc, attempt)
                            raise CliError(message, EXIT_OFFLINE) from exc
                        _wait_for_network(exc, network_tries)
                        network_tries += 1
                        continue
                    if failure_cause(exc) not in _LOCAL_JOIN_FAILURES:
                        raise
                    if not local_tries_left:
                        raise CliError(_join_not_kept(exc, attempt), EXIT_STORE) from exc
                    local_tries_left -= 1
                    print(failure_message(exc, _("This laptop has not joined.")), file=sys.stderr)
                    print(_("Trying again with the same code…"), file=sys.stderr)
        except KeyboardInterrupt as exc:
            raise CliError(_join_stopped(), EXIT_STOPPED) from exc
        except sync_uc.SyncSetupError as exc:
            if exc.code == "already_joined":
                hint = _(
                    "If the server no longer knows this laptop, join again with a new code "
                    "and --again: what is recorded here stays."
                )
                raise CliError(f"{sync_message(exc.code)}\n{hint}", EXIT_INVALID) from exc
            if exc.code == "still_known":
                hint = _("To join again all the same, add --even-if-known.")
                raise CliError(f"{sync_message(exc.code)}\n{hint}", EXIT_INVALID) from exc
            raise
        print(_("Joined as laptop {device}.").format(device=result.device_id))
        if args.again:
            print(
                _(
                    "Joined again: once a coordinator has approved this laptop, the next sync "
                    "sends everything recorded here that the server lacks."
                )
            )
        print(_("Fingerprint of this laptop: {fp}").format(fp=sync_uc.fingerprint(session.store)))
        if result.status != "approved":
            print(_("Waiting for a coordinator to approve this laptop (compare the fingerprint)."))
        return EXIT_OK

    return _with_server(args, go)


# Tries of ``welcome-desk join`` after a failure on this laptop (each waits out a busy store's
# timeout), and the failures that are tried again (``failure_cause``).
_JOIN_TRIES = 3
_LOCAL_JOIN_FAILURES = ("store_busy", "disk_full")
# Tries of ``welcome-desk join`` while the server cannot be reached (the Wi-Fi of a meeting
# point coming up, the server restarting), and the longest wait before the second: each next
# may wait twice as long, about 30 s in all at most. It tried once more at once, and stopped.
_JOIN_NETWORK_TRIES = 5
_JOIN_FIRST_WAIT_S = 2.0
_sleep = time.sleep  # (tests count the waits instead)
_jitter = random.Random()


def _join_stopped() -> str:
    return _(
        "Stopped: this laptop has not joined. Run the command again with the same code; if "
        "the server says it was used already, ask your coordinator for a new one."
    )


def join_wait(tries: int) -> float:
    """Seconds to wait after ``tries`` failed tries to reach the server: half of the doubled
    wait and up to as much again at random, so that laptops joining at once after a server's
    restart do not all come back together."""
    longest = _JOIN_FIRST_WAIT_S * 2 ** (tries - 1)
    return longest / 2 + _jitter.uniform(0, longest / 2)


def _wait_for_network(exc: BaseException, tries: int) -> None:
    """Say why the join waits, and for how long, then wait (Ctrl+C stops it)."""
    from desktop_app.i18n.formatting import format_number
    from desktop_app.sync.http_client import ConnectionLost, Offline, ServerError

    wait = join_wait(tries)
    if isinstance(exc, ServerError):  # it answered: not the network
        print(connection_message("server_fault"), file=sys.stderr)
    elif isinstance(exc, ConnectionLost):  # it was reached: not "cannot be reached"
        print(connection_message("lost"), file=sys.stderr)
    elif isinstance(exc, Offline):
        print(offline_message(exc.hint), file=sys.stderr)
    seconds = round(wait)
    print(
        ngettext(
            "This laptop has not joined yet. Trying again in {seconds} second (try {next} of "
            "{tries}); Ctrl+C stops.",
            "This laptop has not joined yet. Trying again in {seconds} seconds (try {next} of "
            "{tries}); Ctrl+C stops.",
            seconds,
        ).format(
            seconds=format_number(seconds),
            next=format_number(tries + 1),
            tries=format_number(_JOIN_NETWORK_TRIES),
        ),
        file=sys.stderr,
        flush=True,
    )
    _sleep(wait)


def _join_unreachable(exc: BaseException, attempt: JoinAttempt) -> str:
    """The last try did not reach the server: that, and whether the same code still works
    (it ended at "Nothing was lost.", which left the user to guess both)."""
    from desktop_app.sync.http_client import ConnectionLost, Offline

    if isinstance(exc, ConnectionLost):  # it was reached: not "cannot be reached"
        first = connection_message("lost")
    elif isinstance(exc, Offline):
        first = offline_message(exc.hint)
    else:
        first = connection_message("server_fault")
    lines = [first]
    if attempt.registered:
        lines.append(_registered_already())
    else:
        lines.append(
            _(
                "This laptop has not joined. Run the same command again once the server can "
                "be reached: the same code still works until it expires."
            )
        )
    return "\n".join(lines)


def _join_not_kept(exc: BaseException, attempt: JoinAttempt) -> str:
    """The last try failed on this laptop: why, and whether the code can still be used."""
    lines = [failure_message(exc, _("This laptop has not joined."))]
    if attempt.registered:
        lines.append(_registered_already())
    return "\n".join(lines)


def _registered_already() -> str:
    return _(
        "The server had registered this laptop already, so this code cannot be used again: "
        "try again with a new code from your coordinator."
    )


def cmd_sync(args: argparse.Namespace) -> int:
    from desktop_app.i18n.formatting import format_number
    from desktop_app.usecases import sync as sync_uc

    def go(session: Session) -> int:
        try:
            report = sync_uc.sync_now(session.store)
        except sync_uc.SyncSetupError as exc:
            if exc.code == "not_joined":  # said alone, it left the user to find the command
                hint = _(
                    "To join one, with the code from your coordinator: welcome-desk join "
                    "--server ADDRESS --code CODE"
                )
                raise CliError(f"{sync_message(exc.code)}\n{hint}", EXIT_INVALID) from exc
            if exc.code != "confirm_coordinator":
                raise
            if not allowed(session.user, Action.MANAGE_LAPTOPS):  # devices trust refuses them
                raise CliError(coordinator_to_confirm(_TRUST_COMMAND), EXIT_INVALID) from exc
            lines = [sync_message(exc.code), *_senders_to_confirm(session)]
            raise CliError("\n".join(lines), EXIT_INVALID) from exc
        print(_sync_summary(report.sent, report.received, report.conflicts, report.refused))
        if report.clock_offset_ms is not None:  # the sync went on as always: a warning only
            print(clock_warning(report.clock_offset_ms), file=sys.stderr)
        # The keys it has still work; a key from a laptop not confirmed yet waits.
        for line in _senders_to_confirm(session):
            print(line, file=sys.stderr)
        if sync_uc.own_key_refused(session.store):
            # renewing again is refused again: not "renew it again"
            print(refusal_message(sync_uc.SENDER_NOT_UPLOADER), file=sys.stderr)
        elif sync_uc.renewal_unfinished(session.store):
            print(
                _(
                    "Renewing the team key was broken off: renew it again "
                    "(welcome-desk keys rotate)."
                ),
                file=sys.stderr,
            )
        for name, folder in report.withdrawn.items():
            print(withdrawn_message(name, folder), file=sys.stderr)
        if report.server_restored:
            print(server_restored_message(), file=sys.stderr)
        if report.erased_work:
            print(erased_work_message(report.erased_work, report.erased_people), file=sys.stderr)
        if report.revoke_again_pending:
            print(revoke_again_pending_message(), file=sys.stderr)
        state = sync_uc.status(session.store)
        if state.open_conflicts:  # the summary counts this sync's new ones only
            print(_conflicts_waiting(state.open_conflicts), file=sys.stderr)
        if state.held_back:
            print(
                ngettext(
                    "{count} publication (service directory or forms) stays on this laptop: "
                    "the server takes publications only from a coordinator's laptop.",
                    "{count} publications (service directory or forms) stay on this laptop: "
                    "the server takes publications only from a coordinator's laptop.",
                    state.held_back,
                ).format(count=format_number(state.held_back)),
                file=sys.stderr,
            )
        if waiting := state.need_update:
            print(
                ngettext(
                    "{count} record from colleagues needs a newer version of Welcome Desk: "
                    "it is kept and shown after an update.",
                    "{count} records from colleagues need a newer version of Welcome Desk: "
                    "they are kept and shown after an update.",
                    waiting,
                ).format(count=format_number(waiting)),
                file=sys.stderr,
            )
        from desktop_app import __version__
        from desktop_app.usecases import reference

        for unusable in reference.unusable_publications(session.store):
            message = unusable_publication_message(unusable.name, unusable.reason, unusable.refused)
            print(message, file=sys.stderr)
            detail = unusable_publication_detail(
                unusable.reason, unusable.publisher_version, __version__
            )
            print(detail, file=sys.stderr)
        return EXIT_OK

    return _with_server(args, go)


def _sync_summary(pushed: int, pulled: int, conflicts: int, refused: int) -> str:
    """One sync's counts, each in its own plural form: "1 trimise" and "1 получени" (the plural
    after 1) were printed for a single record.

    ``pulled`` counts only records written on other laptops (``SyncReport.received``): a
    laptop's own records, which every pull after its push brings back, were said to be
    "received". Neither count holds audit entries (``SyncReport.sent``): the one of this
    command's own logging in made every sync say "1 sent"."""
    from desktop_app.i18n.formatting import format_number

    return _("Sync done: {pushed}, {pulled}, {conflicts}, {refused}.").format(
        pushed=ngettext("{count} sent", "{count} sent", pushed).format(count=format_number(pushed)),
        pulled=ngettext("{count} received", "{count} received", pulled).format(
            count=format_number(pulled)
        ),
        # the one count of a noun, in its plural form (ro "20 de conflicte")
        conflicts=ngettext("{count} conflict", "{count} conflicts", conflicts).format(
            count=format_number(conflicts)
        ),
        refused=ngettext("{count} refused", "{count} refused", refused).format(
            count=format_number(refused)
        ),
    )


def _conflicts_waiting(count: int) -> str:
    """How many conflicts wait, and where they are decided: a second sync said "0 conflicts"
    and nothing else while the first sync's conflict still waited."""
    from desktop_app.i18n.formatting import format_number

    where = " → ".join(_(m).replace("&", "") for m in ("&File", "&Conflicts to decide…"))
    return ngettext(
        "{count} conflict waits for an advisor to decide it in the window: {where}",
        "{count} conflicts wait for an advisor to decide them in the window: {where}",
        count,
    ).format(count=format_number(count), where=where)


# Where a coordinator confirms the laptop that sent a team key (``cmd_devices``).
_TRUST_COMMAND = "welcome-desk devices trust"


def _senders_to_confirm(session: Session) -> list[str]:
    """Which laptop sent a team key still waiting, and how to compare and confirm it; for a
    user who may not confirm it (a helper, an advisor: ``devices trust`` refuses them), that a
    coordinator has to, as the window says it."""
    from desktop_app.usecases import sync as sync_uc

    waiting = sync_uc.waiting_senders(session.store)
    manager = allowed(session.user, Action.MANAGE_LAPTOPS)
    # ``devices trust`` also lets the keeper of a lower role's laptop's accounts confirm.
    may_confirm = manager or session.user.keeps_accounts
    lines = [
        role_lowered_message(s.device_name, s.lowered_to, _TRUST_COMMAND, may_confirm=may_confirm)
        for s in waiting
        if s.lowered_to
    ]
    if lines and may_confirm:
        lines.append(f'  {_TRUST_COMMAND} --fingerprint "…"')
    others = [s for s in waiting if not s.lowered_to]
    if others and not manager:
        return [*lines, coordinator_to_confirm(_TRUST_COMMAND)]
    for sender in others:
        lines.append(
            _(
                "The laptop “{name}” sent a team key. Compare its fingerprint with the one "
                "shown on that laptop (welcome-desk devices list), then confirm it here:"
            ).format(name=sender.device_name)
        )
        lines.append(f'  {_TRUST_COMMAND} --fingerprint "…"')
    return lines


def cmd_devices(args: argparse.Namespace) -> int:
    from desktop_app.usecases import sync as sync_uc

    def go(session: Session) -> int:
        if args.devices_command == "trust":
            try:
                sender = sync_uc.confirm_coordinator(session.store, session.user, args.fingerprint)
            except sync_uc.SyncSetupError as exc:
                raise CliError(confirm_message(exc.code), EXIT_INVALID) from exc
            if sender.lowered_to:  # it lowered this laptop's role: taken now
                print(
                    _("Confirmed: {name}. This laptop is for {role} from now on.").format(
                        name=sender.device_name, role=laptop_role_name(sender.lowered_to)
                    )
                )
            else:
                print(
                    _("Confirmed: {name}. This laptop uses its team key from now on.").format(
                        name=sender.device_name
                    )
                )
        elif args.devices_command == "approve":
            device = sync_uc.approve_device(
                session.store, session.user, args.device, args.fingerprint, role=Role(args.role)
            )
            print(
                _("Approved: {name}, for {role}").format(
                    name=device.name, role=laptop_role_name(args.role)
                )
            )
        elif args.devices_command == "set-role":
            try:
                device, before = sync_uc.change_laptop_role(
                    session.store, session.user, args.device, Role(args.role)
                )
            except sync_uc.SyncSetupError as exc:
                if exc.code != "same_role":
                    raise
                print(sync_message(exc.code))  # nothing to do: done
                return EXIT_OK
            if before is None:  # a change begun on another laptop, finished here
                print(
                    _("{name}: for {role} from its next sync on").format(
                        name=device.name, role=laptop_role_name(args.role)
                    )
                )
            else:
                print(
                    _("{name}: for {role} from its next sync on (was: {before})").format(
                        name=device.name,
                        role=laptop_role_name(args.role),
                        # Approved before laptops had roles: it had every right, and no role.
                        before=laptop_role_name(before.value)
                        if device.laptop_role
                        else no_role_yet(),
                    )
                )
        elif args.devices_command == "code":
            from desktop_app.i18n.formatting import format_appointment

            issued = sync_uc.issue_enrollment_code(session.store, session.user, args.name)
            print(issued.code)  # alone on standard output, for a script
            print(
                _(
                    "For “{name}”, valid until {moment}, for one laptop only. On the new laptop: "
                    "welcome-desk join, with the server address {url} and this code; then "
                    "approve it here (welcome-desk devices approve) comparing its fingerprint."
                ).format(
                    name=issued.name,
                    moment=format_appointment(issued.expires_at.astimezone()),
                    url=sync_uc.server_url(session.store),
                ),
                file=sys.stderr,
            )
        elif args.devices_command == "revoke":
            device = sync_uc.revoke_device(session.store, session.user, args.device)
            print(
                _("Revoked: {name}. Rotate the team key now: welcome-desk keys rotate").format(
                    name=device.name
                )
            )
            # What it could hold, for the data protection officer (GDPR Art. 33).
            synced = bool(device.pulled_at)  # handed records at all
            print(held_on_revoked_laptop(device.name, device.people_at_revocation, synced=synced))
        else:
            devices = sync_uc.list_devices(session.store, session.user)
            # Computed here from this laptop's own key, not taken from the server's list: a new
            # laptop compares it before it takes the team key this laptop sends.
            own = _("Fingerprint of this laptop: {fp}").format(
                fp=sync_uc.fingerprint(session.store)
            )
            print(f"# {own}")
            for d in devices:
                role = (
                    laptop_role_name(d.laptop_role)
                    if d.laptop_role
                    else no_role_yet()
                    if sync_uc.has_no_role(d)
                    else "-"
                )
                print("\t".join([d.device_id, d.status, d.fingerprint, d.name, role]))
        return EXIT_OK

    return _with_server(args, go)


def _published_line(published: reference_uc.Publication | None, shipped: str, template: str) -> str:
    from desktop_app.i18n.formatting import format_long_date, format_number

    if published is None:
        return shipped
    line = template.format(
        name=published.publisher,
        when=format_long_date(published.published_at.date()),
        count=format_number(published.count),
    )
    return f"{line}\n{published.note}" if published.note else line


def cmd_reference(args: argparse.Namespace) -> int:
    """``directory show|export|publish`` and ``forms show|export|publish``."""
    from desktop_app.domain.permissions import PermissionDenied
    from desktop_app.i18n.formatting import format_number
    from desktop_app.usecases import reference

    directory = args.command == "directory"
    action = args.directory_command if directory else args.forms_command
    session = open_session(args)
    store, user = session.store, session.user
    try:
        if action == "show" and directory:
            count = len(reference.service_directory(store).services)
            published = reference.published_directory(store)
            print(
                _published_line(
                    published,
                    ngettext(
                        "The shipped directory is in force ({count} service).",
                        "The shipped directory is in force ({count} services).",
                        count,
                    ).format(count=format_number(count)),
                    ngettext(
                        "Published by {name} on {when}: {count} service.",
                        "Published by {name} on {when}: {count} services.",
                        published.count if published is not None else 0,
                    ),
                )
            )
        elif action == "show":
            print(
                _published_line(
                    reference.published_forms(store),
                    _("In force: the forms shipped with Welcome Desk."),
                    _("Forms published by {name} on {when}."),
                )
            )
            for form_id, form in reference.forms_in_force(store).items():
                print(f"{form_id}\t{form.version}")
        elif action == "export":
            export = reference.export_directory if directory else reference.export_forms
            count = export(store, user, args.out)
            print(
                ngettext(
                    "{count} file written to {folder}.", "{count} files written to {folder}.", count
                ).format(count=format_number(count), folder=args.out)
            )
        else:
            publish = (
                reference.publish_directory_folder if directory else reference.publish_forms_folder
            )
            done = publish(store, user, args.source, args.note)
            message = (
                ngettext(
                    "Published: {count} service. Other laptops use it after their next sync.",
                    "Published: {count} services. Other laptops use them after their next sync.",
                    done.count,
                )
                if directory
                else ngettext(
                    "Published: {count} form. Other laptops use it after their next sync.",
                    "Published: {count} forms. Other laptops use them after their next sync.",
                    done.count,
                )
            )
            print(message.format(count=format_number(done.count)))
    except reference.REFUSALS as exc:
        code = EXIT_AUTH if isinstance(exc, PermissionDenied) else EXIT_INVALID
        raise CliError("\n".join(reference.problem_messages(exc)), code) from exc
    finally:
        session.close()
    return EXIT_OK


def cmd_keys_rotate(args: argparse.Namespace) -> int:
    from desktop_app.usecases import sync as sync_uc

    def go(session: Session) -> int:
        result = sync_uc.rotate_team_key(session.store, session.user)
        print(_("A new team key is in use."))
        left_out = [(s.name, s.device_id, s.reason) for s in result.skipped]
        for line in laptops_not_given_the_key(left_out):
            print(line)
        if left_out:
            print(
                _(
                    "If one of them is a laptop of the team, compare its fingerprint and approve "
                    "it again (welcome-desk devices approve ID --fingerprint “…” --role …): it "
                    "then receives every team key."
                )
            )
        return EXIT_OK

    return _with_server(args, go)


def cmd_report(args: argparse.Namespace) -> int:
    from desktop_app.domain.permissions import PermissionDenied
    from desktop_app.i18n.text import current_language
    from desktop_app.reports.exports import export
    from desktop_app.usecases.reports import PeriodError, ReportFilter, build_report, parse_period

    lang = args.lang or "de"  # funders get German unless another language is asked for
    try:
        period = parse_period(args.period, current_language())
    except PeriodError as exc:
        raise CliError(
            _("Not a period: {text}. Use e.g. 2026-10, 2026-Q3 or 2026.").format(text=args.period),
            EXIT_USAGE,
        ) from exc
    if args.threshold < 1:
        raise CliError(_("The threshold must be at least 1."), EXIT_USAGE)
    if args.demo:
        from desktop_app.usecases.demo import open_demo_session

        session = open_demo_session(activity=True)
    else:
        session = open_session(args)
    try:
        report = build_report(
            session.store, session.user, period, ReportFilter(args.device, args.advisor)
        )
        export(report, args.format, args.out, lang, args.threshold)
    except PermissionDenied as exc:
        raise CliError(error_message(exc.code), EXIT_AUTH) from exc
    finally:
        session.close()
    print(_("Report written to {path}").format(path=args.out))
    return EXIT_OK


def chosen_language(lang: str | None) -> str:
    """The language of the command line: --lang if given, else the user's (WELCOME_DESK_LANG,
    the locale). One rule for the parser's texts and for everything the commands print."""
    return lang or system_language()


def lang_option(argv: Sequence[str], parser: argparse.ArgumentParser | None = None) -> str | None:
    """The language --lang names in ``argv``, found before the parser is built in it (its
    texts are worded in the language): the last value argparse would take as --lang, None if
    none or not one of ours, which argparse then refuses in the user's language.

    ``parser`` (default: ours, in any language) gives the options each (sub)parser knows,
    which decide what argparse takes as --lang (``--la bg`` unless ambiguous there). Unlike
    argparse, an error elsewhere in ``argv`` (or --help before --lang) does not end the
    search, so that the error or the help is worded in the language asked for."""
    found = _option_values(parser or build_parser(), list(argv), "lang")
    return found[-1] if found and found[-1] in LANGUAGES else None


# An option token as argparse reads it: its action (None: an option this parser does not
# know), the option string it stands for and the value given with "=" (or glued to -x).
_OptionToken = tuple[argparse.Action | None, str, str | None]


def _option_values(parser: argparse.ArgumentParser, args: list[str], dest: str) -> list[str]:
    """The values argparse gives the option ``dest`` in ``args``, in order, following its
    ``_parse_known_args`` (Python 3.11): tokens are told apart as options and arguments by
    this parser's own options; the first argument of a parser with subcommands names the
    subcommand, whose parser reads all that follows."""
    options: dict[int, _OptionToken] = {}
    kinds = []  # argparse's pattern: O an option, A an argument, "-" the "--" ending options
    ended = False
    for i, token in enumerate(args):
        if not ended and token == "--":
            kinds.append("-")
            ended = True
        elif not ended and (option := _option_token(parser, token)) is not None:
            options[i] = option
            kinds.append("O")
        else:
            kinds.append("A")
    pattern = "".join(kinds)
    commands = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    values: list[str] = []
    i = 0
    while i < len(args):
        if i not in options:
            if commands:  # nargs=PARSER: the command's parser takes everything after it
                sub = commands[0].choices.get(args[i])
                return values + (_option_values(sub, args[i + 1 :], dest) if sub else [])
            i += 1  # a positional argument: argparse gives those to no option
            continue
        action, option_string, explicit = options[i]
        i += 1
        while action is not None:
            if explicit is None:  # the arguments that follow, as many as nargs matches
                taken = re.match(parser._get_nargs_pattern(action), pattern[i:])
                count = len(taken.group(1)) if taken else 0  # none: argparse's error
                if action.dest == dest:
                    values += args[i : i + count]
                i += count
                break
            glued = re.match(parser._get_nargs_pattern(action), "A")
            if glued and len(glued.group(1)) == 1:  # --lang=bg
                if action.dest == dest:
                    values.append(explicit)
                break
            if not glued or option_string[1] in parser.prefix_chars or not explicit:
                break  # argparse: "ignored explicit argument"
            # -xy of single-dash flags: -x, then -y with what is left
            option_string = option_string[0] + explicit[0]
            action = parser._option_string_actions.get(option_string)
            explicit = explicit[1:] or None
    return values


def _option_token(parser: argparse.ArgumentParser, token: str) -> _OptionToken | None:
    """argparse's ``_parse_optional`` (Python 3.11): None for an argument. An ambiguous
    abbreviation, which argparse refuses, counts as an option this parser does not know."""
    known = parser._option_string_actions
    if not token or token[0] not in parser.prefix_chars:
        return None
    if token in known:
        return known[token], token, None
    if len(token) == 1:
        return None
    if "=" in token:
        name, explicit = token.split("=", 1)
        if name in known:
            return known[name], name, explicit
    matches = _abbreviated(parser, token)
    if len(matches) == 1:
        return matches[0]
    if not matches:
        negative = parser._negative_number_matcher.match(token)
        if (negative and not parser._has_negative_number_optionals) or " " in token:
            return None
    return None, token, None


def _abbreviated(parser: argparse.ArgumentParser, token: str) -> list[_OptionToken]:
    """argparse's ``_get_option_tuples`` (Python 3.11): the options ``token`` may stand for.
    A long option's prefix counts only with ``allow_abbrev``; -xVALUE always does."""
    known = parser._option_string_actions
    if token[1] in parser.prefix_chars:
        if not parser.allow_abbrev:
            return []
        prefix, explicit = token.split("=", 1) if "=" in token else (token, None)
        return [
            (action, name, explicit) for name, action in known.items() if name.startswith(prefix)
        ]
    return [
        (action, name, token[2:] if name == token[:2] else None)
        for name, action in known.items()
        if name == token[:2] or name.startswith(token)
    ]


def run(args: argparse.Namespace) -> int:
    set_language(chosen_language(args.lang))
    handlers = {
        ("init", None): cmd_init,
        ("people", "add"): cmd_people_add,
        ("people", "search"): cmd_people_search,
        ("backup", None): cmd_backup,
        ("restore", None): cmd_restore,
        ("people", "import"): cmd_people_import,
        ("forms", "check"): cmd_forms_check,
        ("letters", "sample"): cmd_letters_sample,
        ("join", None): cmd_join,
        ("sync", None): cmd_sync,
        ("devices", "list"): cmd_devices,
        ("devices", "approve"): cmd_devices,
        ("devices", "revoke"): cmd_devices,
        ("devices", "code"): cmd_devices,
        ("devices", "set-role"): cmd_devices,
        ("devices", "trust"): cmd_devices,
        ("keys", "rotate"): cmd_keys_rotate,
        ("directory", "show"): cmd_reference,
        ("directory", "export"): cmd_reference,
        ("directory", "publish"): cmd_reference,
        ("forms", "show"): cmd_reference,
        ("forms", "export"): cmd_reference,
        ("forms", "publish"): cmd_reference,
        ("report", None): cmd_report,
    }
    sub = getattr(args, f"{args.command}_command", None)
    handler = handlers[(args.command, sub)]
    try:
        return handler(args)
    except CliError as exc:
        print(str(exc), file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return EXIT_STOPPED
    except BrokenPipeError:  # output piped into e.g. `head`, which stopped reading
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


COMMON_DEFAULTS = {
    "data_dir": None,
    "account": None,
    "password_stdin": False,
    "demo": False,
    "lang": None,
}


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """``argv`` read by the parser, which speaks (help, errors) the language chosen in it."""
    argv = sys.argv[1:] if argv is None else list(argv)
    set_language(chosen_language(lang_option(argv)))
    with argparse_in_ui_language():  # "usage:" and the errors are worded while parsing
        args = build_parser().parse_args(argv)
    for name, value in COMMON_DEFAULTS.items():
        if not hasattr(args, name):
            setattr(args, name, value)
    return args


def set_up_logging(args: argparse.Namespace) -> None:
    if not args.demo:
        from desktop_app.logs import configure_logging, install_excepthook

        configure_logging((args.data_dir or default_data_dir()) / "logs")
        install_excepthook()


# Commands that work on no data folder: they neither choose one nor name it.
_WITHOUT_DATA = {("forms", "check"), ("letters", "sample")}


def choose_data_folder(args: argparse.Namespace) -> None:
    """``args.data_dir`` as the window would open it (``paths.choose_data_dir``). A folder
    other than the one named or the default is said on stderr: a scheduled sync or backup
    must not work on another store than the user thinks, unnoticed."""
    from desktop_app.paths import choose_data_dir

    chosen = choose_data_dir(args.data_dir)
    args.data_dir = chosen.folder
    if chosen.remembered is None:
        return
    if chosen.remembered == chosen.folder:
        note = _(
            "Working on the data in {folder}, the folder opened in the window after a restore "
            "(--data-dir chooses another)."
        ).format(folder=chosen.folder)
    else:
        note = _(
            "The data folder opened in the window after a restore, {chosen}, holds no data "
            "(a drive not connected?): working on the default data folder {folder}."
        ).format(chosen=chosen.remembered, folder=chosen.folder)
    print(note, file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    if args.command is None:
        from desktop_app.app import run_gui

        return run_gui(args)  # chooses the data folder; sets up logging after the first paint
    sub = getattr(args, f"{args.command}_command", None)
    if not args.demo and (args.command, sub) not in _WITHOUT_DATA:
        choose_data_folder(args)
    set_up_logging(args)
    return run(args)
