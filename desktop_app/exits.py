"""Exit codes and the error that carries one, for the command line and the window's start.

Kept apart from ``cli`` (argparse, messages) so that a window start needs neither until
something goes wrong.
"""

from __future__ import annotations

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_AUTH, EXIT_STORE = 0, 1, 2, 3, 4
# The sync server: not reached (or failing), and refusing.
EXIT_OFFLINE, EXIT_REFUSED = 5, 6
EXIT_STOPPED = 130  # Ctrl+C


class CliError(Exception):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code
