"""SQLAlchemy models of the encrypted local store. Every synced table carries sync metadata."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


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


class OutboxRow(Base):
    """Changes waiting to be pushed; written in the same transaction as the change itself."""

    __tablename__ = "outbox"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_kind: Mapped[str] = mapped_column(String(40), nullable=False)
    record_id: Mapped[str] = mapped_column(String(36), nullable=False)
    revision: Mapped[int] = mapped_column(Integer, nullable=False)
    hlc: Mapped[str] = mapped_column(String(64), nullable=False)


# Feature tables live in their own modules; importing them here puts them in Base.metadata.
from desktop_app.storage import audit_models as _audit_models  # noqa: E402,F401
