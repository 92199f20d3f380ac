"""Entry point of the frozen bundle: the same `welcome-desk` command as the installed script."""

import sys

from desktop_app.app import main

if __name__ == "__main__":
    sys.exit(main())
