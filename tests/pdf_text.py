"""A PDF's text as the tests read it back: every page's text, each run of whitespace one space
(a phrase broken at a line or page end reads whole); or each page's so (``pdf_pages``)."""

from __future__ import annotations

import io

import pypdf


def pdf_text(pdf: bytes) -> str:
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text() or "" for page in pages).split())


def pdf_pages(pdf: bytes) -> list[str]:
    """Each page's text, each run of whitespace one space (a letter's page to the office and
    the person's copy apart)."""
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    return [" ".join((page.extract_text() or "").split()) for page in pages]
