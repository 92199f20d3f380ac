"""A throwaway store full of generated people, for trying the app and checking layouts."""

from __future__ import annotations

import atexit
import secrets
import shutil
import tempfile
from pathlib import Path

from desktop_app.domain.demo import generate_people
from desktop_app.storage.keyslots import KdfParams
from desktop_app.usecases.accounts import Session, create_first_account
from desktop_app.usecases.people import register_many

DEMO_ACCOUNT = "demo"
DEMO_PEOPLE = 5000


def open_demo_session(
    people: int = DEMO_PEOPLE, seed: int = 1, *, activity: bool = False
) -> Session:
    """Create a store in a temporary folder (removed at exit) and fill it with demo people;
    with ``activity``, also a year of their visits, referrals and quick contacts (reports)."""
    folder = Path(tempfile.mkdtemp(prefix="welcome-desk-demo-"))
    atexit.register(shutil.rmtree, folder, True)
    # The password is random and thrown away with the folder, so a costly KDF protects nothing.
    session = create_first_account(
        folder / "data",
        DEMO_ACCOUNT,
        "Demo",
        secrets.token_urlsafe(16),
        kdf=KdfParams(time_cost=1, memory_kib=8192, parallelism=1),
    )
    if people:
        register_many(session.store, session.user, generate_people(people, seed))
    if activity:
        from desktop_app.usecases.report_demo import add_demo_activity

        add_demo_activity(session.store, session.user.id, seed=seed)
    return session
