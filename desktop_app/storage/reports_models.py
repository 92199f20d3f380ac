"""Indexes the reports need: visits by the day they were finished, for period figures."""

from __future__ import annotations

from sqlalchemy import Index

from desktop_app.storage.visits_models import VisitRow

# Covers "who was advised in the period" and the monthly trend without reading the answers.
ix_visits_finished = Index(
    "ix_visits_finished",
    VisitRow.finished_at,
    VisitRow.deleted,
    VisitRow.person_id,
    VisitRow.form_id,
)
