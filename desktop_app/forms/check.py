"""``welcome-desk forms check PATH…``: load form definitions and report every problem found."""

from __future__ import annotations

from pathlib import Path

from desktop_app.forms.definition import FormDefinitionError, load_form

EXIT_OK = 0
EXIT_BROKEN = 1
EXIT_NO_INPUT = 2


def _definition_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.glob("*.yaml") if p.is_file())
    return [path]


def check_paths(paths: list[Path]) -> tuple[int, list[str]]:
    """Check every definition file given (a folder means its ``*.yaml``).

    Returns the exit code (0 all fine, 1 some definition broken, 2 a path missing or nothing to
    check) and one message per line for the person at the terminal.
    """
    messages: list[str] = []
    code = EXIT_OK
    seen_ids: dict[str, Path] = {}
    files: list[Path] = []
    for path in paths:
        if not path.exists():
            messages.append(f"{path}: no such file or folder")
            code = EXIT_NO_INPUT
            continue
        found = _definition_files(path)
        if not found:
            messages.append(f"{path}: no *.yaml form definitions in this folder")
            code = EXIT_NO_INPUT
        files.extend(found)
    for file in files:
        try:
            form = load_form(file)
        except FormDefinitionError as exc:
            messages.extend(exc.problems)
            code = max(code, EXIT_BROKEN) if code != EXIT_NO_INPUT else code
            continue
        if form.id in seen_ids and seen_ids[form.id] != file:
            messages.append(f"{file.name}: form id {form.id!r} is also used by {seen_ids[form.id]}")
            code = max(code, EXIT_BROKEN) if code != EXIT_NO_INPUT else code
            continue
        seen_ids[form.id] = file
        fields = sum(1 for _ in form.fields())
        messages.append(
            f"{file.name}: OK — form {form.id!r} version {form.version}, "
            f"{len(form.sections)} sections, {fields} fields, "
            f"{len(form.next_steps)} next-step rules"
        )
    return code, messages
