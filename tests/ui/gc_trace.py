"""Opt-in pytest plugin: before each cycle collection on the UI thread frees anything, write
down the Qt objects (Shiboken wrappers) among what it is about to free, then free it.

For the rare segmentation fault inside ``GuiThreadCollector.collect_due`` (a young
collection; native frames ``delete_garbage`` -> ``Shiboken::Object::removeParent``): the last
lines of the log name the test and the wrappers of the batch that crashed. Run as

    WELCOME_DESK_GC_TRACE=/tmp/gc-trace.txt QT_QPA_PLATFORM=offscreen \\
        .venv/bin/python -X faulthandler -m pytest -p tests.ui.gc_trace -n 0 -q tests/ui/...

Each collection of the tests' collector (``desktop_app.ui.application``) and of the collection
after every UI test (``tests/ui/conftest.py``) runs twice: first with ``gc.DEBUG_SAVEALL``,
which only lists what is unreachable, then for real (one generation up, where the listing
moved it). What a test frees is thus freed at about the same moment as without the plugin.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import types
from collections.abc import Iterator
from typing import IO, Any

import pytest
import shiboken6

_LOG: list[IO[str]] = []
_TEST = ["(before the first test)"]


def _wrapper_line(obj: shiboken6.Shiboken.Object) -> str:
    valid = shiboken6.isValid(obj)
    line = f"{type(obj).__module__}.{type(obj).__qualname__} valid={valid}"
    if valid:
        line += f" python_owned={shiboken6.ownedByPython(obj)}"
        parent = getattr(obj, "parent", None)
        if callable(parent):
            with contextlib.suppress(TypeError):  # a parent() of another signature
                line += f" parent={type(parent()).__name__}"
    return line


def _traced_collect(generation: int = 2, where: str = "collector") -> int:
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect(generation)
    finally:
        gc.set_debug(0)
    wrappers = [o for o in gc.garbage if isinstance(o, shiboken6.Shiboken.Object)]
    # Wrappers the garbage refers to: those it alone holds go with it.
    inside = {id(o) for o in gc.garbage}
    held = {
        id(r): r
        for o in gc.garbage
        for r in gc.get_referents(o)
        if isinstance(r, shiboken6.Shiboken.Object) and id(r) not in inside
    }
    log = _LOG[0]
    log.write(f"[{_TEST[0]}] {where} gen{generation}: {len(gc.garbage)} unreachable\n")
    log.writelines(f"    {_wrapper_line(o)}\n" for o in wrappers)
    # (refs: the interpreter's count, this list's and the call's included)
    log.writelines(
        f"    held by it (refs {sys.getrefcount(o)}): {_wrapper_line(o)}\n" for o in held.values()
    )
    log.flush()
    del wrappers, held
    gc.garbage.clear()
    # Saved, they went to the next generation up: collected there for real, now.
    return gc.collect(min(generation + 1, 2))


def _gc_module_with(collect: Any) -> types.SimpleNamespace:
    names = {name: getattr(gc, name) for name in dir(gc) if not name.startswith("__")}
    return types.SimpleNamespace(**{**names, "collect": collect})


@pytest.fixture(scope="session", autouse=True)
def _trace_collections() -> Iterator[None]:
    from desktop_app.ui import application

    path = os.environ.get("WELCOME_DESK_GC_TRACE", "gc-trace.txt")
    with open(path, "a", encoding="utf-8") as log:
        _LOG.append(log)
        application.gc = _gc_module_with(_traced_collect)  # type: ignore[assignment]
        ui_conftest = next(
            (m for m in list(sys.modules.values()) if hasattr(m, "_collect_after_test")), None
        )
        if ui_conftest is not None:
            ui_conftest.gc = _gc_module_with(  # type: ignore[attr-defined]
                lambda generation=2: _traced_collect(generation, "after the test")
            )
        try:
            yield
        finally:
            application.gc = gc
            if ui_conftest is not None:
                ui_conftest.gc = gc  # type: ignore[attr-defined]
            _LOG.clear()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    _TEST[0] = item.nodeid
    yield
