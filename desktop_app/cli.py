"""Command line of ``welcome-desk``: the GUI options and the headless commands (no Qt here)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.validation import ValidationFailed
from desktop_app.i18n.formatting import format_partial_date
from desktop_app.i18n.messages import error_message, field_message
from desktop_app.i18n.text import LANGUAGES, _, set_language, system_language
from desktop_app.paths import default_data_dir
from desktop_app.storage.db import StoreError, StorePaths
from desktop_app.storage.keyslots import KeySlotError
from desktop_app.usecases import people, people_import
from desktop_app.usecases.accounts import Session, create_first_account, log_in

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_AUTH, EXIT_STORE = 0, 1, 2, 3, 4


class CliError(Exception):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def build_parser() -> argparse.ArgumentParser:
    # Common options may stand before or after the subcommand. SUPPRESS keeps a subcommand's
    # unset option from overwriting the same option given before it; defaults come after parsing.
    common = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    common.add_argument("--data-dir", type=Path, help="data folder (default: the user data folder)")
    common.add_argument("--account", help="account name (default: the only account)")
    common.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    common.add_argument("--demo", action="store_true", help="use a throwaway store of demo data")
    common.add_argument("--lang", choices=LANGUAGES, help="language of messages and the UI")

    parser = argparse.ArgumentParser(
        prog="welcome-desk", parents=[common], description="Welcome Desk advice sessions"
    )
    parser.add_argument("--screenshot", type=Path, help="render the main window to PNG and exit")
    # For bench/startup.py: quit as soon as the main window is shown and idle.
    parser.add_argument("--startup-probe", action="store_true", help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command")

    init = commands.add_parser("init", parents=[common], help="set up a new store")
    init.add_argument("--display-name", default="")

    people_cmd = commands.add_parser("people", help="register and find people")
    people_sub = people_cmd.add_subparsers(dest="people_command", required=True)
    add = people_sub.add_parser("add", parents=[common], help="register a person")
    add.add_argument("--given", required=True)
    add.add_argument("--family", required=True)
    add.add_argument("--dob", default="", help="DD.MM.YYYY, YYYY-MM-DD or YYYY")
    add.add_argument("--sex", default="", choices=["", "female", "male", "diverse", "not_stated"])
    add.add_argument("--nationality", default="", help="ISO country code, e.g. BG")
    add.add_argument("--language", action="append", default=[], help="ISO language code")
    add.add_argument("--phone", default="")
    add.add_argument("--notes", default="")
    add.add_argument("--force", action="store_true", help="register even if duplicates exist")
    imp = people_sub.add_parser(
        "import", parents=[common], help="import people from a CSV or XLSX file"
    )
    imp.add_argument("file", type=Path)
    imp.add_argument("--mapping", help="name of a saved column mapping")
    imp.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="map a field (given_name, family_name, full_name, date_of_birth, sex, nationality, "
        "languages, phone, notes) to a column; unmapped fields are guessed from the headers",
    )
    imp.add_argument("--save-mapping", metavar="NAME", help="save the mapping under this name")
    imp.add_argument("--dry-run", action="store_true", help="report, store nothing")
    dup = imp.add_mutually_exclusive_group()
    dup.add_argument("--skip-duplicates", action="store_true", help="leave likely duplicates out")
    dup.add_argument("--force", action="store_true", help="import likely duplicates as well")
    search = people_sub.add_parser("search", parents=[common], help="find people")
    search.add_argument("query")
    search.add_argument("--limit", type=int, default=50)

    forms_cmd = commands.add_parser("forms", help="form definitions")
    forms_sub = forms_cmd.add_subparsers(dest="forms_command", required=True)
    check = forms_sub.add_parser("check", parents=[common], help="validate form definitions")
    check.add_argument("paths", nargs="+", type=Path, help="YAML files or folders")

    letters_cmd = commands.add_parser("letters", help="referral letters")
    letters_sub = letters_cmd.add_subparsers(dest="letters_command", required=True)
    sample = letters_sub.add_parser(
        "sample", parents=[common], help="write a sample letter per service and client language"
    )
    sample.add_argument("--out", type=Path, required=True, help="folder for the PDFs")
    sample.add_argument("--client-lang", action="append", choices=LANGUAGES, default=None)
    return parser


def read_password(args: argparse.Namespace, prompt: str) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return getpass.getpass(prompt)


def open_session(args: argparse.Namespace) -> Session:
    if args.demo:
        from desktop_app.usecases.demo import open_demo_session

        return open_demo_session()
    paths = StorePaths(args.data_dir or default_data_dir())
    if not paths.is_initialised():
        raise CliError(
            _("No store in {folder}. Set one up with: welcome-desk init").format(
                folder=paths.data_dir
            ),
            EXIT_STORE,
        )
    try:
        account = args.account
        if not account:
            accounts = paths.keyslots.accounts()
            if len(accounts) != 1:
                raise CliError(_("Please name the account with --account."), EXIT_USAGE)
            account = accounts[0]
        return log_in(paths.data_dir, account, read_password(args, _("Password: ")))
    except KeySlotError as exc:
        raise CliError(error_message(exc.code), EXIT_AUTH) from exc
    except StoreError as exc:
        raise CliError(error_message(exc.code), EXIT_STORE) from exc


def _validation_report(exc: ValidationFailed) -> str:
    return "\n".join(f"{e.field}: {field_message(e)}" for e in exc.errors)


def cmd_init(args: argparse.Namespace) -> int:
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
    session.close()
    print(_("Store created in {folder}.").format(folder=data_dir))
    return EXIT_OK


def _line(entry: people.PersonListEntry) -> str:
    parts = [f"{entry.family_name}, {entry.given_name}"]
    if entry.date_of_birth:
        parts.append(format_partial_date(entry.date_of_birth))
    parts.extend(p for p in (entry.nationality, entry.phone) if p)
    return "\t".join([entry.id, *parts])


def cmd_people_add(args: argparse.Namespace) -> int:
    draft = PersonDraft(
        given_name=args.given,
        family_name=args.family,
        date_of_birth=args.dob,
        sex=args.sex,
        nationality=args.nationality,
        languages=tuple(args.language),
        phone=args.phone,
        notes=args.notes,
    )
    session = open_session(args)
    try:
        person = people.register_person(
            session.store, session.user.id, draft, confirm_duplicates=args.force
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
                    session.store, session.user.id, table_, mapping, policy=policy
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


def cmd_letters_sample(args: argparse.Namespace) -> int:
    from desktop_app.letters.samples import write_samples

    langs = tuple(args.client_lang or ("bg", "ro"))
    written = write_samples(args.out, langs=langs)
    for path in written:
        print(path)
    print(_("{count} letters written.").format(count=len(written)), file=sys.stderr)
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    set_language(args.lang or system_language())
    handlers = {
        ("init", None): cmd_init,
        ("people", "add"): cmd_people_add,
        ("people", "search"): cmd_people_search,
        ("people", "import"): cmd_people_import,
        ("forms", "check"): cmd_forms_check,
        ("letters", "sample"): cmd_letters_sample,
    }
    sub = getattr(args, f"{args.command}_command", None)
    handler = handlers[(args.command, sub)]
    try:
        return handler(args)
    except CliError as exc:
        print(str(exc), file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130
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
    args = build_parser().parse_args(argv)
    for name, value in COMMON_DEFAULTS.items():
        if not hasattr(args, name):
            setattr(args, name, value)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    if args.command is None:
        from desktop_app.app import run_gui

        return run_gui(args)
    return run(args)
