"""Reference data a coordinator publishes to every laptop (the service directory, forms), and
the consent texts that were in force here."""

from __future__ import annotations

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from desktop_app.storage.models import Base, SyncMixin


class ReferenceRow(Base, SyncMixin):
    """One published set of reference files; its id is derived from ``name`` (one per name).

    ``content`` is one JSON object (files by name, note, publisher, time) so that a publication
    travels and merges whole: two coordinators publishing at once give one conflict, never a
    mixture of both.
    """

    __tablename__ = "reference_data"
    name: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    content: Mapped[str] = mapped_column(Text, nullable=False)


class ConsentTextRow(Base):
    """A consent text that was in force on this laptop (shipped or published), by version and
    purpose: a consent stores only its ``text_version``, and the form in force may no longer
    hold that text (a publication outranked by a newer shipped form, or replaced by one made
    from it). Kept for the data copy (Art. 15); never changed or removed, not synced (every
    laptop keeps what was in force on it, publications received by sync included).

    ``wording`` is a JSON object, language -> text. Two texts under one version (a laptop's
    own publication that happened to pick the team's version name) are both kept.
    """

    __tablename__ = "consent_texts"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    text_version: Mapped[str] = mapped_column(String(40), nullable=False)
    purpose: Mapped[str] = mapped_column(String(40), nullable=False)
    digest: Mapped[str] = mapped_column(String(64), nullable=False)
    wording: Mapped[str] = mapped_column(Text, nullable=False)

    __table_args__ = (
        UniqueConstraint("text_version", "purpose", "digest", name="uq_consent_texts"),
    )


class ConsentWordingRow(Base):
    """Which kept text (``ConsentTextRow.digest``) a consent recorded on this laptop was given
    under: two texts may be kept under one version, and the consent names only the version.

    Local, not synced: a field added to the consent record would make laptops of earlier
    versions hold every consent back. So a consent received by sync, or recorded before this
    was kept, has none; its copy shows every text kept under its version when they differ.
    """

    __tablename__ = "consent_wordings"
    consent_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), nullable=False)


class FormDefinitionRow(Base):
    """A form definition that was published (here, or on another laptop and received by sync),
    by form id and version: a visit stores only its form's version, and the form in force may
    be a later one (a check recorded under version 3 while version 4 is in force). Kept so that
    its answers are told in the words they were asked in, and what was added since is known.
    Not synced (every laptop keeps what it received).

    ``definition`` is the form's YAML text as published. ``source``: "team" (received by
    sync), "here" (published here) or "withdrawn" (published here, withdrawn unsent). Two
    publications of one version (a laptop's own that picked the team's version number) keep
    the team's (``usecases.form_definitions``).
    """

    __tablename__ = "form_definitions"
    form_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    definition: Mapped[str] = mapped_column(Text, nullable=False)
    source: Mapped[str] = mapped_column(String(10), nullable=False, default="here")
