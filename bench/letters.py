"""Benchmark: bilingual referral letters against a bare two-page ReportLab document (same run).

Budgets (quality.md): per letter ≤ 4 × the baseline, 1,000 letters ≤ 30 s, each PDF ≤ 80 KB.
Prints the figures with their budgets and exits 1 when one is missed.
Run: python bench/letters.py [--batch 1000] [--repeat 40]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pypdf
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

from desktop_app.letters.referral_letter import (
    FONT,
    FONT_BOLD,
    register_fonts,
    render_referral_letter,
)
from desktop_app.letters.samples import DemoLetter, demo_letters

RATIO_BUDGET = 4.0
BATCH_BUDGET_S = 30.0
SIZE_BUDGET = 80 * 1024


def render(demo: DemoLetter) -> bytes:
    return render_referral_letter(
        demo.referral,
        demo.person,
        demo.service,
        demo.organisation,
        demo.client_lang,
        today=demo.referral.created_at.date(),
    )


def baseline_pages(demo: DemoLetter) -> list[str]:
    """The text of a real letter, page by page, to lay out again as plain paragraphs."""
    reader = pypdf.PdfReader(io.BytesIO(render(demo)))
    return [page.extract_text() or "" for page in reader.pages]


def bare_document(pages: list[str]) -> bytes:
    """Two A4 pages of paragraphs in the same fonts: what any ReportLab letter costs at least."""
    body = ParagraphStyle("b", fontName=FONT, fontSize=10, leading=13)
    bold = ParagraphStyle("h", fontName=FONT_BOLD, fontSize=10, leading=13)
    story = []
    for n, text in enumerate(pages[:2]):
        lines = [line for line in text.splitlines() if line.strip()]
        story += [
            Paragraph(line.replace("&", "&amp;").replace("<", "&lt;"), bold if i % 7 == 0 else body)
            for i, line in enumerate(lines)
        ]
        if n == 0:
            story.append(PageBreak())
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=20 * mm,
        initialFontName=FONT,
        invariant=True,
    ).build(story)
    return buffer.getvalue()


def median_ms(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()

    register_fonts()
    demos = demo_letters(langs=("bg", "ro"))
    texts = baseline_pages(demos[0])
    for demo in demos[:4]:  # warm caches (fonts, Babel locales, templates) for both sides
        render(demo)
        bare_document(texts)

    rounds = []
    for _ in range(3):  # interleaved, so both sides see the same machine noise
        base = median_ms(lambda: bare_document(texts), args.repeat)
        letter = median_ms(lambda: render(demos[0]), args.repeat)
        rounds.append((letter / base, base, letter))
    ratio, base_ms, letter_ms = sorted(rounds)[1]  # the middle round
    base_size = len(bare_document(texts))

    sizes = []
    start = time.perf_counter()
    for i in range(args.batch):
        sizes.append(len(render(demos[i % len(demos)])))
    batch_s = time.perf_counter() - start

    checks = [
        ("letter / baseline", ratio, RATIO_BUDGET, f"{ratio:.2f} x", f"<= {RATIO_BUDGET:.1f} x"),
        (
            f"batch of {args.batch}",
            batch_s,
            BATCH_BUDGET_S,
            f"{batch_s:.1f} s",
            f"<= {BATCH_BUDGET_S:.0f} s",
        ),
        ("largest PDF", max(sizes), SIZE_BUDGET, f"{max(sizes) / 1024:.1f} KB", "<= 80 KB"),
    ]
    print(f"baseline (bare 2-page doc, same fonts): {base_ms:.1f} ms, {base_size / 1024:.1f} KB")
    print(f"bilingual referral letter:               {letter_ms:.1f} ms (median of {args.repeat})")
    print(
        f"sizes over the batch: mean {statistics.mean(sizes) / 1024:.1f} KB, "
        f"min {min(sizes) / 1024:.1f} KB"
    )
    failed = False
    for name, value, budget, shown, limit in checks:
        ok = value <= budget
        failed |= not ok
        print(f"{name:<22} {shown:>10}   budget {limit:<10} {'ok' if ok else 'MISSED'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
