"""A window start with --password-stdin begins the unlock before the command line module loads
(``app.EarlyUnlock``). It may only do so where argparse would read the same command line the
same way: a plain window start. Everything else must be left to argparse."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app import cli
from desktop_app.app import EarlyUnlock

PLAIN = [
    ["--password-stdin"],
    ["--data-dir", "/tmp/x", "--password-stdin"],
    ["--data-dir=/tmp/x", "--account=anna", "--password-stdin", "--lang", "bg"],
    ["--password-stdin", "--account", "anna", "--startup-probe", "--lang=ro"],
    ["--account", "a", "--account", "b", "--password-stdin"],  # the last one counts, as argparse
    ["--lang", "de", "--password-stdin", "--data-dir", "rel/folder"],
]

NOT_PLAIN = [
    [],  # no password on standard input: the login prompt
    ["--data-dir", "/tmp/x"],
    ["--password-stdin", "people", "search", "x"],  # a command
    ["people", "search", "x", "--password-stdin"],
    ["--password-stdin", "--demo"],
    ["--password-stdin", "--screenshot", "out.png"],
    ["--password-stdin", "--screenshot=out.png"],
    ["--pass", "--data-dir", "/tmp/x"],  # an abbreviation argparse accepts
    ["--password-stdin", "--acc", "anna"],
    ["--password-stdin", "--account"],  # a value missing
    ["--password-stdin", "--account", "--lang", "de"],
    ["--password-stdin", "--data-dir="],
    ["--password-stdin", "--lang", "fr"],  # argparse refuses it: so does the scan
    ["--password-stdin=yes"],
    ["--password-stdin", "--", "--data-dir", "x"],
    ["--password-stdin", "--probe-typing-s", "1"],
    ["-h", "--password-stdin"],
]


@pytest.mark.parametrize("argv", PLAIN)
def test_a_plain_window_start_is_read_as_argparse_reads_it(argv: list[str]) -> None:
    early = EarlyUnlock.scan(argv)
    args = cli.parse(argv)
    assert early is not None
    assert args.command is None and args.password_stdin and not args.demo
    assert vars(early) == vars(args)


@pytest.mark.parametrize("argv", NOT_PLAIN)
def test_anything_else_is_left_to_argparse(argv: list[str]) -> None:
    assert EarlyUnlock.scan(argv) is None


def test_a_relative_folder_stays_as_given() -> None:
    early = EarlyUnlock.scan(["--data-dir", "rel", "--password-stdin"])
    assert early is not None and early.data_dir == Path("rel") and early.account is None
