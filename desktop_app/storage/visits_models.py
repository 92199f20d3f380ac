"""Store tables of visits (finished forms and their revisions), drafts, consents, quick contacts."""

from __future__ import annotations

from sqlalchemy import Boolean, Index, Integer, Select, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from desktop_app.storage.models import Base, SyncMixin


class VisitRow(Base, SyncMixin):
    """A finished form (life situation check, skills check) of one person; the current revision.

    ``answers`` holds the cleaned answers as JSON, read with the form version stored beside them.
    Answers and next-step decisions sync one by one (``keyed_json``): two laptops that changed
    different answers of the visit both keep theirs; the same answer changed is a conflict.
    """

    __tablename__ = "visits"
    keyed_json = ("answers", "next_steps")
    person_id: Mapped[str] = mapped_column(String(36), nullable=False)
    form_id: Mapped[str] = mapped_column(String(63), nullable=False)
    form_version: Mapped[int] = mapped_column(Integer, nullable=False)
    answers: Mapped[str] = mapped_column(Text, nullable=False)
    # JSON object: next-step id -> "accepted" | "dismissed"
    next_steps: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="finished")
    started_at: Mapped[str] = mapped_column(String(32), nullable=False)
    finished_at: Mapped[str] = mapped_column(String(32), nullable=False)

    __table_args__ = (
        Index("ix_visits_person", "person_id", "finished_at"),
        # Covers "who was advised in the period" and the monthly trend of the reports without
        # reading the answers.
        Index("ix_visits_finished", "finished_at", "deleted", "person_id", "form_id"),
    )


#: a person's visits newest first: the last finished, of two finished at the same moment the
#: last changed
NEWEST_FIRST = (VisitRow.finished_at.desc(), VisitRow.updated_hlc.desc())


def latest_finished(person_id: str, form_id: str) -> Select[VisitRow]:
    """The person's latest finished visit of ``form_id`` (at most one row)."""
    return (
        select(VisitRow)
        .where(
            VisitRow.person_id == person_id,
            VisitRow.form_id == form_id,
            VisitRow.deleted.is_(False),
        )
        .order_by(*NEWEST_FIRST)
        .limit(1)
    )


class VisitRevisionRow(Base):
    """An earlier revision of a visit, kept on each edit so the history stays visible."""

    __tablename__ = "visit_revisions"
    visit_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_version: Mapped[int] = mapped_column(Integer, nullable=False)
    answers: Mapped[str] = mapped_column(Text, nullable=False)
    next_steps: Mapped[str] = mapped_column(Text, nullable=False)
    author_id: Mapped[str] = mapped_column(String(36), nullable=False)
    updated_hlc: Mapped[str] = mapped_column(String(64), nullable=False)
    saved_at: Mapped[str] = mapped_column(String(32), nullable=False)


class _DraftColumns:
    """What a draft holds besides whose and which form it is."""

    visit_id: Mapped[str] = mapped_column(String(36), nullable=False, default="")
    author_id: Mapped[str] = mapped_column(String(36), nullable=False)
    answers: Mapped[str] = mapped_column(Text, nullable=False)
    next_steps: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    started_at: Mapped[str] = mapped_column(String(32), nullable=False)
    updated_at: Mapped[str] = mapped_column(String(32), nullable=False)
    # Editing a finished visit: its answers and next steps when the edit began (JSON object
    # {"answers": …, "next_steps": …}), "" otherwise. Finishing changes only what differs.
    base: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # The version of its form the draft was begun in (migration 0041, draft_form_version); 0
    # for a draft begun before: not known.
    form_version: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, server_default="0"
    )


#: the columns of ``_DraftColumns``, copied as they are when a draft is carried or taken back
DRAFT_CONTENT = (
    "visit_id",
    "author_id",
    "answers",
    "next_steps",
    "started_at",
    "updated_at",
    "base",
    "form_version",
)


class DraftRow(Base, _DraftColumns):
    """The answers of a form being filled in, saved as the user types; never synced.

    One per person and form; ``visit_id`` is set when the draft edits a finished visit.
    """

    __tablename__ = "drafts"
    person_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    form_id: Mapped[str] = mapped_column(String(63), primary_key=True)


class CarriedDraftRow(Base, _DraftColumns):
    """A draft of an entry merged away (``carried_from``) of a form the entry kept had begun
    too: kept beside the kept entry's own draft (``drafts`` holds one per person and form)
    until an advisor continues it in its place or discards it; never synced. It was deleted
    with the entry merged away, also at a merge arriving by sync, without a word."""

    __tablename__ = "carried_drafts"
    person_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    form_id: Mapped[str] = mapped_column(String(63), primary_key=True)
    carried_from: Mapped[str] = mapped_column(String(36), primary_key=True)


class ConsentRow(Base, SyncMixin):
    """A person's consent (or refusal) for one purpose, with the text version and language read."""

    __tablename__ = "consents"
    person_id: Mapped[str] = mapped_column(String(36), nullable=False)
    purpose: Mapped[str] = mapped_column(String(40), nullable=False)
    granted: Mapped[bool] = mapped_column(Boolean, nullable=False)
    text_version: Mapped[str] = mapped_column(String(40), nullable=False)
    language: Mapped[str] = mapped_column(String(8), nullable=False)
    given_on: Mapped[str] = mapped_column(String(10), nullable=False)
    how: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    witness: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    shared_with: Mapped[str] = mapped_column(String(300), nullable=False, default="")

    __table_args__ = (Index("ix_consents_person", "person_id", "purpose"),)


class QuickContactRow(Base, SyncMixin):
    """An anonymous contact that counts in the reports: no name, no link to a person."""

    __tablename__ = "quick_contacts"
    contact_date: Mapped[str] = mapped_column(String(10), nullable=False)
    session_language: Mapped[str] = mapped_column(String(8), nullable=False)
    topics: Mapped[str] = mapped_column(Text, nullable=False)  # JSON list of topic ids
    referral_given: Mapped[bool] = mapped_column(Boolean, nullable=False)
    nationality: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    sex: Mapped[str] = mapped_column(String(20), nullable=False, default="")

    __table_args__ = (Index("ix_quick_contacts_date", "contact_date"),)
