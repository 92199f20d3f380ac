"""One sync round: push the outbox, pull everything after the cursor, merge field by field.

Runs off the UI thread; nothing here waits for a user. Pulled pages are applied and the
cursor after them saved in the same transaction (a few consecutive pages share one), and
outbox rows are deleted only for envelopes the server confirmed, so an interruption at any
point (laptop crash, server crash, network drop) leaves both sides consistent and the next
round continues where this one stopped.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from sqlalchemy import ColumnElement, delete, exists, func, insert, or_, select
from sqlalchemy.orm import Session, aliased

from desktop_app.domain import clock_check
from desktop_app.domain.hlc import Timestamp
from desktop_app.storage.audit_models import CaseOpeningRow
from desktop_app.storage.db import Store
from desktop_app.storage.layout import LAPTOP_ROLE_META
from desktop_app.storage.models import PUSH_BEGAN, MetaRow, OutboxRow, PersonRow, table
from desktop_app.storage.referrals_models import ReferralRow
from desktop_app.storage.sync_models import (
    ConflictRow,
    DeferredEnvelopeRow,
    SyncedRevisionRow,
    TeamKeyRow,
)
from desktop_app.storage.visits_models import ConsentRow, VisitRow
from desktop_app.sync import crypto, person_merges
from desktop_app.sync.conflict_records import record_conflict
from desktop_app.sync.http_client import Forbidden, SyncServerClient
from desktop_app.sync.merge import CLOCK, Conflict, MergeResult, RecordState, merge
from desktop_app.sync.records import (
    ABOUT_ERASED,
    ADAPTERS,
    FORMERLY_DELETED,
    LOCAL_ONLY,
    NEWER_VERSION,
    LocalRecord,
    NewerRecord,
    PayloadError,
    RecordAdapter,
    RowAdapter,
    ToSave,
    decode,
    driver_cursor,
    encode,
    reader_version,
    rows_for_ids,
)
from sync_server import wire

log = logging.getLogger(__name__)

PULL_PAGE = 500
# Pulled pages applied in one transaction: at most this many records, and about this long
# (a page is only started when one more of the same size fits in the time), unless a write
# the window waits for comes first: then it ends after the page it applies.
APPLY_GROUP = 5000
APPLY_SECONDS = 2.0
# Records per push (the server's limit; tests push in smaller batches).
PUSH_BATCH = wire.MAX_BATCH
MAX_ROUNDS = 4  # a refused push (same revision pushed elsewhere) needs a pull and a re-push
# Envelopes kept for a team key this laptop does not hold (yet); more are refused (the server,
# not a colleague, would be the one to send that many).
MAX_DEFERRED = 50_000


def push_batches(pending: Sequence[tuple[str, str]], size: int) -> list[list[tuple[str, str]]]:
    """The outbox's records (kind, id: in the order of their first entry) cut into pushes of
    up to ``size``, keeping together what a merge of two entries made here leaves to erase.

    The server takes an advisor's tombstones of conflicts and decisions about different
    people (``wire.MERGE_ERASES``) only in the push holding the tombstone of the entry merged
    away (``SyncService._erasures_not_allowed``). A merge writes, in one transaction, its
    merge record, the records it moves, those tombstones and the entry's tombstone, in that
    order: the records of those kinds between a merge record and the tombstone of its entry
    go, in their order, right before that tombstone, and the batch is cut before them all
    where they would not fit (a cut only splits them if they alone are more than ``size``).
    The merge record stays where it is: in an earlier push it is stored first all the same."""
    merges = [i for i, (kind, _id) in enumerate(pending) if kind == wire.PERSON_MERGE_KIND]
    anchored: dict[int, int] = {}  # index of such a record -> index of its entry's tombstone
    if merges:
        # Merge ids of the people waiting (a hash each): only when a merge waits too.
        by_merge = {
            wire.person_merge_id(record_id): index
            for index, (kind, record_id) in enumerate(pending)
            if kind == wire.PERSON_KIND
        }
        for start in merges:
            end = by_merge.get(pending[start][1])
            if end is None or end < start:
                continue
            for index in range(start + 1, end):
                if pending[index][0] in wire.MERGE_ERASES:
                    anchored.setdefault(index, end)
    if not anchored:
        return [list(pending[i : i + size]) for i in range(0, len(pending), size)]
    tails: dict[int, list[tuple[str, str]]] = {}
    for index in sorted(anchored):
        tails.setdefault(anchored[index], []).append(pending[index])
    units = [
        [*tails.get(index, []), item] for index, item in enumerate(pending) if index not in anchored
    ]
    batches: list[list[tuple[str, str]]] = []
    batch: list[tuple[str, str]] = []
    for unit in units:
        if batch and len(batch) + len(unit) > size:
            batches.append(batch)
            batch = []
        batch.extend(unit)
        while len(batch) > size:  # a unit larger than a push
            batches.append(batch[:size])
            batch = batch[size:]
    if batch:
        batches.append(batch)
    return batches


# ``<13-digit wall ms>-<5-digit counter>-<device>``: fixed width, so string order is clock order.
_WELL_FORMED_CLOCK = re.compile(r"[0-9]{13}-[0-9]{5}-.", re.DOTALL)

# Records stamped far in the future logged one by one in a round; the rest only counted (a
# laptop whose clock ran years ahead may have sent thousands).
_FAR_FUTURE_LOGGED = 20

# Keys of the store's meta table that hold this laptop's sync configuration.
SERVER_URL = "sync.server_url"
DEVICE_ID = "sync.device_id"
TOKEN = "sync.token"
PRIVATE_KEY = "sync.private_key"
CURSOR = "sync.cursor"
LAST_SUCCESS = "sync.last_success"
STATUS = "sync.status"
# The highest sequence number in the server's answers to this laptop's pushes (accepted or
# duplicate): a server that remembers less was restored from an older backup (``_pull``).
PUSHED_SEQ = "sync.pushed_seq"
# "1" while this laptop pulls everything again after finding the server restored from a
# backup, and has not yet put back into its outbox what the server lost (``_pull``): kept
# across a crash, so the next sync finishes it.
RESTORING = "sync.restoring"
# "1" on a coordinator's laptop from the transaction that revokes a laptop, finds the server
# restored or joins again, until a sync has seen every laptop the team's records say is revoked
# revoked on the server (``usecases.sync.sync_now``): kept across failures, so every later sync
# tries again.
REVOKE_AGAIN = "sync.revoke_again"
# "1" if the server registered this laptop's device as a coordinator's, "0" if not; missing on
# a laptop that joined before it was kept (``usecases.sync.sync_now`` asks the server then).
COORDINATOR = "sync.coordinator"
# The role this laptop was approved for, as bound into the team keys it took
# (``usecases.sync``): the ceiling of every account's role here.
LAPTOP_ROLE = LAPTOP_ROLE_META
# "1" from joining again until the keys of the new approval arrived: their role replaces the
# ceiling (a laptop's role is raised only so, by a coordinator approving it anew).
LAPTOP_ROLE_AGAIN = "sync.laptop_role_again"
# "unauthorized" or "revoked" if the last sync was refused so (the server no longer knows this
# laptop, or revoked it): kept, so that a window opened later offers to join again at once;
# "" after a sync that went through or a completed join (``usecases.sync``).
REFUSED = "sync.refused"
# On a laptop whose role may erase: the data requests (JSON list of record ids) whose reason
# was removed here with the person's data and whose redacting version the server has not yet
# taken with ``wire.Envelope.redacts_through`` (a server before the field, this laptop before
# its update, a version merged from a stale one another laptop pushed after the clean-up): the
# server may still hold an earlier envelope of them with the reason. Missing on a laptop
# updated from a version before it: every entry held with the reason removed is owed then.
# Once the server says it acts on the flag (``wire.PullResponse.redactions``), each is sent
# again as a redacting version (``SyncEngine._redact_owed``), REDACT_AGAIN at a time.
UNFLAGGED_REDACTIONS = "sync.unflagged_redactions"
REDACT_AGAIN = 200


# Entries of the audit log: they sync (each laptop's chain, ``usecases.audit``), but they are
# not work a user sent or received. Every logging in writes one (``welcome-desk sync`` too).
AUDIT_KIND = "audit"
# Kinds of records in the outbox that the program writes itself, not a user's work
# (``outbox_counts``): the audit log's entries; the team's records of its laptops
# (``sync.laptops``: each laptop's own as soon as it holds a team key and again under each new
# key, the coordinator's vouch on approving one, one per laptop given a renewed key); the
# conflicts a sync found (``conflict_records``), but not one decided or moved here that waits
# (``_changed_here_by_a_user``); and accounts, which never leave the laptop
# (``records.LOCAL_ONLY``: the first account, written when the laptop is set up, went into the
# outbox). Counted with the user's changes, a new laptop said "4 changes to send" after its
# user had registered one person. They sync all the same (``pending_changes`` counts them).
NOT_USER_WORK = frozenset({AUDIT_KIND, "laptop", "conflict", "user"})


def _least(adapter: RecordAdapter) -> frozenset[str]:
    """Fields of the kind where the smaller text wins: a moving kind's person column, and an
    adapter's own (a request's answer date)."""
    return person_merges.least(adapter.kind) | getattr(adapter, "least", frozenset())


def merge_by_rules(
    adapter: RecordAdapter,
    local: RecordState | None,
    incoming: RecordState,
    me: str,
    *,
    least: frozenset[str] | None = None,
) -> MergeResult:
    """``merge`` under the rules of ``adapter``'s kind, as a pull merges its records: its own
    rules, the fields where the least value wins (``least``, where the caller looked them up
    once for many records) and the fields taken with the one they follow (who answered)."""
    return merge(
        local,
        incoming,
        me,
        sticky_true=adapter.sticky_true,
        last_writer_wins=adapter.last_writer_wins,
        greatest=adapter.greatest,
        union_lists=adapter.union_lists,
        least=_least(adapter) if least is None else least,
        follows=getattr(adapter, "follows", None),
        combined=getattr(adapter, "combined", None),
    )


@dataclass
class SyncReport:
    pushed: int = 0  # envelopes the server took from this laptop (audit entries included)
    pulled: int = 0  # envelopes pulled, this laptop's own coming back included
    applied: int = 0  # records written by other laptops (or lacking here) and saved here
    # What a user is told: records other than audit entries that this laptop sent and the
    # server took (``pushed`` without them), and those written by other laptops that it saved
    # (``applied`` without them). Its own records coming back from the server are not news.
    sent: int = 0
    received: int = 0
    conflicts: int = 0
    refused: int = 0  # envelopes that failed authentication or were replays: never applied
    # under a team key whose sender nobody here has confirmed yet: applied once someone has
    deferred: int = 0
    rounds: int = 0
    refused_ids: list[str] = field(default_factory=list)
    # Records of coordinator kinds (wire.COORDINATOR_KINDS) this member's laptop keeps to itself
    held_back: int = 0
    # How far this laptop's wall clock is ahead of the server's (ms; negative: behind), when
    # that is more than ``clock_check.WARN_AFTER_MS``; None when it is right (or unknown).
    clock_offset_ms: int | None = None
    # Records received with a change stamped absurdly far in the future (applied all the same)
    far_future: int = 0
    # Publications this member's laptop made itself, withdrawn in this sync (the team's apply
    # here): the folder each was saved to, by name (``reference.withdraw_own_publications``)
    withdrawn: dict[str, str] = field(default_factory=dict)
    # The server's database was restored from an older backup since this laptop last synced:
    # it pulled everything again and pushed back what the server had lost (``_pull``).
    server_restored: bool = False
    # A coordinator's laptop: laptops revoked after the server's backup are approved on it
    # again and could not all be revoked again in this sync (the next one tries again).
    revoke_again_pending: bool = False
    # What the server's pull said of its revocations (``wire.PullResponse.revocations``; None:
    # not said), for the coordinator's banner of revoked laptops (``learn_revocations``).
    revocations: str | None = None
    # Changes made here and not sent yet (records in the outbox) about people another laptop
    # erased at their request: the erasure removed them here too. A count only: naming the
    # person would undo the erasure (``_unsent_about``).
    erased_work: int = 0
    # How many people those changes were about (each erased at their request).
    erased_people: int = 0


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


def activate_team_key(session: Session, key_id: str) -> None:
    """The held key ``key_id`` encrypts from now on (no other does)."""
    for row in session.scalars(select(TeamKeyRow)):
        row.active = row.key_id == key_id


def pending_changes(store: Store) -> int:
    """Records waiting to be sent, audit entries included (nothing left when 0)."""
    with store.reading() as session:
        return outbox_counts(session)[0]


def outbox_counts(session: Session) -> tuple[int, int]:
    """Records waiting to be sent (``pending_changes``), and those among them that no user
    made (``NOT_USER_WORK``: audit entries, records of laptops, conflicts found, accounts),
    read together: a user's logging in or looking at a person writes an audit entry, joining
    writes the laptop's record, and they are not changes the user made."""
    records = func.count(func.distinct(OutboxRow.record_id))
    program_kind = OutboxRow.record_kind.in_(NOT_USER_WORK | LOCAL_ONLY)
    decided = (OutboxRow.record_kind == "conflict") & _changed_here_by_a_user()
    internal = func.count(func.distinct(OutboxRow.record_id)).filter(
        or_(program_kind & ~decided, _by_sync_only(), *_dropped_by_erasure())
    )
    row = session.execute(select(records, internal)).one()
    return int(row[0] or 0), int(row[1] or 0)


def _changed_here_by_a_user() -> ColumnElement[bool]:
    """A conflict whose change by a user here waits to be sent (for ``outbox_counts``): the
    outbox holds a change of it at the clock of its decision (``conflicts._mark_resolved``) or
    of its move to another entry of the person (``merges.move_records``, the advisor merging
    two entries). Kept the value in force, the decision is the only change it makes, and the
    status bar said "0 changes to send" while it waited; a merge's moved conflict goes to the
    server as its moved visits do, and was left out of the count beside them.

    A conflict a sync records is neither; one decided or moved elsewhere and merged here is
    queued at another clock than that decision's or move's (so a move here stays counted once
    when the pull merges another laptop's decision into it, and the record merged is not
    counted again). Of the record, not of the entry: its detection may wait in the outbox
    beside the decision."""
    change = aliased(OutboxRow)
    clocks = ConflictRow.field_clocks
    return exists().where(
        ConflictRow.id == OutboxRow.record_id,
        change.record_id == ConflictRow.id,
        change.by_sync.is_(None),  # not a move by a merge that arrived (``_by_sync_only``)
        or_(
            ConflictRow.resolved.is_(True)
            & (change.hlc == func.json_extract(clocks, "$.resolved[0]")),
            change.hlc == func.json_extract(clocks, "$.person_id[0]"),
        ),
    )


def _by_sync_only() -> ColumnElement[bool]:
    """A record waiting only for changes a sync made here (``OutboxRow.by_sync``, for
    ``outbox_counts``): what this laptop held about an entry merged away on another laptop,
    moved to the entry kept when that merge arrived (``usecases.merges.move_records``) or as
    the record arrived after it, and the pull's merges of such a record. They go to the server,
    but no user here did anything: a laptop that only pulled a colleague's merge said "1 change
    to send" for each visit it held of that person while its push was cut off. A change a user
    made here and waiting beside them still counts the record, once."""
    other = aliased(OutboxRow)
    return OutboxRow.by_sync.is_(True) & ~exists().where(
        other.record_id == OutboxRow.record_id, other.by_sync.is_(None)
    )


def _waiting_by_sync_only(session: Session, record_ids: list[str]) -> set[str]:
    """Of ``record_ids``, those waiting in the outbox only for changes a sync made here
    (``_by_sync_only``): a pull merging such a record queues no user's change either."""
    if not record_ids:
        return set()
    rows = session.execute(
        select(OutboxRow.record_id, func.count(OutboxRow.by_sync), func.count())
        .where(OutboxRow.record_id.in_(set(record_ids)))
        .group_by(OutboxRow.record_id)
    )
    return {str(record_id) for record_id, by_sync, waiting in rows if by_sync == waiting}


# Kinds of records about a person whose rows only an erasure deletes (``person_sources``):
# one in the outbox that this laptop holds no row of waits only as the tombstone sent for it.
_ERASED_WITH_PERSON = {
    "visit": VisitRow.id,
    "consent": ConsentRow.id,
    "referral": ReferralRow.id,
    "case_opening": CaseOpeningRow.id,
}


def _dropped_by_erasure() -> list[ColumnElement[bool]]:
    """Outbox entries that are no change of a user's to send (for ``outbox_counts``): the
    tombstone of a record an erasure deleted here (a sync queues one for each record it drops
    about a person erased on another laptop, ``_apply_page`` and ``person_sources.erase_synced``),
    and a change to a person whose erasure came from the server (the push drops it: the server
    holds that revision). After a sync whose push broke off, the status bar said "2 changes kept
    on this laptop" for a visit and an edit an erasure had just removed. A user's own erasure
    still counts, once: the person's tombstone, newer than any the server holds."""
    dropped: list[ColumnElement[bool]] = [
        (OutboxRow.record_kind == kind) & ~exists().where(row_id == OutboxRow.record_id)
        for kind, row_id in _ERASED_WITH_PERSON.items()
    ]
    erased_elsewhere = exists().where(
        PersonRow.id == OutboxRow.record_id,
        PersonRow.deleted.is_(True),
        SyncedRevisionRow.record_id == PersonRow.id,
        SyncedRevisionRow.revision >= PersonRow.revision,
    )
    dropped.append((OutboxRow.record_kind == "person") & erased_elsewhere)
    return dropped


class SyncEngine:
    def __init__(
        self, store: Store, client: SyncServerClient, progress: Progress | None = None
    ) -> None:
        self.store = store
        self.client = client
        self.progress = progress or (lambda _phase, _done, _total: None)
        with store.reading() as session:
            device = get_meta(session, DEVICE_ID)
            role = get_meta(session, COORDINATOR)
        if device is None:
            raise RuntimeError("this laptop has not joined a sync server")
        self.device_id = device
        # Unknown ("" or missing): pushed, and the server's refusal teaches the laptop its role.
        self.is_coordinator = role != "0"
        self._sealing: crypto.EnvelopeSealer | None = None
        self._held_back = 0  # counted by ``_seal`` in the push under way
        # Whether this sync has looked at the server's memory of this laptop yet (the first
        # page of its first pull does), and whether it pulls again after a restore.
        self._restore_checked = False
        self._restoring = False
        # The server's pull said it acts on ``wire.Envelope.redacts_through``.
        self._server_redacts = False

    # --- the round -----------------------------------------------------------------------
    def sync(self) -> SyncReport:
        # The log is checkpointed once after the round, not inside its transactions.
        with _collector_paused(), self.store.checkpoints_deferred():
            return self._sync()

    def _sync(self) -> SyncReport:
        report = SyncReport()
        self._restore_checked = False
        self._restoring = False
        if not self.is_coordinator:
            self._withdraw_own_publications(report)
        self._start_owing()
        self._apply_deferred(report)
        for _ in range(MAX_ROUNDS):
            report.rounds += 1
            self._pull(report)
            if self._server_redacts:
                self._redact_owed()
            try:
                refused_conflicts = self._push(report)
            except Forbidden as exc:
                # The server refuses a member's reference data, and with it the whole batch:
                # from now on this laptop keeps that data to itself, and the rest goes out in
                # the next round. A laptop that already knew it is a member's sent none, so a
                # refusal then is an error like any other.
                if exc.code != "publisher_not_coordinator" or not self.is_coordinator:
                    raise
                log.warning("the server does not take reference data from this laptop")
                self.is_coordinator = False
                with self.store.background_transaction() as session:
                    set_meta(session, COORDINATOR, "0")
                self._withdraw_own_publications(report)
                continue
            if not refused_conflicts:
                break
        with self.store.background_transaction() as session:
            set_meta(session, LAST_SUCCESS, str(self.store.clock.now()))
        # Told, never acted on: the round above went as with any clock.
        report.clock_offset_ms = clock_check.offset_to_warn_of(
            self.store.clock.wall_ms(), self.client.server_now_ms()
        )
        if report.clock_offset_ms is not None:
            log.warning(
                "this laptop's clock is %+d s off the server's", report.clock_offset_ms // 1000
            )
        return report

    def _withdraw_own_publications(self, report: SyncReport) -> None:
        """A member's laptop: the team's reference data applies here, not what this laptop
        published itself (the server never takes it). Before the pull, so the team's arrives
        on a laptop that holds nothing of its own to merge it with."""
        # Imported here: the reference use case reads YAML and the service directory.
        from desktop_app.usecases.reference import withdraw_own_publications

        report.withdrawn.update(withdraw_own_publications(self.store))

    # --- redactions the server has not taken with the flag ---------------------------------
    def _start_owing(self) -> None:
        """A laptop updated from a version before ``UNFLAGGED_REDACTIONS`` (or whose role came
        to allow erasing since): every data request held with the reason removed is owed, as
        its redacting version went out without the flag (or from another laptop that may not
        have sent it). A laptop that never pulled holds none: nothing is owed."""
        with self.store.reading() as session:
            if get_meta(session, UNFLAGGED_REDACTIONS) is not None or not _may_redact(session):
                return
        # Imported here: the use cases import the sync package.
        from desktop_app.usecases.data_rights import entries_with_reason_removed

        with self.store.background_transaction() as session:
            if get_meta(session, UNFLAGGED_REDACTIONS) is not None:
                return
            pulled = int(get_meta(session, CURSOR) or 0) > 0
            owed = entries_with_reason_removed(session) if pulled else []
            set_meta(session, UNFLAGGED_REDACTIONS, json.dumps(owed))
        if owed:
            log.info("%d data requests with a removed reason to send with the flag", len(owed))

    def _redact_owed(self) -> None:
        """With a server that acts on ``redacts_through``: a new revision of up to
        REDACT_AGAIN owed entries (``UNFLAGGED_REDACTIONS``), queued in the outbox, so the push
        that follows sends it with the flag and the server deletes the entry's earlier
        envelopes. Entries waiting in the outbox already go as they are; those kept unapplied
        here (``DeferredEnvelopeRow``) would go without the flag and wait. An entry no longer
        held with the reason removed is owed no more. Each stays owed until the server took
        its redacting version with the flag (``_confirm``): a sync cut off before resumes."""
        from desktop_app.usecases.data_rights import send_redacted_again

        if not getattr(self.client, "takes_redactions", True):
            return  # the server refused the field in this sync: sent without it, owed again
        with self.store.reading() as session:
            owed = _owed(session)
            if not owed:
                return
            waiting = {
                str(row[0])
                for row in rows_for_ids(
                    session, "SELECT record_id FROM outbox WHERE record_id IN ({ids})", owed
                )
            }
            deferred = _deferred_ids(session, owed)
        due = [rid for rid in owed if rid not in waiting and rid not in deferred][:REDACT_AGAIN]
        if not due:
            return
        with self.store.background_transaction() as session:
            if not _may_redact(session):
                return
            gone = set(due) - send_redacted_again(session, self.store, due)
            if gone:
                _owe(session, done=gone)
        log.info("%d data requests sent again with the flag", len(due) - len(gone))

    # --- pull ----------------------------------------------------------------------------
    def _pull(self, report: SyncReport) -> None:
        with self.store.reading() as session:
            cursor = int(get_meta(session, CURSOR) or 0)
            keys = keyring(session)  # to open pages ahead (a key added meanwhile: in order)
            pushed = int(get_meta(session, PUSHED_SEQ) or 0)
            # A restore found by a sync that was cut off: this one pulls everything again too
            # (and says so: the sync that found it ended in an error).
            restoring = get_meta(session, RESTORING) == "1"
        # The next page is fetched, and its envelopes decrypted (``_fetch_and_open``), while
        # this one is applied: the server, the network, the answer's parsing and the opening
        # overlap with merging and writing here. A sync with one page (the usual one) starts
        # no thread.
        #
        # Consecutive pages are applied in one transaction, up to APPLY_GROUP records and about
        # APPLY_SECONDS: a commit rewrites every index page the transaction touched, so a
        # first sync committed page by page spent a fifth of its time in commits. The saved
        # cursor is written in the transaction that applies its records, so an interruption
        # still resumes right after the last committed page. The transaction waits for the
        # next page only within that time; a slow or failing server gets the commit first.
        # Every transaction here is a background one: a write the window (or the command
        # line) waits for goes in between two of them (``Store.background_transaction``),
        # and one that comes while pages are applied ends the transaction after the page in
        # hand, so that it waits for one page at most, however long the groups are.
        page: wire.PullResponse | None = self.client.pull(cursor, PULL_PAGE)
        if not self._restore_checked:  # once per sync: a recovery never starts another
            self._restore_checked = True
            if restoring:
                self._restoring = report.server_restored = True
            assert page is not None
            if not restoring and _server_went_back(page, cursor, pushed):
                self._start_restoring(page, cursor, report)
                # The page after the old cursor is not what this laptop lacks: from the start.
                cursor = 0
                page = self.client.pull(cursor, PULL_PAGE)
        assert page is not None
        report.revocations = page.revocations
        if page.redactions:
            self._server_redacts = True
        opened: dict[int, _Opened] = {}
        # How far there is to go, for the progress bar of a long pull (a first sync): the
        # server's newest sequence number, in the page (asked once from a server before it).
        # Sequence numbers count every change, this laptop's own as well, so the share is
        # close, not exact.
        start = head = cursor
        if page is not None and page.has_more:
            latest = page.latest_seq
            head = self.client.status().latest_seq if latest is None else latest
        with contextlib.ExitStack() as stack:
            fetcher: ThreadPoolExecutor | None = None
            fetching: Future[tuple[wire.PullResponse, dict[int, _Opened]]] | None = None
            try:
                while page is not None:
                    with self.store.background_transaction() as session:
                        started, applied = time.monotonic(), 0
                        while page is not None:
                            page_started = time.monotonic()
                            if page.has_more:
                                if fetcher is None:
                                    fetcher = stack.enter_context(
                                        ThreadPoolExecutor(
                                            max_workers=1, thread_name_prefix="sync-pull"
                                        )
                                    )
                                fetching = fetcher.submit(
                                    self._fetch_and_open, page.next_cursor, keys
                                )
                            report.pulled += len(page.envelopes)
                            self._apply_page(session, page.envelopes, report, opened)
                            applied += len(page.envelopes)
                            set_meta(session, CURSOR, str(page.next_cursor))
                            cursor = page.next_cursor
                            head = max(head, cursor)  # changes pushed meanwhile
                            self.progress("pull", cursor - start, head - start)
                            page = None
                            now = time.monotonic()
                            # Room for one more page as long as this one took?
                            room = APPLY_SECONDS - (now - started) - (now - page_started)
                            if (
                                fetching is None
                                or applied >= APPLY_GROUP
                                or room <= 0
                                or self.store.others_writing()
                            ):
                                break
                            try:
                                (page, opened), fetching = fetching.result(timeout=room), None
                            except Exception:  # not there yet (or failed): commit first
                                break
                    if page is None and fetching is not None:
                        (page, opened), fetching = fetching.result(), None
            except BaseException:
                if fetching is not None:
                    fetching.cancel()
                raise
        if self._restoring:
            self._finish_restoring()

    # --- a server restored from a backup -------------------------------------------------
    def _start_restoring(self, page: wire.PullResponse, cursor: int, report: SyncReport) -> None:
        """The server went back in time: pull everything again, from the start.

        Only a pull of the whole log tells which records the restored server holds, and at
        which revision: what this laptop noted as held (``synced_revisions``) is forgotten
        and noted again from what comes. A pull from the server's idea of the cursor
        instead would never bring back a record the server holds below it, so this laptop
        could not tell it from one the server lost; pushed again, it would be refused as a
        conflict (same revision, other ciphertext) round after round. Envelopes kept to
        apply later go too: sequence numbers after the backup name other envelopes now, and
        the pull brings back those the server still holds.

        What the server lacks is put back into the outbox when the pull is through
        (``_finish_restoring``): every record held here at a revision above the one the
        server holds, whoever wrote it (a laptop that is gone may have written it).
        """
        log.warning(
            "the sync server remembers less than this laptop holds (pulled %s < %d, pushed %s,"
            " newest %s): restored from an older backup; pulling everything again",
            page.device_pulled_seq,
            cursor,
            page.device_pushed_seq,
            page.latest_seq,
        )
        with self.store.background_transaction() as session:
            pull_everything_again(session, page.device_pushed_seq or 0)
        self._restoring = True
        report.server_restored = True

    def _finish_restoring(self) -> None:
        """After the pull of the whole log: every record this laptop holds at a revision the
        server does not (or not at all) goes into the outbox, in the transaction that ends
        the recovery (``_start_restoring``)."""
        queued = 0
        with self.store.background_transaction() as session:
            cursor = driver_cursor(session)
            hlc = str(self.store.clock.now())
            for kind, table_name, revision in _synced_tables():
                cursor.execute(
                    "INSERT INTO outbox (record_kind, record_id, revision, hlc) "
                    f"SELECT ?, t.id, {revision}, ? FROM {table_name} t "
                    "LEFT JOIN synced_revisions s ON s.record_id = t.id "
                    f"WHERE s.revision IS NULL OR s.revision < {revision}",
                    (kind, hlc),
                )
                queued += max(cursor.rowcount, 0)
            set_meta(session, RESTORING, "0")
        # Counts only, as always in the log.
        log.warning("after the server's restore, %d records go to it again", queued)

    def _fetch_and_open(
        self, cursor: int, keys: Mapping[str, bytes]
    ) -> tuple[wire.PullResponse, dict[int, _Opened]]:
        """The page after ``cursor``, and its envelopes from other laptops opened ahead (by
        sequence number: the payload, or why it could not be read).

        Runs on the fetch thread while the page before is written: decrypting and decoding
        is a third of applying a page, and the database work, which needs no interpreter
        lock, leaves room for it. Nothing here reads or writes the store."""
        page = self.client.pull(cursor, PULL_PAGE)
        opener = crypto.EnvelopeOpener(keys)
        ahead: dict[int, _Opened] = {}
        for envelope in page.envelopes:
            if envelope.author_device != self.device_id and envelope.key_id in keys:
                ahead[envelope.seq] = _open(opener, envelope)
        return page, ahead

    def _apply_page(
        self,
        session: Session,
        envelopes: Sequence[wire.StoredEnvelope],
        report: SyncReport,
        opened_ahead: Mapping[int, _Opened] | None = None,
    ) -> None:
        """Open, check and merge one page; a few queries per page, not per record.
        ``opened_ahead`` holds envelopes the fetch thread opened (``_fetch_and_open``)."""
        keys = keyring(session)
        opener = crypto.EnvelopeOpener(keys)
        # Our own pushes coming back. If the laptop crashed (or the answer was lost) after the
        # server stored one, this is the only news that it arrived: without it the outbox
        # would re-push the revision forever and be refused as a conflict. Only an authentic
        # one counts: the server could make one up in our name with a high revision, and the
        # changes it claims to hold would never be sent (nor accepted from others) again.
        # Opened even when the server is known to hold that revision: this laptop keeps no
        # copy of what it sent, so only the opening tells its envelope from one altered in its
        # name (refused); it costs some 20 µs an envelope. None of them is merged or counted
        # as received unless this laptop lacks it.
        own: dict[str, tuple[str, int]] = {}
        authentic: list[wire.StoredEnvelope] = []
        for envelope in envelopes:
            if envelope.author_device != self.device_id:
                continue
            try:
                opener.open(envelope)
            except crypto.EnvelopeError as exc:
                self._refuse(report, envelope, type(exc).__name__)
                continue
            authentic.append(envelope)
        # Our own, and yet not held here: a copy of this laptop restored from its backup, which
        # lacks what the laptop sent after it. Applied as a colleague's would be.
        lacking = self._own_not_held(session, authentic) if authentic else set()
        for envelope in authentic:
            if (envelope.record_id, envelope.revision) not in lacking:
                own[envelope.record_id] = (envelope.kind, envelope.revision)
        if own:
            self._mark_synced(session, own)
        foreign = [
            e
            for e in envelopes
            if e.author_device != self.device_id
            or (lacking and (e.record_id, e.revision) in lacking)
        ]
        seen = _synced_kinds_and_revisions(session, [e.record_id for e in foreign])
        opened: dict[str, list[tuple[wire.StoredEnvelope, RecordState, str]]] = {}
        clocks: list[str] = []
        newest: list[tuple[str, wire.StoredEnvelope]] = []  # each record's newest clock
        deferred: list[wire.StoredEnvelope] = []
        newer: list[wire.StoredEnvelope] = []  # written by a newer version of the app
        # The kind of records first met in this page (not noted as synced yet).
        page_kinds: dict[str, str] = {}
        # Another laptop's versions of a redacting kind at a revision this laptop knows the
        # server holds a later one of (``_owe_stale``).
        stale: list[wire.StoredEnvelope] = []
        for envelope in foreign:
            known = seen.get(envelope.record_id)
            kind = known[0] if known is not None else page_kinds.get(envelope.record_id)
            if kind is not None and kind != envelope.kind:
                # A record id is one kind's for good. Under another kind (a colleague's laptop
                # with the team key can make one up), a high revision would make this laptop
                # refuse the record's real changes as replays: nothing of it is applied.
                self._refuse(report, envelope, "record id known under another kind")
                continue
            if known is not None and known[1] >= envelope.revision:
                if not self._restoring:  # pulled again after a restore: expected
                    self._refuse(report, envelope, "replayed or older revision")
                    if envelope.kind in wire.REDACTING_KINDS and envelope.key_id in keys:
                        stale.append(envelope)
                continue
            if envelope.key_id not in keys:
                # Under a key that waits for its sender's confirmation, or one this laptop
                # has not fetched yet (rotated since this round fetched keys): kept, and
                # applied by a later round that holds the key. A key it never gets (a revoked
                # laptop, a made-up id) leaves them unread.
                deferred.append(envelope)
                continue
            ahead = opened_ahead.get(envelope.seq) if opened_ahead else None
            result = ahead if ahead is not None else _open(opener, envelope)
            if isinstance(result, NewerRecord):  # authentic, but by a newer version of the app
                newer.append(envelope)
                continue
            if isinstance(result, Exception):
                self._refuse(report, envelope, type(result).__name__)
                continue
            incoming, author = result
            page_kinds.setdefault(envelope.record_id, envelope.kind)
            clocks.extend(map(CLOCK, incoming.fields.values()))
            newest.append((incoming.newest_clock(), envelope))
            opened.setdefault(envelope.kind, []).append((envelope, incoming, author))
        if stale:
            self._owe_stale(session, opener, stale)
        self._note_far_future(report, newest)
        self._observe_newest(clocks)
        # Merges of entries first: a tombstone of an entry merged away in this page must find
        # what this laptop holds of it moved to the entry kept already (``person_merges``).
        # Then the log's entries: an erasure arriving finds the erasing laptop's own entry of
        # it, pushed right after the person's tombstone, for the role its user erased with
        # (``data_rights.apply_remote_erasure``). Entries depend on no record.
        for kind in sorted(
            opened, key=lambda kind: (kind != person_merges.KIND, kind != AUDIT_KIND)
        ):
            newer += self._merge_kind(session, kind, opened[kind], report)
        if deferred:
            self._defer(session, deferred, report)
        if newer:
            # Written by a newer version of the app: kept until this laptop runs one that
            # reads them (``reader_version``), so an update loses none of them.
            log.info("keeping %d envelopes of a newer version of the app", len(newer))
            self._defer(session, newer, report, reader_version())

    def _owe_stale(
        self, session: Session, opener: crypto.EnvelopeOpener, stale: list[wire.StoredEnvelope]
    ) -> None:
        """Versions another laptop pushed below a revision the server holds already (not
        merged here: taken for replays), holding personal text a redacting version removed
        (a reason given by hand). A laptop that had not merged the erasure pushed it after the
        clean-up, at a revision the clean-up had deleted, so the server took it. The entry
        held here with the reason removed is owed a redacting version
        (``UNFLAGGED_REDACTIONS``), sent before this sync's push where the server acts on the
        flag (``_redact_owed``): it deletes the stale version."""
        if not _may_redact(session):
            return
        holding: dict[str, set[str]] = {}  # kind -> records
        for envelope in stale:
            opened = _open(opener, envelope)
            if isinstance(opened, Exception):
                continue
            personal = getattr(ADAPTERS[envelope.kind], "holds_personal_text", None)
            if personal is not None and personal(opened[0]):
                holding.setdefault(envelope.kind, set()).add(envelope.record_id)
        owed = {
            record_id
            for kind, ids in holding.items()
            for record_id, local in ADAPTERS[kind].load_many(session, list(ids)).items()
            if _redacted(ADAPTERS[kind], local.state)
        }
        if owed:
            log.info("%d stale versions holding removed personal text pulled", len(owed))
            _owe(session, owed=owed)

    def _defer(
        self,
        session: Session,
        envelopes: list[wire.StoredEnvelope],
        report: SyncReport,
        reader: str = "",
    ) -> None:
        """Keep envelopes to apply later: waiting for their team key (``reader`` ""), or
        until a version other than ``reader`` runs."""
        room = MAX_DEFERRED - int(
            session.scalar(select(func.count()).select_from(DeferredEnvelopeRow)) or 0
        )
        for envelope in envelopes[max(room, 0) :]:
            self._refuse(report, envelope, "too many envelopes wait to be applied")
        rows = [
            {"seq": e.seq, "key_id": e.key_id, "envelope": e.model_dump_json(), "reader": reader}
            for e in envelopes[: max(room, 0)]
            if session.get(DeferredEnvelopeRow, e.seq) is None
        ]
        if rows:
            session.execute(insert(DeferredEnvelopeRow), rows)
        report.deferred += len(rows)

    def _apply_deferred(self, report: SyncReport) -> None:
        """Kept envelopes that can be applied now, in the order the server gave them (a page
        at a time): those whose team key this laptop holds now, and those a version of the app
        other than this one could not read."""
        reader = DeferredEnvelopeRow.reader
        ready = ((reader == "") & DeferredEnvelopeRow.key_id.in_(select(TeamKeyRow.key_id))) | (
            (reader != "") & (reader != reader_version())
        )
        while True:
            with self.store.background_transaction() as session:
                rows = session.scalars(
                    select(DeferredEnvelopeRow)
                    .where(ready)
                    .order_by(DeferredEnvelopeRow.seq)
                    .limit(PULL_PAGE)
                ).all()
                if not rows:
                    return
                envelopes = [wire.StoredEnvelope.model_validate_json(r.envelope) for r in rows]
                for row in rows:
                    session.delete(row)
                session.flush()
                self._apply_page(session, envelopes, report)

    def _merge_kind(
        self,
        session: Session,
        kind: str,
        items: list[tuple[wire.StoredEnvelope, RecordState, str]],
        report: SyncReport,
    ) -> list[wire.StoredEnvelope]:
        """Merge and save one kind's records; returns the envelopes of records a newer version
        of the app wrote (fields this one does not know), to be kept."""
        adapter = ADAPTERS[kind]
        local = adapter.load_many(session, list({e.record_id for e, _s, _a in items}))
        held = frozenset(local)  # what saving need not look up again
        me = self.store.device_id
        to_save: dict[str, ToSave] = {}
        envelope_of: dict[str, wire.StoredEnvelope] = {}
        differs: dict[str, bool] = {}
        conflicts: list[Conflict] = []
        # Visits: a merge that combined both sides is checked against the form (kinds.py).
        check = getattr(adapter, "check_combination", None)
        least = _least(adapter)  # once for the page's records of the kind
        unaware = getattr(adapter, "unaware", None)
        synced: dict[str, tuple[str, int]] = {}
        erasing: list[str] = []  # people held here whom another laptop erased
        # People ending as a tombstone here, as a side held them before: if merged into
        # another entry, their changes the merge did not see are carried over to it.
        ending: list[tuple[RecordState, str]] = []
        merged_away: dict[str, str] = {}
        # Records about an entry merged into another move to the entry kept (either side's).
        states = [*(incoming for _e, incoming, _a in items), *(r.state for r in local.values())]
        kept = person_merges.kept_for_states(session, states) if _merges_held(session) else {}
        # Records a sync changes here for no user's change (``OutboxRow.by_sync``): moved to the
        # entry kept by this pull, or waiting here only for such changes (moved by a merge
        # that arrived before): the merged state queued for them is no user's change either.
        by_sync: set[str] = set()
        if kind in person_merges.MOVES:
            by_sync = _waiting_by_sync_only(session, [e.record_id for e, _i, _a in items])
        for envelope, incoming, author in items:
            current = local.get(envelope.record_id)
            if (
                incoming.deleted
                and not envelope.erases
                and kind in FORMERLY_DELETED
                and isinstance(adapter, RowAdapter)
            ):
                # An older version's way to clear a flag, not an erasure (``FORMERLY_DELETED``).
                incoming = adapter.formerly_deleted(incoming, current.state if current else None)
            try:
                incoming = adapter.upgrade(incoming, current.state if current else None)
            except PayloadError as exc:
                self._refuse(report, envelope, str(exc))
                continue
            received, ours = incoming, current.state if current else None
            if unaware is not None and ours is not None and not (ours.deleted or incoming.deleted):
                # Personal text given where an erasure was not heard of yet (a request's reason):
                # removed before the merge, and the merged state is news for the server.
                ours, incoming = unaware(ours, incoming)
            result = merge_by_rules(adapter, ours, incoming, me, least=least)
            if kept and (
                moved := person_merges.moved(result.state, kept, str(self.store.clock.now()))
            ):
                result = replace(result, state=moved, changed=True)
                by_sync.add(envelope.record_id)
            if (
                self._restoring
                and current is not None
                and current.revision >= envelope.revision
                and result.state == current.state
            ):
                # Pulled again after a restore, and held here already (or something newer
                # that includes it): noted as held by the server, no revision made (one that
                # changes nothing). Not judged by the revision alone: a change another laptop
                # made at the same revision, which the restore took from the server, would
                # never be merged here, nor this laptop's reach the others.
                synced[envelope.record_id] = (kind, envelope.revision)
                continue
            # A record new here is the incoming state itself: nothing to compare field by field.
            ours_differs = result.state is not received and result.state != received
            if check is not None and current is not None and not result.conflicts:
                combined = (
                    check(session, self.store, current.state, incoming, result.state)
                    if ours_differs and result.changed
                    else None
                )
                if combined is not None:
                    conflicts.append(combined)
            revision = max(envelope.revision, current.revision if current else 0)
            if ours_differs:
                revision += 1  # the merged state is news for the server
            to_save[envelope.record_id] = ToSave(result.state, revision, author)
            local[envelope.record_id] = LocalRecord(result.state, revision, author)
            envelope_of[envelope.record_id] = envelope
            differs[envelope.record_id] = ours_differs
            conflicts.extend(result.conflicts)
            if kind == "person" and result.state.deleted and current and not current.state.deleted:
                erasing.append(envelope.record_id)
                ending.append((current.state, current.author_id))
            elif kind == "person" and result.state.deleted and not incoming.deleted:
                ending.append((incoming, author))
        if ending:
            # Merged away, not erased: nothing of theirs is lost (``merges.carry_over``).
            merged_away = person_merges.kept_entries(session, [s.id for s, _a in ending])
            erasing = [pid for pid in erasing if pid not in merged_away]
            ending = [(s, a) for s, a in ending if s.id in merged_away]
        if erasing:  # counted before the erasure deletes what tells whom a record is about
            about = _unsent_about(session, erasing)
            report.erased_work += sum(about.values())
            report.erased_people += len(about)
        refused = adapter.save_many(session, self.store, list(to_save.values()), held)
        newer = [envelope_of[rid] for rid, why in refused.items() if why == NEWER_VERSION]
        outbox = []
        for record_id, why in refused.items():
            if why == ABOUT_ERASED:
                # About a person erased here: not kept, and the server is to drop it too (a
                # laptop that had not heard of the erasure yet pushed it). Its tombstone is
                # queued here (a revision above the one pulled); several laptops queueing
                # the same one is harmless: the server stores the first, the others pull it.
                synced[record_id] = (kind, envelope_of[record_id].revision)
                outbox.append(
                    {
                        "record_kind": kind,
                        "record_id": record_id,
                        "revision": to_save[record_id].revision + 1,
                        "hlc": str(self.store.clock.now()),
                        "by_sync": None,
                    }
                )
            elif why != NEWER_VERSION:
                self._refuse(report, envelope_of[record_id], why)
        for record_id, item in to_save.items():
            if record_id in refused:
                continue
            report.applied += 1
            if kind != AUDIT_KIND:
                report.received += 1
            synced[record_id] = (kind, envelope_of[record_id].revision)
            if differs[record_id]:
                outbox.append(
                    {
                        "record_kind": kind,
                        "record_id": record_id,
                        "revision": item.revision,
                        "hlc": str(self.store.clock.now()),
                        "by_sync": True if record_id in by_sync else None,
                    }
                )
        self._mark_synced(session, synced)
        if outbox:
            session.execute(insert(table(OutboxRow)), outbox)
        for conflict in conflicts:
            # A record erased by a later envelope of the same page keeps no conflict (no data).
            state = to_save[conflict.record_id].state
            if conflict.record_id not in refused and not state.deleted:
                report.conflicts += record_conflict(
                    session, self.store, conflict, _person(adapter, state)
                )
        if ending:
            # Imported here: the use cases import the sync package.
            from desktop_app.usecases.merges import carry_over

            for state, author in ending:
                carried = carry_over(session, self.store, state, merged_away[state.id], author)
                report.conflicts += carried["conflicts"]
        return newer

    def _note_far_future(
        self, report: SyncReport, newest: Sequence[tuple[str, wire.StoredEnvelope]]
    ) -> None:
        """Log (by id, no content) each record of a page whose newest change (``newest``: its
        clock and envelope) is stamped more than a year ahead of this laptop's clock and the
        server's: its author's clock was absurdly wrong.

        It is applied all the same: refusing it would lose a colleague's real work, and
        leaving its clock out of ``observe`` would let edits made here on top of it lose to
        it. Those who can fix the clock are told on that laptop (``clock_offset_ms``); the
        log is for whoever looks into odd "changed at" times here.

        Well-formed clocks sort as their times: where the latest of the page is well-formed
        and not far ahead, none is, and the records are not looked at one by one."""
        latest = max((clock for clock, _envelope in newest), default="")
        if _WELL_FORMED_CLOCK.match(latest) and not self._far_ahead(latest):
            return
        for clock, envelope in newest:
            if not _WELL_FORMED_CLOCK.match(clock) or not self._far_ahead(clock):
                continue
            report.far_future += 1
            if report.far_future <= _FAR_FUTURE_LOGGED:
                log.warning(
                    "record %s rev %s from laptop %s is stamped far in the future (%s)",
                    envelope.record_id,
                    envelope.revision,
                    envelope.author_device,
                    clock.split("-", 1)[0],
                )
            elif report.far_future == _FAR_FUTURE_LOGGED + 1:
                log.warning("more records stamped far in the future; only counted from here")

    def _far_ahead(self, clock: str) -> bool:
        """Whether a well-formed clock lies far ahead of this laptop's and the server's."""
        return clock_check.far_in_future(
            Timestamp.parse(clock).wall_ms,
            self.store.clock.wall_ms(),
            self.client.server_now_ms(),
        )

    def _refuse(self, report: SyncReport, envelope: wire.Envelope, why: str) -> None:
        report.refused += 1
        report.refused_ids.append(envelope.record_id)
        # Ids and reasons only: no content ever reaches the log.
        log.warning("refused envelope %s rev %s: %s", envelope.record_id, envelope.revision, why)

    def _observe(self, clock: str) -> None:
        with contextlib.suppress(ValueError):  # a malformed clock only loses the hint
            self.store.clock.observe(Timestamp.parse(clock))

    def _observe_newest(self, clocks: Sequence[str]) -> None:
        """Observe the newest of many clocks (the clock only moves forward, so one is enough).

        Well-formed clocks are fixed-width, so string order is clock order; anything else is
        observed on its own, as before.
        """
        newest = ""
        # A record's fields usually share one clock: each distinct clock is looked at once.
        for clock in dict.fromkeys(clocks):
            if _WELL_FORMED_CLOCK.match(clock):
                newest = max(newest, clock)
            else:
                self._observe(clock)
        if newest:
            self._observe(newest)

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
        with self.store.background_transaction() as session:
            # The changes waiting now may reach the server without an answer saying so: none
            # of them is taken back in place any more (``models.unsent_since``).
            set_meta(session, PUSH_BEGAN, str(self.store.clock.now()))
        total, done, refused_conflict = len(pending), 0, False
        self._held_back = 0
        batches = push_batches(pending, PUSH_BATCH)
        # One push in flight while the next batch is sealed here, and while the answer before
        # it is confirmed: the next batch goes out as soon as the previous answer is in.
        # Answers are handled in order. A push of one batch (the usual one) starts no thread.
        with contextlib.ExitStack() as stack:
            sender = None
            if len(batches) > 1:
                sender = stack.enter_context(
                    ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-push")
                )

            def send(envelopes: list[wire.Envelope]) -> Future[wire.PushResponse]:
                if sender is not None:
                    return sender.submit(self.client.push, envelopes)
                sent: Future[wire.PushResponse] = Future()
                sent.set_result(self.client.push(envelopes))
                return sent

            sealed = self._seal(batches[0]) if batches else None
            sending = send(sealed[0]) if sealed is not None and sealed[0] else None
            # Confirmations of consecutive batches are written in one transaction (up to
            # APPLY_GROUP records or about APPLY_SECONDS, or sooner when a write the window
            # waits for comes), as pulled pages are: a commit per batch was a sixth of a first
            # push. A crash before that commit only makes the next push send those envelopes
            # again, and the server answers "duplicate".
            confirmed = _Confirmed()
            try:
                for index, batch in enumerate(batches):
                    assert sealed is not None
                    _envelopes, revisions, nothing_to_send, redacting = sealed
                    sealed = self._seal(batches[index + 1]) if index + 1 < len(batches) else None
                    if sending is not None:
                        response = sending.result()
                    else:
                        response = wire.PushResponse(accepted=0, duplicate=0, refused=0, results=[])
                    # Whether the flag went with this batch: a server before it refused the
                    # field, and the client pushed the batch again without (``push``).
                    flag_went = getattr(self.client, "takes_redactions", True)
                    sending = send(sealed[0]) if sealed is not None and sealed[0] else None
                    refused_conflict |= confirmed.add(report, response, revisions, nothing_to_send)
                    confirmed.note_redactions(response, redacting, flag_went=flag_went)
                    done += len(batch)
                    if (
                        sealed is None
                        or confirmed.count >= APPLY_GROUP
                        or time.monotonic() - confirmed.since >= APPLY_SECONDS
                        or self.store.others_writing()
                    ):
                        self._confirm(confirmed, last)
                        confirmed = _Confirmed()
                    self.progress("push", done, total)
            except BaseException:
                if sending is not None:
                    sending.cancel()
                if confirmed.count:  # what the server confirmed before the failure
                    with contextlib.suppress(Exception):  # else it is sent again next time
                        self._confirm(confirmed, last)
                raise
        report.held_back = self._held_back
        return refused_conflict

    def _confirm(self, confirmed: _Confirmed, last: int) -> None:
        """Note what the server holds and drop it from the outbox (outbox rows up to ``last``,
        the newest when the push began: a change made meanwhile is pushed next time)."""
        with self.store.background_transaction() as session:
            self._mark_synced(session, confirmed.revisions)
            if confirmed.flagged or confirmed.unflagged:
                _owe(session, owed=confirmed.unflagged, done=confirmed.flagged)
            if confirmed.top_seq > int(get_meta(session, PUSHED_SEQ) or 0):
                set_meta(session, PUSHED_SEQ, str(confirmed.top_seq))
            done_ids = list(confirmed.revisions) + list(confirmed.nothing_to_send)
            cursor = driver_cursor(session)
            for start in range(0, len(done_ids), 500):
                chunk = done_ids[start : start + 500]
                cursor.execute(
                    "DELETE FROM outbox WHERE seq <= ? AND record_id IN "
                    f"({', '.join('?' * len(chunk))})",
                    [last, *chunk],
                )
            # A change made while this push ran, to a record sealed after it, went out with
            # the record: it is not waiting any more. Left in the outbox, it was taken for
            # unsent, and changing the field back restored the clocks it had been sent with
            # before: the change back lost to the one the server holds, on every laptop.
            # Up to the revision sealed, not the one the answer names.
            sealed = confirmed.sealed
            sent_meanwhile = [
                (seq,)
                for seq, record_id, revision in cursor.execute(
                    "SELECT seq, record_id, revision FROM outbox WHERE seq > ?", (last,)
                ).fetchall()
                if revision <= sealed.get(record_id, 0)
            ]
            if sent_meanwhile:
                cursor.executemany("DELETE FROM outbox WHERE seq = ?", sent_meanwhile)

    def _seal(
        self, batch: Sequence[tuple[str, str]]
    ) -> tuple[list[wire.Envelope], dict[str, tuple[str, int]], set[str], dict[str, bool]]:
        """Envelopes to push, their revisions, outbox records with nothing left to send, and
        the versions that removed personal text sealed on a laptop whose role may erase, each
        with whether it carries ``redacts_through`` (``UNFLAGGED_REDACTIONS``).

        A kind without an adapter stays in the outbox (a newer version of the app may sync it).
        """
        envelopes: list[wire.Envelope] = []
        revisions: dict[str, tuple[str, int]] = {}
        nothing_to_send: set[str] = set()
        redacting: dict[str, bool] = {}
        with self.store.reading() as session:
            sealer = self._sealer(session)
            by_kind: dict[str, list[str]] = {}
            for kind, record_id in batch:
                by_kind.setdefault(kind, []).append(record_id)
            loaded: dict[str, LocalRecord] = {}
            for kind, ids in by_kind.items():
                if kind in ADAPTERS:
                    loaded.update(ADAPTERS[kind].load_many(session, ids))
            synced = _synced_revisions(session, [rid for _k, rid in batch])
            redactions = self._redactions(session, batch)
            # Redacting versions sent without the flag are owed (a laptop whose role may erase).
            may_redact = any(k in wire.REDACTING_KINDS for k, _id in batch) and _may_redact(session)
            held_back = 0
            missing = [rid for kind, rid in batch if kind in ADAPTERS and rid not in loaded]
            erased = _erased_here(session, missing) if missing else {}
            for kind, record_id in batch:
                if kind in LOCAL_ONLY:
                    nothing_to_send.add(record_id)
                    continue
                if kind not in ADAPTERS:
                    continue
                local = loaded.get(record_id)
                gone = local is None and record_id in erased
                if gone:
                    local = erased[record_id]
                seen_revision = synced.get(record_id)
                if local is None or (seen_revision is not None and seen_revision >= local.revision):
                    nothing_to_send.add(record_id)  # gone, or the server holds this revision
                    continue
                if kind in wire.COORDINATOR_KINDS and not self.is_coordinator:
                    # The server would refuse the whole batch: kept here (and in the outbox, so
                    # the sync status can say why it is not sent).
                    held_back += 1
                    continue
                # A tombstone erases the record on the server too (``wire.Envelope.erases``).
                erases = local.state.deleted
                redacts = (
                    may_redact
                    and kind in wire.REDACTING_KINDS
                    and not erases
                    and _redacted(ADAPTERS[kind], local.state)
                )
                through = (
                    redactions.cursor
                    if redactions is not None and redacts and record_id not in redactions.deferred
                    else None
                )
                if redacts:
                    redacting[record_id] = through is not None
                envelopes.append(
                    sealer.seal(
                        record_id,
                        kind,
                        local.revision,
                        encode(local),
                        str(self.store.clock.now()),
                        erases,
                        through,
                    )
                )
                revisions[record_id] = (kind, local.revision)
        self._held_back += held_back
        return envelopes, revisions, nothing_to_send, redacting

    def _redactions(self, session: Session, batch: Sequence[tuple[str, str]]) -> _Redactions | None:
        """Whether this batch's versions that removed personal text (an adapter's
        ``redacted``, e.g. a data request's reason removed with the person's data) are sent
        with ``wire.Envelope.redacts_through``, so that the server deletes their records'
        earlier envelopes: None where not (no record of a ``wire.REDACTING_KINDS`` kind, a
        helper's or an advisor's laptop, whose flag the server ignores, or a server that does
        not know the field). Else this laptop's pull cursor, read in the transaction that
        loads the records (a pull applies its pages and their cursor in one transaction: the
        records hold every envelope up to it), and the records with envelopes up to it that
        are kept here unapplied (``DeferredEnvelopeRow``: a key not held yet, a newer
        version's fields): not merged, so they are sent without the flag."""
        if not any(kind in wire.REDACTING_KINDS for kind, _id in batch):
            return None
        if not getattr(self.client, "takes_redactions", True):
            return None
        if get_meta(session, LAPTOP_ROLE) in ("helper", "advisor"):
            return None
        ids = [rid for kind, rid in batch if kind in wire.REDACTING_KINDS]
        deferred = _deferred_ids(session, ids)
        return _Redactions(int(get_meta(session, CURSOR) or 0), frozenset(deferred))

    def _sealer(self, session: Session) -> crypto.EnvelopeSealer:
        """A sealer under the active team key, looked up for every batch (a key rotated
        meanwhile seals the next batch); kept while the key stays the same."""
        found = (
            driver_cursor(session)
            .execute("SELECT key_id, key FROM team_keys WHERE active = 1 LIMIT 1")
            .fetchone()
        )
        if found is None:
            raise RuntimeError("no team key on this laptop yet (waiting for approval)")
        key_id, key = found
        if self._sealing is None or self._sealing.key_id != key_id:
            self._sealing = crypto.EnvelopeSealer(bytes(key), key_id, self.device_id)
        return self._sealing

    @staticmethod
    def _own_not_held(session: Session, own: Sequence[wire.StoredEnvelope]) -> set[tuple[str, int]]:
        """This laptop's own envelopes (record id, revision) that it does not hold as sent:
        missing here, at a lower revision, or at the same revision with a change of its own
        waiting to be sent (made on a restored copy: another content under that revision).

        Only a copy restored from a backup of this laptop (``usecases.backup``) meets them; a
        laptop that sent them holds them. One query per kind and page."""
        tables = {kind: (name, revision) for kind, name, revision in _synced_tables()}
        by_kind: dict[str, list[wire.StoredEnvelope]] = {}
        for envelope in own:
            if envelope.kind in tables:
                by_kind.setdefault(envelope.kind, []).append(envelope)
        cursor = driver_cursor(session)
        ids = [e.record_id for items in by_kind.values() for e in items]
        if not ids:
            return set()
        marks = ", ".join("?" * len(ids))
        waiting = {
            row[0]
            for row in cursor.execute(
                f"SELECT DISTINCT record_id FROM outbox WHERE record_id IN ({marks})", ids
            )
        }
        lacking: set[tuple[str, int]] = set()
        for kind, items in by_kind.items():
            name, revision = tables[kind]
            held = dict(
                cursor.execute(
                    f"SELECT t.id, {revision} FROM {name} t WHERE t.id IN "
                    f"({', '.join('?' * len(items))})",
                    [e.record_id for e in items],
                ).fetchall()
            )
            for envelope in items:
                here = held.get(envelope.record_id)
                if here is None and envelope.erases:
                    # The tombstone it sent for a record about a person erased here (a visit
                    # recorded offline, say): nothing of it is held, as it should be.
                    continue
                if (
                    here is None
                    or here < envelope.revision
                    or (here == envelope.revision and envelope.record_id in waiting)
                ):
                    lacking.add((envelope.record_id, envelope.revision))
        return lacking

    @staticmethod
    def _mark_synced(session: Session, revisions: dict[str, tuple[str, int]]) -> None:
        """Remember the highest revision the server holds of each record (one statement)."""
        if revisions:
            driver_cursor(session).executemany(
                "INSERT INTO synced_revisions (record_id, kind, revision) VALUES (?, ?, ?) "
                "ON CONFLICT (record_id) DO UPDATE SET revision = excluded.revision "
                # Never through a record of another kind under the same id (``_apply_page``).
                "WHERE excluded.revision > synced_revisions.revision "
                "AND excluded.kind = synced_revisions.kind",
                [(record_id, kind, revision) for record_id, (kind, revision) in revisions.items()],
            )


# An envelope opened: its payload and author, or why it cannot be applied.
_Opened = tuple[RecordState, str] | crypto.EnvelopeError | PayloadError


def _open(opener: crypto.EnvelopeOpener, envelope: wire.StoredEnvelope) -> _Opened:
    """Decrypt, authenticate and decode one envelope; the error instead of raising it (a
    ``NewerRecord`` is a ``PayloadError``: authentic, written by a newer version)."""
    try:
        incoming, author = decode(opener.open(envelope))
        if incoming.id != envelope.record_id or incoming.kind != envelope.kind:
            raise PayloadError("payload does not match its envelope")
        if envelope.kind not in ADAPTERS:
            raise NewerRecord("a kind a newer version added")
        if envelope.erases and not incoming.deleted:
            # The flag is not authenticated (the server reads it, and laptops before it open
            # these envelopes too): set on a live record, by the server or anyone, it would
            # have the server drop the record's history; such an envelope is not taken.
            raise PayloadError("an erasing envelope holding a live record")
        if incoming.deleted and not envelope.erases and envelope.kind == wire.PERSON_KIND:
            # The other way round: a person's tombstone the server was not told of. The server
            # refuses a person's erasure from a laptop whose role may not erase
            # (``SyncService.push``) by the flag alone; sent without it, an altered program's
            # erasure would pass. Every version that erases sets the flag.
            raise PayloadError("a person's tombstone without the erasing flag")
    except (crypto.EnvelopeError, PayloadError) as exc:
        return exc
    return incoming, author


def _may_redact(session: Session) -> bool:
    """Whether this laptop's role may erase, so that the server acts on its versions'
    ``redacts_through`` (``SyncService._redactions_allowed``): not a helper's or an advisor's."""
    return get_meta(session, LAPTOP_ROLE) not in ("helper", "advisor")


def _deferred_ids(session: Session, ids: list[str]) -> set[str]:
    """Which of ``ids`` have envelopes kept here unapplied (``DeferredEnvelopeRow``)."""
    return {
        str(row[0])
        for row in rows_for_ids(
            session,
            "SELECT json_extract(envelope, '$.record_id') FROM deferred_envelopes "
            "WHERE json_extract(envelope, '$.record_id') IN ({ids})",
            ids,
        )
    }


def _owed(session: Session) -> list[str]:
    """The entries ``UNFLAGGED_REDACTIONS`` names (none where it is missing)."""
    text = get_meta(session, UNFLAGGED_REDACTIONS)
    try:
        owed = json.loads(text) if text else []
    except ValueError:
        return []
    return [str(rid) for rid in owed] if isinstance(owed, list) else []


def _owe(
    session: Session, owed: AbstractSet[str] = frozenset(), done: AbstractSet[str] = frozenset()
) -> None:
    """``UNFLAGGED_REDACTIONS`` with ``owed`` added and ``done`` taken out, in order. Left
    missing where it is (``SyncEngine._start_owing`` counts every such entry then)."""
    if get_meta(session, UNFLAGGED_REDACTIONS) is None:
        return
    held = _owed(session)
    kept = [rid for rid in held if rid not in done]
    kept += sorted(set(owed) - set(kept) - set(done))
    if kept != held:
        set_meta(session, UNFLAGGED_REDACTIONS, json.dumps(kept))


def _redacted(adapter: RecordAdapter, state: RecordState) -> bool:
    """Whether ``state`` removed personal text its record held (the adapter's ``redacted``;
    kinds without one never do)."""
    redacted = getattr(adapter, "redacted", None)
    return redacted is not None and bool(redacted(state))


@dataclass(frozen=True)
class _Redactions:
    """What ``SyncEngine._redactions`` found for a batch: the pull cursor to send as
    ``redacts_through``, and the records not to send it for."""

    cursor: int
    deferred: frozenset[str]


@dataclass
class _Confirmed:
    """Push answers not yet written down: what the server holds, and outbox records with
    nothing to send."""

    revisions: dict[str, tuple[str, int]] = field(default_factory=dict)
    # The revision of each record the server took as this push sealed it (``_confirm``).
    sealed: dict[str, int] = field(default_factory=dict)
    nothing_to_send: set[str] = field(default_factory=set)
    since: float = field(default_factory=time.monotonic)
    top_seq: int = 0  # the highest sequence number in the answers (``PUSHED_SEQ``)
    # Redacting versions the server took with the flag, and without (``UNFLAGGED_REDACTIONS``).
    flagged: set[str] = field(default_factory=set)
    unflagged: set[str] = field(default_factory=set)

    @property
    def count(self) -> int:
        return len(self.revisions) + len(self.nothing_to_send)

    def add(
        self,
        report: SyncReport,
        response: wire.PushResponse,
        revisions: dict[str, tuple[str, int]],
        nothing_to_send: set[str],
    ) -> bool:
        """Take one batch's answer; True if a record was refused as a conflict."""
        refused_conflict = False
        for item in response.results:
            if item.status in ("accepted", "duplicate"):
                kind = revisions[item.record_id][0]
                if item.status == "accepted" and kind != AUDIT_KIND:
                    report.sent += 1
                self.revisions[item.record_id] = (kind, item.revision)
                self.sealed[item.record_id] = revisions[item.record_id][1]
                self.top_seq = max(self.top_seq, item.seq or 0)
            elif item.code in ("conflict", "not_merged"):
                # "not_merged": a version that would have the server delete its record's earlier
                # envelopes, while it holds one this laptop has not merged: pulled, merged and
                # pushed again as a conflict is (``wire.Envelope.redacts_through``).
                refused_conflict = True
            elif item.code == "erase_not_allowed":
                # A tombstone from a laptop whose role may not erase: a person's (a restored
                # server lacking the erasure this laptop applied, or a role lowered since the
                # erasure), or one of another laptop's record about a person erased elsewhere.
                # Sent again it would be refused again, so it leaves the outbox. The record
                # stays erased here; the server keeps it (another laptop's record until that
                # laptop, or a coordinator's, pulls the erasure and sends its own tombstone).
                log.warning("push of %s refused: %s; not sent again", item.record_id, item.code)
                self.nothing_to_send.add(item.record_id)
            else:
                log.warning("push of %s refused: %s", item.record_id, item.code)
        self.nothing_to_send |= nothing_to_send
        report.pushed += response.accepted
        return refused_conflict

    def note_redactions(
        self, response: wire.PushResponse, redacting: Mapping[str, bool], *, flag_went: bool
    ) -> None:
        """Of one batch's redacting versions (record id -> sealed with the flag), those the
        server took (stored now or before): with the flag, or without (``flag_went`` False: a
        server before it took the batch pushed again without)."""
        if not redacting:
            return
        for item in response.results:
            flagged = redacting.get(item.record_id)
            if flagged is None or item.status not in ("accepted", "duplicate"):
                continue
            (self.flagged if flagged and flag_went else self.unflagged).add(item.record_id)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic collector off for one round, if it was on.

    A first sync holds thousands of records at once, and the collector walked them all again
    and again: a fifth of sealing a push. A round makes few cycles, and they are collected
    after it. Where the collector is off already (the window runs it itself, on the UI
    thread), it stays off.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _server_went_back(page: wire.PullResponse, cursor: int, pushed: int) -> bool:
    """Whether the server remembers less of this laptop than the laptop holds (its ``cursor``
    and the highest sequence number of its ``pushed`` envelopes): it handed out, or took from
    it, sequence numbers its database no longer knows (restored from an older backup). Not
    known on the server (None): nothing is concluded from it.

    A server that does not remember the device (restored from a backup made before it kept
    that, migration 0005) is found out all the same while this laptop holds a sequence
    number beyond the highest the server has handed out (``latest_seq``). Not once other
    laptops pushed past it: then only the device's own memory tells."""
    pulled_back = page.device_pulled_seq is not None and page.device_pulled_seq < cursor
    pushed_back = page.device_pushed_seq is not None and page.device_pushed_seq < pushed
    beyond = page.latest_seq is not None and max(cursor, pushed) > page.latest_seq
    return pulled_back or pushed_back or beyond


def _merges_held(session: Session) -> bool:
    """Whether this laptop holds a merge of entries (``person_merges``), those this page brought
    included: a first sync holds none, and looking up each page's people among them (an IN of
    hundreds through SQLAlchemy) was a twentieth of applying its visits and referrals."""
    return (
        driver_cursor(session)
        .execute("SELECT 1 FROM person_merges WHERE deleted = 0 LIMIT 1")
        .fetchone()
        is not None
    )


def _synced_tables() -> list[tuple[str, str, str]]:
    """Each synced kind's table and the SQL of a row's revision (``_finish_restoring``)."""
    found = []
    for kind, adapter in ADAPTERS.items():
        model = getattr(adapter, "model", None)
        if kind in LOCAL_ONLY:
            continue
        if kind == "person":
            found.append((kind, "people", "t.revision"))
        elif model is not None:
            columns = table(model).columns
            # Append-only records (audit entries) have one revision, 1 (``ImmutableRowAdapter``).
            found.append((kind, table(model).name, "t.revision" if "revision" in columns else "1"))
    return found


def _synced_revisions(session: Session, record_ids: Sequence[str]) -> dict[str, int]:
    """The highest revision of each of ``record_ids`` the server is known to hold."""
    sql = "SELECT record_id, revision FROM synced_revisions WHERE record_id IN ({ids})"
    return dict(rows_for_ids(session, sql, list(dict.fromkeys(record_ids))))


def _synced_kinds_and_revisions(
    session: Session, record_ids: Sequence[str]
) -> dict[str, tuple[str, int]]:
    """The kind and the highest revision the server is known to hold of each of ``record_ids``."""
    sql = "SELECT record_id, kind, revision FROM synced_revisions WHERE record_id IN ({ids})"
    rows = rows_for_ids(session, sql, list(dict.fromkeys(record_ids)))
    return {record_id: (kind, revision) for record_id, kind, revision in rows}


def _erased_here(session: Session, record_ids: Sequence[str]) -> dict[str, LocalRecord]:
    """Tombstones of records in the outbox that this laptop holds no row of: records about a
    person erased here (their rows are deleted, see ``person_sources``), at the outbox's
    newest revision and clock. Nothing of the record but its kind and id is in them."""
    sql = (
        "SELECT record_kind, record_id, max(revision), max(hlc) FROM outbox "
        "WHERE record_id IN ({ids}) GROUP BY record_kind, record_id"
    )
    return {
        record_id: LocalRecord(RecordState(kind, record_id, {}, True, hlc), revision, "")
        for kind, record_id, revision, hlc in rows_for_ids(session, sql, list(record_ids))
    }


def _unsent_about(session: Session, people: Sequence[str]) -> dict[str, int]:
    """How many records in the outbox (changes made here, not sent yet) are about each of
    ``people`` that has any: the person records themselves and every record whose
    ``_person`` is one of them.

    Conflicts are left out: the sync records them, not a user. Only read when an erasure
    arrives for someone held here, so the whole outbox is looked at then."""
    erased = set(people)
    pending: dict[str, list[str]] = {}
    for kind, record_id in driver_cursor(session).execute(
        "SELECT DISTINCT record_kind, record_id FROM outbox"
    ):
        pending.setdefault(str(kind), []).append(str(record_id))
    about = Counter(record_id for record_id in pending.pop("person", []) if record_id in erased)
    for kind, ids in pending.items():
        adapter = ADAPTERS.get(kind)
        if adapter is None or kind in LOCAL_ONLY or kind == "conflict":
            continue
        held = adapter.load_many(session, ids)
        people_of = (_person(adapter, local.state) for local in held.values())
        about.update(person for person in people_of if person in erased)
    return dict(about)


def new_record_id() -> str:
    return str(uuid.uuid4())


def _person(adapter: RecordAdapter, state: RecordState) -> str:
    """Whom a record is about ("" if no one): its conflicts are erased with that person."""
    if state.kind == "person":
        return state.id
    person_of = getattr(adapter, "person_of", None)  # row adapters with a person column
    return (person_of(state) or "") if person_of is not None else ""


def pull_everything_again(session: Session, pushed_seq: int = 0) -> None:
    """Make the next sync pull the whole log and then put back into the outbox every record
    the server lacks (``SyncEngine._start_restoring``, ``_finish_restoring``). Also what a
    laptop joining again as a new device does (``usecases.sync.join``): the server has never
    seen what this laptop holds under the new device, or lost it with a restore."""
    set_meta(session, CURSOR, "0")
    set_meta(session, PUSHED_SEQ, str(pushed_seq))
    set_meta(session, RESTORING, "1")
    # Laptops revoked after the server's backup are approved on it again: a coordinator's
    # laptop revokes them again, until it has done so (``usecases.sync._revoke_again``).
    if get_meta(session, COORDINATOR) == "1":
        set_meta(session, REVOKE_AGAIN, "1")
    driver_cursor(session).execute("DELETE FROM synced_revisions")
    session.execute(delete(DeferredEnvelopeRow))
