"""A process that writes to a store back to back in background transactions, as the sync does
while it applies a long pull: ``python tests/unit/background_writer.py DATA_DIR COUNT HOLD_MS``
with the store's key (hex) on stdin. Prints "started" after its first commit, then "done".
Each transaction adds one row to the meta table (``bg.<n>``) and holds the store HOLD_MS."""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from desktop_app.storage.db import StorePaths, open_with_key
from desktop_app.storage.models import MetaRow


def main() -> int:
    data_dir, count, hold_ms = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    store = open_with_key(StorePaths(data_dir), bytes.fromhex(sys.stdin.readline().strip()))
    try:
        for n in range(count):
            with store.background_transaction() as session:
                session.add(MetaRow(key=f"bg.{n:04d}", value=str(time.time())))
                session.flush()
                time.sleep(hold_ms / 1000)
            if n == 0:
                print("started", flush=True)
    finally:
        store.close()
    print("done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
