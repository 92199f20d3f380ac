"""Reference data a coordinator publishes to every laptop (the service directory)."""

from __future__ import annotations

from sqlalchemy import String, Text
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
