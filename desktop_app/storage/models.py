"""SQLAlchemy models of the encrypted local store. Every synced table carries sync metadata."""

from __future__ import annotations

import json
from typing import ClassVar, cast

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    event,
    inspect,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.orm import Session as OrmSession

from desktop_app.domain.hlc import (
    SentField,
    Unsent,
    change_clocks,
    effective_field_clocks,
    entry_clocks_after_change,
    json_object,
)


class Base(DeclarativeBase):
    pass


def table(model: type[Base]) -> Table:
    """The Core table of a model, for bulk statements that skip the ORM's unit of work."""
    return cast(Table, model.__table__)


class SyncMixin:
    """Columns every synced record has from day one (see architecture.md, "Data that syncs")."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    updated_hlc: Mapped[str] = mapped_column(String(64), nullable=False)
    device_id: Mapped[str] = mapped_column(String(36), nullable=False)
    author_id: Mapped[str] = mapped_column(String(36), nullable=False)
    deleted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # JSON object: field name -> HLC of its last change; lets sync merge field by field.
    field_clocks: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    # Columns holding a JSON object whose entries change one by one (a visit's answers): each
    # entry has its own clocks, under ``hlc.entry_name(column, key)``, so sync merges them
    # entry by entry and two laptops that changed different answers of a visit keep both.
    keyed_json: ClassVar[tuple[str, ...]] = ()


SYNC_COLUMNS = frozenset(
    {"id", "pk", "revision", "updated_hlc", "device_id", "author_id", "deleted", "field_clocks"}
)


def data_columns(model: type[Base]) -> tuple[str, ...]:
    """The columns of a synced table that carry content (everything but sync bookkeeping)."""
    return tuple(c.key for c in table(model).columns if c.key not in SYNC_COLUMNS)


@event.listens_for(OrmSession, "before_flush")
def _stamp_field_clocks(session: OrmSession, _context: object, _instances: object) -> None:
    """Keep per-field clocks right for every edit of a synced row made through the ORM.

    A use case that changes a row moves its ``updated_hlc``; the fields whose values changed get
    that clock, on top of the clock they had (so sync can tell an edit from a concurrent one);
    in a ``keyed_json`` column only the entries that changed do.
    Code that writes ``field_clocks`` itself (people, applying synced states) is left alone.
    A change of a value this laptop has not sent yet replaces it in place (``unsent_since``),
    and a change back to the value as sent takes its clocks again (``hlc.change_clocks``): the
    edit's outbox row notes each field as it was before its first change (``OutboxRow.sent``).
    """
    edited = []
    for obj in session.dirty:
        if not isinstance(obj, SyncMixin):
            continue
        state = inspect(obj)
        moved = state.attrs.updated_hlc.history
        if moved.has_changes() and not state.attrs.field_clocks.history.has_changes():
            edited.append((obj, state, moved.deleted[0] if moved.deleted else obj.updated_hlc))
    if not edited:
        return
    waiting = unsent_since(session, [obj.id for obj, _state, _old in edited])
    outbox = {(o.record_id, o.hlc): o for o in session.new if isinstance(o, OutboxRow)}
    for obj, state, old_hlc in edited:
        unsent = waiting.get(obj.id)
        noted: dict[str, SentField] = {}
        fields = data_columns(type(obj))  # type: ignore[arg-type]
        stored = {k: (v[0], v[1]) for k, v in json.loads(obj.field_clocks or "{}").items()}
        clocks = {**stored, **effective_field_clocks(fields, stored, old_hlc)}
        for name in fields:
            history = state.attrs[name].history
            if not history.has_changes():
                continue
            after = getattr(obj, name)
            # A value not loaded before the change is not known: not noted as the one sent.
            old, into = (history.deleted[0], noted) if history.deleted else (None, {})
            if name in obj.keyed_json:
                before = json_object(old)
                clocks.update(
                    entry_clocks_after_change(
                        name, clocks, before, json_object(after), obj.updated_hlc, unsent, into
                    )
                )
            else:
                clocks[name] = change_clocks(
                    name, *clocks[name], old, after, obj.updated_hlc, unsent, into
                )
        obj.field_clocks = json.dumps({k: list(v) for k, v in clocks.items()}, sort_keys=True)
        row = outbox.get((obj.id, obj.updated_hlc))
        if row is not None and row.sent is not None:
            row.sent = sent_text({**json.loads(row.sent), **noted})


class MetaRow(Base):
    """Key/value facts about this store: its device id, schema notes."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)


class UserRow(Base, SyncMixin):
    __tablename__ = "users"
    account: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    display_name: Mapped[str] = mapped_column(String(200), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)


class PersonRow(Base, SyncMixin):
    __tablename__ = "people"
    # A local integer key keeps the search index small and its lookups to one B-tree descent;
    # the UUID ``id`` is what identifies the person everywhere else (sync, links).
    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), nullable=False, unique=True)
    given_name: Mapped[str] = mapped_column(String(200), nullable=False)
    family_name: Mapped[str] = mapped_column(String(200), nullable=False)
    date_of_birth: Mapped[str] = mapped_column(String(10), nullable=False, default="")
    sex: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    nationality: Mapped[str] = mapped_column(String(2), nullable=False, default="")
    languages: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    phone: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    id_document_name: Mapped[str] = mapped_column(String(400), nullable=False, default="")
    # Derived, for listing and duplicate checks: folded "family given", folded sorted name
    # tokens, and the phone's national digits.
    sort_key: Mapped[str] = mapped_column(String(420), nullable=False)
    name_key: Mapped[str] = mapped_column(String(420), nullable=False)
    phone_key: Mapped[str] = mapped_column(String(40), nullable=False, default="")

    __table_args__ = (
        Index("ix_people_sort", "deleted", "sort_key", "pk"),
        Index("ix_people_name_key", "name_key", "date_of_birth"),
        Index("ix_people_phone_key", "phone_key"),
    )


class DistinctPeopleRow(Base, SyncMixin):
    """Two entries an advisor decided are different people, though registered with the same
    name and date of birth (cousins, father and son): neither's page names the other any more.

    A record kind of its own, not a field of the person: a laptop whose version does not know
    it keeps it until updated, and goes on taking changes of people meanwhile. Its id follows
    from the two ids (``usecases.duplicates.pair_id``), so two laptops deciding the same pair
    write one record. ``person_a`` sorts before ``person_b``. Erasing either erases it."""

    __tablename__ = "distinct_people"
    person_a: Mapped[str] = mapped_column(String(36), nullable=False)
    person_b: Mapped[str] = mapped_column(String(36), nullable=False)

    __table_args__ = (
        Index("ix_distinct_people_a", "person_a"),
        Index("ix_distinct_people_b", "person_b"),
    )


class PersonMergeRow(Base, SyncMixin):
    """An entry merged into another of the same person (``usecases.merges``): the map from the
    entry merged away to the one kept, which every laptop keeps, so that a record arriving
    later for the entry merged away (written on a laptop offline meanwhile) moves to the kept
    one instead of being dropped as about an erased person.

    One per entry merged away; its id follows from that entry's id (``merge_id``), so two
    laptops merging the same entry write one record. ``kept_id`` moves on when the kept entry
    is merged into a third one later. Erasing the kept person erases it."""

    __tablename__ = "person_merges"
    merged_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    kept_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    # What the merge saw of the entry merged away (JSON, ``usecases.merges.MergeSeen``): a
    # change of it made elsewhere that the merge did not see is carried over to the kept one.
    seen: Mapped[str] = mapped_column(Text, nullable=False, default="{}", server_default="{}")


class PeopleCountRow(Base):
    """How many people are not deleted: one row, kept by the triggers of migration
    ``people_count`` in the same transaction as every write to ``people``."""

    __tablename__ = "people_count"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    people: Mapped[int] = mapped_column(Integer, nullable=False)

    __table_args__ = (CheckConstraint("id = 1", name="ck_people_count_one_row"),)


class SearchTokenRow(Base):
    """Prefix index over folded name, date-of-birth and phone tokens (B-tree range scans)."""

    __tablename__ = "search_tokens"
    token: Mapped[str] = mapped_column(String(200), primary_key=True)
    # The start of the person's sort key, so one token's matches come out in name order.
    sort_key: Mapped[str] = mapped_column(String(32), primary_key=True)
    person_pk: Mapped[int] = mapped_column(
        Integer, ForeignKey("people.pk", ondelete="CASCADE"), primary_key=True
    )

    __table_args__ = (
        Index("ix_search_tokens_person", "person_pk", "token"),
        {"sqlite_with_rowid": False},
    )


class DataRequestRow(SyncMixin, Base):
    """A request of a person about their data (a copy, an erasure) and when it was answered:
    the register that shows each was answered within the month Art. 12(3) GDPR allows. Synced
    (kind "data_request"), so the coordinator who answers sees the requests recorded on every
    laptop. Nothing in it names the person: ``person_id`` links a request to the person only
    while they exist (an erasure, here or arriving by sync, empties it in a revision of its
    own that syncs too). ``reference`` is what the person is told; the record id is a uuid, as
    two laptops offline may draw the same reference (then both entries stay, told apart by
    their kind and dates)."""

    __tablename__ = "data_requests"
    reference: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # "copy", "erasure"
    received: Mapped[str] = mapped_column(String(10), nullable=False)  # ISO date
    answered: Mapped[str] = mapped_column(String(10), nullable=False)  # ISO date
    answered_by: Mapped[str] = mapped_column(String(16), nullable=False)  # the account's role
    # Indexed: the person's page, the data copy, the erasure and every request arriving by
    # sync look up one person's requests.
    person_id: Mapped[str] = mapped_column(
        String(36), nullable=False, default="", server_default="", index=True
    )
    # Why a request was answered by hand (``data_rights.answer_by_hand``: "nothing to
    # correct"); "" for one answered by the program (a copy, a correction, an erasure) or open;
    # ``REASON_REMOVED`` where the person's erasure removed it (free text staff typed may name
    # the person).
    answer_reason: Mapped[str] = mapped_column(
        String(200), nullable=False, default="", server_default=""
    )


#: ``DataRequestRow.answer_reason`` of a request whose reason the person's erasure removed
#: (``data_rights.unlink_requests``). No typed reason can be it (``answer_by_hand`` folds
#: whitespace, \x1f among it), and it is a value, not "": an emptied reason would be held
#: back from sync while "" (``sync.kinds.held_back``) only for as long as its clocks keep a
#: base, and the register could not tell "removed" from "never given".
REASON_REMOVED = "\x1fremoved"


class OutboxRow(Base):
    """Changes waiting to be pushed; written in the same transaction as the change itself."""

    __tablename__ = "outbox"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_kind: Mapped[str] = mapped_column(String(40), nullable=False)
    record_id: Mapped[str] = mapped_column(String(36), nullable=False)
    revision: Mapped[int] = mapped_column(Integer, nullable=False)
    hlc: Mapped[str] = mapped_column(String(64), nullable=False)
    # JSON: the fields this change was the first to change since the record was last sent,
    # as they were (``hlc.SentField``: clocks and a digest of the value). NULL for a change
    # not made by an edit here (a pull's merge, a new record, older versions): a field changed
    # back is compared only with what was noted after the last of those.
    sent: Mapped[str | None] = mapped_column(Text, nullable=True)
    # True: queued by a sync for a change no user here made (``sync.engine.outbox_counts``):
    # a record moved to the entry kept by a merge of people that arrived from another laptop
    # (``usecases.merges.move_records``, ``person_merges.moved``), and a pull's merge of a
    # record that waits only for such changes. NULL: a change made here (as every one before
    # this column), counted among the changes to send.
    by_sync: Mapped[bool | None] = mapped_column(Boolean, nullable=True)

    # A record's waiting changes (``unsent_since``, on every edit; the push's deletes). The
    # record id alone: the push's confirmations delete from all over this index, and each
    # entry more is a page more to write (``outbox_record_id``).
    __table_args__ = (Index("ix_outbox_record", "record_id"),)


# Meta key: the clock at which a push last began to send (``sync.engine``). A change waiting
# since before then may have reached the server even though no answer said so.
PUSH_BEGAN = "sync.push_began"


def sent_text(noted: dict[str, SentField]) -> str:
    """``OutboxRow.sent`` for the fields noted."""
    return json.dumps({k: list(v) for k, v in noted.items()}, sort_keys=True)


def unsent_since(session: OrmSession, record_ids: list[str]) -> dict[str, Unsent]:
    """Per record among ``record_ids`` with changes waiting in the outbox: the clock of the
    oldest (a change of this laptop at that clock or later has not reached the server yet),
    and its fields as sent before their first change since, where certain: noted by edits
    here (``OutboxRow.sent``), after the record's last change that was not such an edit and
    after the last push began (it may have carried those changes, its answer lost)."""
    waiting: dict[str, list[tuple[str, str | None]]] = {}
    with session.no_autoflush:  # called while flushing (``_stamp_field_clocks``)
        for start in range(0, len(record_ids), 500):
            chunk = record_ids[start : start + 500]
            rows = session.execute(
                select(OutboxRow.record_id, OutboxRow.hlc, OutboxRow.sent)
                .where(OutboxRow.record_id.in_(chunk))
                .order_by(OutboxRow.seq)
            )
            for record_id, hlc, text in rows:
                waiting.setdefault(record_id, []).append((hlc, text))
        noted_any = any(t not in (None, "{}") for rows in waiting.values() for _h, t in rows)
        push_began = (
            session.scalar(select(MetaRow.value).where(MetaRow.key == PUSH_BEGAN))
            if noted_any
            else None
        )
    found: dict[str, Unsent] = {}
    for record_id, changes in waiting.items():
        sent: dict[str, SentField] = {}
        for hlc, text in changes:
            if text is None or (push_began is not None and hlc <= push_began):
                sent.clear()
            elif text != "{}":
                sent.update((k, SentField(*v)) for k, v in json.loads(text).items())
        found[record_id] = Unsent(min(hlc for hlc, _text in changes), sent)
    return found


def next_revision(
    session: OrmSession,
    row: SyncMixin,
    kind: str,
    *,
    hlc: str,
    device_id: str,
    author_id: str,
    by_sync: bool = False,
) -> None:
    """``row`` (of record kind ``kind``) changed on this laptop (``device_id``) by the user
    ``author_id`` at clock ``hlc``: its next revision, queued for sync in the same transaction.
    ``by_sync``: a change a sync made here, no user (``OutboxRow.by_sync``).

    The fields whose values changed get ``hlc`` on flush (``_stamp_field_clocks``). A new row
    starts at revision 0 and gets revision 1 here. Both ids are required: they travel with the
    record (its author in the payload, its device as the clock's), reports count by them, and a
    row that kept those of its previous revision credited the change to someone else."""
    row.revision = (row.revision or 0) + 1
    row.updated_hlc = hlc
    row.device_id = device_id
    row.author_id = author_id
    session.add(
        OutboxRow(
            record_kind=kind,
            record_id=row.id,
            revision=row.revision,
            hlc=hlc,
            sent="{}",
            by_sync=True if by_sync else None,
        )
    )


# Feature tables register on ``Base.metadata`` when imported; migrations compare against it.
from desktop_app.storage import audit_models as _audit_models  # noqa: E402, F401
from desktop_app.storage import reference_models as _reference_models  # noqa: E402, F401
from desktop_app.storage import referrals_models as _referrals_models  # noqa: E402, F401
from desktop_app.storage import reports_models as _reports_models  # noqa: E402, F401
from desktop_app.storage import sync_models as _sync_models  # noqa: E402, F401
from desktop_app.storage import visits_models as _visits_models  # noqa: E402, F401
