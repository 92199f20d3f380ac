"""argparse's own words (usage, headings, the help option, its error messages) from our
catalogs, in the UI language, for the command line of ``welcome-desk``.

Python's argparse asks ``gettext.gettext``/``ngettext`` for them through its module's names
``argparse._`` and ``argparse.ngettext``, in the "argparse" domain that no system here has in
our languages. ``argparse_in_ui_language`` binds those names to our catalog only while our
parser is built and used, so that other parsers in the same process (the server's command line
stays English) keep argparse's own. The names are module-wide: the command line is parsed on
the main thread before any worker starts.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager

from desktop_app.i18n.text import N_, _, ngettext

# The msgids exactly as Python 3.11's argparse passes them (tests/unit/test_cli_language.py
# checks that each is still in argparse's source), marked for `make catalogs`. Those only a
# programmer meets (conflicting options, a bad `nargs`) are left to argparse's English.
ARGPARSE_MESSAGES = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("unexpected option string: %s"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
)


def _plural_messages(n: int) -> list[str]:
    """Never called: marks argparse's plural messages for extraction (``ngettext:1,2``)."""
    return [ngettext("expected %s argument", "expected %s arguments", n)]


@contextmanager
def argparse_in_ui_language() -> Iterator[None]:
    """While inside: argparse words its texts in the current UI language (``set_language``).

    The texts are looked up when argparse needs them: the help option's and the headings'
    when a parser is made, "usage:" and the errors while it parses. Both belong inside.
    """
    module = vars(argparse)
    saved = module["_"], module["ngettext"]
    module["_"], module["ngettext"] = _, ngettext
    try:
        yield
    finally:
        module["_"], module["ngettext"] = saved
