"""Neither the program nor its tests walk Qt's focus chain with ``nextInFocusChain`` or
``previousInFocusChain``: PySide6 (6.12) takes the widget they return for a child of the widget
asked, an ancestor too, and freeing such tangled wrappers crashed the garbage collector
(Shiboken's ``removeParent``). Comments and texts may name them; code may not.
"""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("desktop_app", "sync_server", "tests", "bench", "installer", "scripts")
WALKS = {"nextInFocusChain", "previousInFocusChain"}


def walks_in(source: str) -> list[int]:
    """The lines of ``source`` whose code (not a comment, not a string) names a walk."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return [tok.start[0] for tok in tokens if tok.type == tokenize.NAME and tok.string in WALKS]


def test_no_code_walks_the_focus_chain() -> None:
    found = []
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            found += [f"{path.relative_to(ROOT)}:{line}" for line in walks_in(text)]
    assert found == []


def test_the_guard_sees_a_call_and_an_attribute_but_not_a_comment_or_a_text() -> None:
    source = (
        "after = widget.nextInFocusChain()\n"
        "step = QWidget.previousInFocusChain\n"
        "# widget.nextInFocusChain() tangled the owners\n"
        '"""previousInFocusChain() is not walked here"""\n'
    )
    assert walks_in(source) == [1, 2]
