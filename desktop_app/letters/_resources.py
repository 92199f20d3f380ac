"""Reading the letters' YAML resources with errors that name the file, the place and the problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from desktop_app.domain.service import LocalizedText
from desktop_app.i18n.languages import CODE
from desktop_app.i18n.languages import CORE as REQUIRED
from desktop_app.i18n.text import LANGUAGES


class ResourceError(ValueError):
    """A resource file that is not as expected.

    ``code`` is a stable key (``missing``, ``missing_language``, ``unknown_placeholder`` …),
    ``where`` the dotted path inside the file (``name.ro``, ``documents[2]``).
    """

    def __init__(self, file: Path, where: str, code: str, detail: str = "") -> None:
        self.file = file
        self.where = where
        self.code = code
        self.detail = detail
        text = f"{file.name}: {where or '(top)'}: {code}"
        super().__init__(f"{text} ({detail})" if detail else text)


def read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ResourceError(path, "", "not_utf8", str(exc)) from exc
    return parse_yaml(path, text)


def parse_yaml(path: Path, text: str) -> Any:
    """YAML already read (``path`` only names it in errors)."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ResourceError(path, "", "invalid_yaml", str(exc).replace("\n", " ")) from exc


def mapping(path: Path, value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ResourceError(path, where, "not_a_mapping", type(value).__name__)
    return value


def text(path: Path, value: Any, where: str, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)  # postcodes and phone numbers written without quotes
    if not isinstance(value, str):
        raise ResourceError(path, where, "not_text", type(value).__name__)
    value = value.strip()
    if required and not value:
        raise ResourceError(path, where, "empty")
    return value


def text_list(path: Path, value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ResourceError(path, where, "not_a_list", type(value).__name__)
    return tuple(text(path, item, f"{where}[{i}]") for i, item in enumerate(value))


def localized(path: Path, value: Any, where: str, *, required: bool = True) -> LocalizedText:
    """A ``{de:, bg:, ro:, en:, …}`` map: the languages every laptop has (``REQUIRED``) must be
    there, and each one there non-empty. Languages beyond them (one a newer version added, in
    a directory its laptop published) are kept; a key that is no language code is refused."""
    if value is None and not required:
        return LocalizedText()
    texts = mapping(path, value, where)
    for lang in REQUIRED:
        if lang not in texts:
            raise ResourceError(path, f"{where}.{lang}", "missing_language")
    unknown = sorted(str(key) for key in texts if not CODE.match(str(key)))
    if unknown:
        raise ResourceError(path, where, "unknown_language", ", ".join(unknown))
    ordered = [*LANGUAGES, *sorted(set(map(str, texts)) - set(LANGUAGES))]
    return LocalizedText(
        {lang: text(path, texts[lang], f"{where}.{lang}") for lang in ordered if lang in texts}
    )


def no_unknown_keys(path: Path, data: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(map(str, data)) - allowed)
    if unknown:
        prefix = f"{where}." if where else ""
        raise ResourceError(path, f"{prefix}{unknown[0]}", "unknown_key")
