"""A laptop that keeps saving and syncing until it is killed: the client-crash campaign's victim.

Usage: ``python tests/reliability/client_worker.py --data-dir D --journal J --seed N --ops N``,
password on stdin. Before each save it journals an ``intent`` line, and only after the use case
returned (the transaction committed) a ``done`` line, each fsynced, so the campaign knows which
saves must have survived a SIGKILL and which may or may not have. Saves are registrations,
phone edits, finished visits (a complete intake form) and quick contacts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
from pathlib import Path

os.environ.setdefault("WELCOME_DESK_FAST_KDF", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from desktop_app.domain.person import PersonDraft
from desktop_app.domain.users import User
from desktop_app.storage.db import Store
from desktop_app.sync.http_client import SyncError
from desktop_app.usecases import people, visits
from desktop_app.usecases import sync as sync_uc
from desktop_app.usecases.accounts import log_in

ACCOUNT = "anna"
# A complete intake form (life situation); ``given_names`` carries the journal's tag.
VISIT_ANSWERS: dict[str, object] = {
    "family_name": "Петрова",
    "date_of_birth": "1991-04-02",
    "sex": "female",
    "nationality": "bulgarian",
    "languages": ["bg", "tr"],
    "address_registration": "not_registered",
    "children_count": 1,
    "children": [
        {"child_birth": "2018-05-01", "child_lives": "with_person", "child_care": "school"}
    ],
    "housing_type": "sublet",
    "rent": 450,
    "insurance_status": "none",
    "pregnant": "no",
    "urgent_medical_need": "no",
    "work_status": ["minijob"],
    "session_language": "bg",
    "topics": ["jobcenter"],
    "urgency": "this_week",
}


# The worker's only calls of the visits use cases (their signatures may change: one place).
def save_visit(store: Store, user: User, person_id: str, tag: str) -> str:
    answers = {**VISIT_ANSWERS, "given_names": f"V{tag}"}
    return visits.finish_visit(store, user, person_id, "life_situation", answers).id


def save_quick_contact(store: Store, user: User) -> None:
    contact = visits.QuickContact(dt.date.today(), "bg", ("jobcenter",), True, "bulgarian")
    visits.record_quick_contact(store, user, contact)


class Journal:
    def __init__(self, path: Path) -> None:
        self.file = path.open("a", encoding="utf-8")

    def write(self, *parts: str) -> None:
        self.file.write("\t".join(parts) + "\n")
        self.file.flush()
        os.fsync(self.file.fileno())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--journal", type=Path, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--ops", type=int, default=200)
    parser.add_argument("--sync-every", type=int, default=7)
    args = parser.parse_args(argv)
    password = sys.stdin.readline().rstrip("\n")
    rng = random.Random(args.seed)
    journal = Journal(args.journal)
    session = log_in(args.data_dir, ACCOUNT, password)
    store, user = session.store, session.user
    known = [e.id for e in people.list_people(store, 0, 100_000)]
    print("ready", flush=True)
    for n in range(args.ops):
        roll = rng.random()
        tag = f"{args.seed}-{n}"
        if roll < 0.35 or not known:
            given = f"W{tag}"
            journal.write("add-intent", given)
            person = people.register_person(
                store,
                user,
                PersonDraft(given, rng.choice(["Петров", "Țăranu", "Müller", "Popescu"]), "1985"),
                confirm_duplicates=True,
            )
            journal.write("add-done", given, person.id)
            known.append(person.id)
        elif roll < 0.55:
            pid = rng.choice(known)
            phone = f"0176 {rng.randrange(10**6, 10**7)}"
            current = people.get_person(store, user, pid, log_view=False)
            assert current is not None
            values = people.person_values(current)
            values["phone"] = phone
            languages = tuple(c for c in values.pop("languages").split(",") if c)
            journal.write("edit-intent", pid, phone)
            people.update_person(store, user, pid, PersonDraft(**values, languages=languages))
            journal.write("edit-done", pid, phone)
        elif roll < 0.8:
            journal.write("visit-intent", tag)
            visit_id = save_visit(store, user, rng.choice(known), tag)
            journal.write("visit-done", tag, visit_id)
        else:
            journal.write("contact-intent", tag)
            save_quick_contact(store, user)
            journal.write("contact-done", tag)
        if args.sync_every and n % args.sync_every == args.sync_every - 1:
            journal.write("sync-start", tag)
            try:
                sync_uc.sync_now(store, max_retries=1, backoff_base=0.05)
                journal.write("sync-done", tag)
            except SyncError as exc:  # the server may be away; offline first
                journal.write("sync-failed", tag, type(exc).__name__)
    session.close()
    print("finished", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
