"""One sync round: push the outbox, pull everything after the cursor, merge field by field.

Runs off the UI thread; nothing here waits for a user. Every pulled page is applied and its
cursor saved in one transaction, and outbox rows are deleted only for envelopes the server
confirmed, so an interruption at any point (laptop crash, server crash, network drop) leaves
both sides consistent and the next round continues where this one stopped.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from desktop_app.domain.hlc import Timestamp
from desktop_app.storage.db import Store
from desktop_app.storage.models import MetaRow, OutboxRow
from desktop_app.storage.sync_models import ConflictRow, SyncedRevisionRow, TeamKeyRow
from desktop_app.sync import crypto
from desktop_app.sync.http_client import SyncServerClient
from desktop_app.sync.kinds import conflict_row_values
from desktop_app.sync.merge import Conflict, merge
from desktop_app.sync.records import ADAPTERS, LocalRecord, PayloadError, decode, encode
from sync_server import wire

log = logging.getLogger(__name__)

PULL_PAGE = 500
MAX_ROUNDS = 4  # a refused push (same revision pushed elsewhere) needs a pull and a re-push

# Keys of the store's meta table that hold this laptop's sync configuration.
SERVER_URL = "sync.server_url"
DEVICE_ID = "sync.device_id"
TOKEN = "sync.token"
PRIVATE_KEY = "sync.private_key"
CURSOR = "sync.cursor"
LAST_SUCCESS = "sync.last_success"
STATUS = "sync.status"


@dataclass
class SyncReport:
    pushed: int = 0
    pulled: int = 0
    applied: int = 0
    conflicts: int = 0
    refused: int = 0  # envelopes that failed authentication or were replays: never applied
    rounds: int = 0
    refused_ids: list[str] = field(default_factory=list)


Progress = Callable[[str, int, int], None]  # phase, done, total (0 when unknown)


def get_meta(session: Session, key: str) -> str | None:
    row = session.get(MetaRow, key)
    return row.value if row is not None else None


def set_meta(session: Session, key: str, value: str) -> None:
    row = session.get(MetaRow, key)
    if row is None:
        session.add(MetaRow(key=key, value=value))
    else:
        row.value = value


def keyring(session: Session) -> dict[str, bytes]:
    return {row.key_id: row.key for row in session.scalars(select(TeamKeyRow))}


def active_key(session: Session) -> TeamKeyRow | None:
    return session.scalar(select(TeamKeyRow).where(TeamKeyRow.active.is_(True)))


def add_team_key(session: Session, key_id: str, key: bytes, hlc: str, *, active: bool) -> None:
    if session.get(TeamKeyRow, key_id) is not None:
        return
    if active:
        for row in session.scalars(select(TeamKeyRow).where(TeamKeyRow.active.is_(True))):
            row.active = False
    session.add(TeamKeyRow(key_id=key_id, key=key, added_hlc=hlc, active=active))


def pending_changes(store: Store) -> int:
    with store.reading() as session:
        return int(session.scalar(select(func.count(func.distinct(OutboxRow.record_id)))) or 0)


class SyncEngine:
    def __init__(
        self, store: Store, client: SyncServerClient, progress: Progress | None = None
    ) -> None:
        self.store = store
        self.client = client
        self.progress = progress or (lambda _phase, _done, _total: None)
        with store.reading() as session:
            device = get_meta(session, DEVICE_ID)
        if device is None:
            raise RuntimeError("this laptop has not joined a sync server")
        self.device_id = device

    # --- the round -----------------------------------------------------------------------
    def sync(self) -> SyncReport:
        report = SyncReport()
        for _ in range(MAX_ROUNDS):
            report.rounds += 1
            self._pull(report)
            refused_conflicts = self._push(report)
            if not refused_conflicts:
                break
        with self.store.transaction() as session:
            set_meta(session, LAST_SUCCESS, str(self.store.clock.now()))
        return report

    # --- pull ----------------------------------------------------------------------------
    def _pull(self, report: SyncReport) -> None:
        with self.store.reading() as session:
            cursor = int(get_meta(session, CURSOR) or 0)
        while True:
            page = self.client.pull(cursor, PULL_PAGE)
            with self.store.transaction() as session:
                keys = keyring(session)
                for envelope in page.envelopes:
                    report.pulled += 1
                    self._apply(session, keys, envelope, report)
                cursor = page.next_cursor
                set_meta(session, CURSOR, str(cursor))
            self.progress("pull", report.pulled, 0)
            if not page.has_more:
                return

    def _apply(
        self,
        session: Session,
        keys: dict[str, bytes],
        envelope: wire.StoredEnvelope,
        report: SyncReport,
    ) -> None:
        if envelope.author_device == self.device_id:
            # Our own push coming back. If the laptop crashed (or the answer was lost) after
            # the server stored it, this is the only news that it arrived: without it the
            # outbox would re-push the revision forever and be refused as a conflict.
            self._mark_synced(session, envelope.kind, envelope.record_id, envelope.revision)
            return
        adapter = ADAPTERS.get(envelope.kind)
        seen = session.get(SyncedRevisionRow, envelope.record_id)
        if adapter is None:
            log.warning("skipping envelope of unknown kind %s", envelope.kind)
            return
        if seen is not None and seen.revision >= envelope.revision:
            self._refuse(report, envelope, "replayed or older revision")
            return
        try:
            plaintext = crypto.open_envelope(keys, envelope)
            incoming, author = decode(plaintext)
            if incoming.id != envelope.record_id or incoming.kind != envelope.kind:
                raise PayloadError("payload does not match its envelope")
        except (crypto.EnvelopeError, PayloadError) as exc:
            self._refuse(report, envelope, type(exc).__name__)
            return
        for f in incoming.fields.values():
            self._observe(f.clock)
        local = adapter.load(session, envelope.record_id)
        me = self.store.device_id
        result = merge(
            local.state if local else None, incoming, me, sticky_true=adapter.sticky_true
        )
        ours_differs = result.state != incoming
        revision = max(envelope.revision, local.revision if local else 0)
        if ours_differs:
            revision += 1  # the merged state is news for the server
        try:
            with session.begin_nested():
                adapter.save(session, result.state, revision, author)
        except PayloadError as exc:
            self._refuse(report, envelope, str(exc))
            return
        report.applied += 1
        if seen is None:
            session.add(
                SyncedRevisionRow(
                    record_id=envelope.record_id, kind=envelope.kind, revision=envelope.revision
                )
            )
        else:
            seen.revision = envelope.revision
        if ours_differs:
            session.add(
                OutboxRow(
                    record_kind=envelope.kind,
                    record_id=envelope.record_id,
                    revision=revision,
                    hlc=str(self.store.clock.now()),
                )
            )
        for conflict in result.conflicts:
            report.conflicts += self._record_conflict(session, conflict)

    def _refuse(self, report: SyncReport, envelope: wire.Envelope, why: str) -> None:
        report.refused += 1
        report.refused_ids.append(envelope.record_id)
        # Ids and reasons only: no content ever reaches the log.
        log.warning("refused envelope %s rev %s: %s", envelope.record_id, envelope.revision, why)

    def _observe(self, clock: str) -> None:
        with contextlib.suppress(ValueError):  # a malformed clock only loses the hint
            self.store.clock.observe(Timestamp.parse(clock))

    def _record_conflict(self, session: Session, conflict: Conflict) -> int:
        if session.get(ConflictRow, conflict.id) is not None:
            return 0
        hlc = str(self.store.clock.now())
        session.add(
            ConflictRow(
                id=conflict.id,
                record_kind=conflict.record_kind,
                record_id=conflict.record_id,
                field=conflict.field,
                kept_value=conflict_row_values(conflict.kept_value),
                kept_clock=conflict.kept_clock,
                other_value=conflict_row_values(conflict.other_value),
                other_clock=conflict.other_clock,
                resolved=False,
                revision=1,
                updated_hlc=hlc,
                device_id=self.store.device_id,
                author_id="",
                deleted=False,
                field_clocks="{}",
            )
        )
        session.add(OutboxRow(record_kind="conflict", record_id=conflict.id, revision=1, hlc=hlc))
        return 1

    # --- push ----------------------------------------------------------------------------
    def _push(self, report: SyncReport) -> bool:
        """Push the outbox; True if some record was refused because its revision exists."""
        with self.store.reading() as session:
            last = session.scalar(select(func.max(OutboxRow.seq)))
            if last is None:
                return False
            pending: list[tuple[str, str]] = [
                (str(kind), str(record_id))
                for kind, record_id in session.execute(
                    select(OutboxRow.record_kind, OutboxRow.record_id)
                    .where(OutboxRow.seq <= last)
                    .group_by(OutboxRow.record_kind, OutboxRow.record_id)
                    .order_by(func.min(OutboxRow.seq))
                )
            ]
        total, done, refused_conflict = len(pending), 0, False
        for start in range(0, total, wire.MAX_BATCH):
            batch = pending[start : start + wire.MAX_BATCH]
            envelopes, revisions, nothing_to_send = self._seal(batch)
            if envelopes:
                response = self.client.push(envelopes)
            else:
                response = wire.PushResponse(accepted=0, duplicate=0, refused=0, results=[])
            confirmed: dict[str, tuple[str, int]] = {}
            for item in response.results:
                if item.status in ("accepted", "duplicate"):
                    confirmed[item.record_id] = (revisions[item.record_id][0], item.revision)
                elif item.code == "conflict":
                    refused_conflict = True
                else:
                    log.warning("push of %s refused: %s", item.record_id, item.code)
            skipped = nothing_to_send
            with self.store.transaction() as session:
                for record_id, (kind, revision) in confirmed.items():
                    self._mark_synced(session, kind, record_id, revision)
                done_ids = list(confirmed) + list(skipped)
                if done_ids:
                    session.execute(
                        delete(OutboxRow).where(
                            OutboxRow.seq <= last, OutboxRow.record_id.in_(done_ids)
                        )
                    )
            report.pushed += response.accepted
            done += len(batch)
            self.progress("push", done, total)
        return refused_conflict

    def _seal(
        self, batch: Sequence[tuple[str, str]]
    ) -> tuple[list[wire.Envelope], dict[str, tuple[str, int]], set[str]]:
        """Envelopes to push, their revisions, and outbox records with nothing left to send.

        A kind without an adapter stays in the outbox (a newer version of the app may sync it).
        """
        envelopes: list[wire.Envelope] = []
        revisions: dict[str, tuple[str, int]] = {}
        nothing_to_send: set[str] = set()
        with self.store.reading() as session:
            key = active_key(session)
            if key is None:
                raise RuntimeError("no team key on this laptop yet (waiting for approval)")
            for kind, record_id in batch:
                adapter = ADAPTERS.get(kind)
                if adapter is None:
                    continue
                local: LocalRecord | None = adapter.load(session, record_id)
                seen = session.get(SyncedRevisionRow, record_id)
                if local is None or (seen is not None and seen.revision >= local.revision):
                    nothing_to_send.add(record_id)  # gone, or the server holds this revision
                    continue
                envelopes.append(
                    crypto.seal(
                        key.key,
                        key.key_id,
                        record_id,
                        kind,
                        local.revision,
                        encode(local),
                        author_device=self.device_id,
                        client_hlc=str(self.store.clock.now()),
                    )
                )
                revisions[record_id] = (kind, local.revision)
        return envelopes, revisions, nothing_to_send

    @staticmethod
    def _mark_synced(session: Session, kind: str, record_id: str, revision: int) -> None:
        seen = session.get(SyncedRevisionRow, record_id)
        if seen is None:
            session.add(SyncedRevisionRow(record_id=record_id, kind=kind, revision=revision))
        elif seen.revision < revision:
            seen.revision = revision


def new_record_id() -> str:
    return str(uuid.uuid4())
