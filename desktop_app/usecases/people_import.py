"""Importing existing client lists (CSV or XLSX) into the store: mapping, dry run, bulk insert.

The import runs in one transaction: either every accepted row is stored (with its search
tokens and outbox entry) or none is. Column mappings are saved in the encrypted store's meta
table; they hold column names only, never personal data.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Literal

from babel import Locale
from sqlalchemy import insert, select
from sqlalchemy.orm import Session as DbSession

from desktop_app.domain.permissions import Action, require
from desktop_app.domain.person import PERSON_FIELDS, Person, PersonDraft, validate_person
from desktop_app.domain.users import User
from desktop_app.domain.validation import FieldError, ValidationFailed
from desktop_app.i18n import languages
from desktop_app.i18n.messages import field_message
from desktop_app.i18n.text import N_, Nn_, PluralMessage, _, format_message
from desktop_app.paths import resource
from desktop_app.storage.db import Store
from desktop_app.storage.models import MetaRow, OutboxRow, PersonRow, table
from desktop_app.storage.people_repo import (
    NamesByBirth,
    PeopleRepository,
    PersonListEntry,
    phone_key,
)
from desktop_app.usecases import audit

#: Fields a column can be mapped to. ``full_name`` is split into given and family name when
#: those are not mapped themselves ("Family, Given" or "Given … Family").
IMPORT_FIELDS: tuple[str, ...] = (*PERSON_FIELDS[:2], "full_name", *PERSON_FIELDS[2:])

ColumnMapping = dict[str, str]  # field -> column header
DuplicatePolicy = Literal["refuse", "skip", "import"]
ProgressCallback = Callable[[int, int], None]

MAPPINGS_META_KEY = "import_mappings"
MAX_ROWS = 100_000
_CHUNK = 500


class ImportFileError(Exception):
    """The file cannot be read as a table; ``code`` is a stable message key."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


class DuplicatesInImport(Exception):
    """The policy is "refuse" and some rows look like people already known; nothing stored."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"{len(report.duplicates)} likely duplicates")
        self.report = report


# --- reading files ------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportTable:
    """A spreadsheet as text cells: unique header names and data rows (line numbers from 2)."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    #: "utf-8", "utf-16", "cp1252" or "xlsx"
    encoding: str = ""
    delimiter: str = ""

    def record(self, index: int) -> dict[str, str]:
        row = self.rows[index]
        return {h: (row[i] if i < len(row) else "") for i, h in enumerate(self.headers)}

    @staticmethod
    def line_number(index: int) -> int:
        """The spreadsheet line of data row ``index`` (line 1 holds the headers)."""
        return index + 2


def _unique_headers(raw: Sequence[str]) -> tuple[str, ...]:
    seen: dict[str, int] = {}
    headers: list[str] = []
    for n, text in enumerate(raw, start=1):
        name = " ".join(text.split()) or f"#{n}"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        headers.append(name)
    return tuple(headers)


def _table(grid: Iterable[Sequence[str]], encoding: str, delimiter: str = "") -> ImportTable:
    rows = [tuple(c.strip() for c in row) for row in grid]
    rows = [r for r in rows if any(r)]  # blank lines between blocks are common in exports
    if not rows:
        raise ImportFileError("import_empty")
    if len(rows) - 1 > MAX_ROWS:
        raise ImportFileError("import_too_many_rows", str(MAX_ROWS))
    headers = _unique_headers(rows[0])
    width = len(headers)
    body = tuple(r[:width] + ("",) * (width - len(r)) for r in rows[1:])
    return ImportTable(headers, body, encoding, delimiter)


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" export: UTF-16 with a byte order mark, tab-separated.
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise ImportFileError("import_unreadable", str(exc)) from exc
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        # Excel on German Windows saves "CSV" in Windows-1252; it decodes any byte sequence
        # except five unused codes, which we map through rather than refuse the file.
        return data.decode("cp1252", errors="replace"), "cp1252"


def _sniff_delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t|").delimiter
    except csv.Error:
        first = sample.split("\n", 1)[0]
        return max(";,\t|", key=first.count) if first else ";"


def read_csv(path: Path) -> ImportTable:
    data = path.read_bytes()
    text, encoding = _decode(data)
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _table(reader, encoding, delimiter)
    except csv.Error as exc:
        raise ImportFileError("import_unreadable", str(exc)) from exc


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(path: Path) -> ImportTable:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError("import_unreadable", str(exc)) from exc
    try:
        sheet = workbook.worksheets[0]
        grid = ([_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True))
        return _table(grid, "xlsx")
    finally:
        workbook.close()


def read_table(path: Path) -> ImportTable:
    """Read a CSV (any delimiter; UTF-8 with or without BOM, or Windows-1252) or XLSX file."""
    if not path.is_file():
        raise ImportFileError("import_no_file", str(path))
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        return read_xlsx(path)
    if path.suffix.lower() == ".xls":
        raise ImportFileError("import_old_excel")
    return read_csv(path)


# --- column mapping -----------------------------------------------------------------------


def _plain(text: str) -> str:
    """Case- and accent-free form for comparing header names and country names."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", kept).split())


IMPORT_WORDS_FILE = ("nationalities", "import_words.yaml")


@dataclass(frozen=True)
class ImportWords:
    """The words of ``resources/nationalities/import_words.yaml``, each matched plain
    (``_plain``) to what it stands for: a header to its field, a sex to its code, a nationality
    to its country's code, a language to its ISO 639 code."""

    headers: dict[str, str]
    sex: dict[str, str]
    nationalities: dict[str, str]
    languages: dict[str, str]


def import_words(path: Path | None = None) -> ImportWords:
    """The words the people import recognises a column, a sex, a nationality and a language by,
    in each language the file has (the first version's four are required). Checked on load: a
    part missing, an entry without words in a required language or with a key that is not a
    language code is an error that names the file and the entry."""
    import yaml

    path = path or resource(*IMPORT_WORDS_FILE)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    parts = ("headers", "sex", "nationalities", "languages")
    if not isinstance(data, dict) or not all(isinstance(data.get(p), dict) for p in parts):
        raise ValueError(f"{path}: the mappings {', '.join(parts)} are expected")
    allowed: dict[str, set[str] | None] = {
        "headers": set(IMPORT_FIELDS),
        "sex": {"female", "male", "diverse", "not_stated"},
        "nationalities": None,
        "languages": None,
    }
    indexes: list[dict[str, str]] = []
    for part in parts:
        index: dict[str, str] = {}
        for target, by_lang in data[part].items():
            target = str(target)
            known = allowed[part]
            if known is not None and target not in known:
                raise ValueError(f"{path}: {part}.{target}: not one of {', '.join(sorted(known))}")
            for words in _words_by_language(path, f"{part}.{target}", by_lang).values():
                for word in words:
                    index[_plain(word)] = target
        indexes.append(index)
    return ImportWords(*indexes)


def _words_by_language(path: Path, where: str, by_lang: object) -> dict[str, list[str]]:
    """An entry's words by language: every one of ``languages.CORE``, then any other the file
    gives under a well-formed language code (a language added by a translator)."""
    if not isinstance(by_lang, dict) or not set(languages.CORE) <= set(by_lang):
        raise ValueError(f"{path}: {where}: words in {', '.join(languages.CORE)}")
    added = sorted(map(str, set(by_lang) - set(languages.CORE)))
    if not all(languages.CODE.match(lang) for lang in added):
        raise ValueError(f"{path}: {where}: {', '.join(added)}: not language codes")
    table: dict[str, list[str]] = {}
    for lang in (*languages.CORE, *added):
        said = by_lang[lang]
        if (
            not isinstance(said, list)
            or not said
            or not all(isinstance(w, str) and w.strip() for w in said)
        ):
            raise ValueError(f"{path}: {where}.{lang}: a list of words is expected")
        table[lang] = said
    return table


@cache
def _words() -> ImportWords:
    return import_words()


def guess_mapping(headers: Sequence[str]) -> ColumnMapping:
    """Map fields to columns by their header names (in the languages of
    ``import_words.yaml``); each column used once."""
    mapping: ColumnMapping = {}
    for header in headers:
        found = _words().headers.get(_plain(header))
        if found and found not in mapping:
            mapping[found] = header
    if "given_name" in mapping and "family_name" in mapping:
        mapping.pop("full_name", None)
    return mapping


def check_mapping(mapping: Mapping[str, str], headers: Sequence[str]) -> list[FieldError]:
    """Problems of a mapping itself: unknown fields or columns, and no way to get a name."""
    errors = [FieldError(f, "import_unknown_field") for f in mapping if f not in IMPORT_FIELDS]
    errors += [
        FieldError(f, "import_unknown_column", {"column": c})
        for f, c in mapping.items()
        if c and c not in headers
    ]
    names = {f for f, c in mapping.items() if c}
    if "full_name" not in names and not {"given_name", "family_name"} <= names:
        errors.append(FieldError("family_name", "import_no_name_column"))
    return errors


def saved_mappings(store: Store) -> dict[str, ColumnMapping]:
    raw = store.meta(MAPPINGS_META_KEY)
    if not raw:
        return {}
    data = json.loads(raw)
    return {str(k): {str(f): str(c) for f, c in v.items()} for k, v in data.items()}


def save_mapping(store: Store, name: str, mapping: Mapping[str, str]) -> None:
    """Keep a mapping under a name (replacing one of the same name) for the next import."""
    name = " ".join(name.split())
    if not name or len(name) > 80:
        raise ValidationFailed(
            [
                FieldError(
                    "mapping_name",
                    "required" if not name else "too_long",
                    {} if not name else {"max": 80},
                )
            ]
        )
    with store.transaction() as session:
        row = session.get(MetaRow, MAPPINGS_META_KEY)
        data = json.loads(row.value) if row else {}
        data[name] = {f: c for f, c in mapping.items() if c}
        value = json.dumps(data, ensure_ascii=False, sort_keys=True)
        if row is None:
            session.add(MetaRow(key=MAPPINGS_META_KEY, value=value))
        else:
            row.value = value


def delete_mapping(store: Store, name: str) -> None:
    with store.transaction() as session:
        row = session.get(MetaRow, MAPPINGS_META_KEY)
        if row is None:
            return
        data = json.loads(row.value)
        data.pop(name, None)
        row.value = json.dumps(data, ensure_ascii=False, sort_keys=True)


# --- converting cells ---------------------------------------------------------------------

_DATE_PATTERNS = (
    (re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$"), "dmy"),
    (re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$"), "dmy"),
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+)?$"), "ymd"),
    (re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"), "ymd"),
    (re.compile(r"^(\d{1,2})[./](\d{4})$"), "my"),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), "ym"),
    (re.compile(r"^(\d{4})$"), "y"),
)
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def normalise_date(text: str) -> str:
    """A date of birth as found in spreadsheets, in the form ``PartialDate.parse`` reads.

    Reads DD.MM.YYYY (also with / or -), ISO dates, MM.YYYY, a bare year and Excel serial day
    numbers; anything else is returned unchanged so that validation names the problem.
    """
    text = text.strip()
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        serial = int(float(text))
        if 1 <= serial <= 80_000:
            return (_EXCEL_EPOCH + dt.timedelta(days=serial)).isoformat()
    for pattern, order in _DATE_PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        parts = [int(p) for p in m.groups()]
        if order == "dmy":
            return f"{parts[2]:04d}-{parts[1]:02d}-{parts[0]:02d}"
        if order == "ymd":
            return f"{parts[0]:04d}-{parts[1]:02d}-{parts[2]:02d}"
        if order == "my":
            return f"{parts[1]:04d}-{parts[0]:02d}"
        if order == "ym":
            return f"{parts[0]:04d}-{parts[1]:02d}"
        return f"{parts[0]:04d}"
    return text


def _sex_code(text: str) -> str:
    """The stored code of a sex as a column gives it (a word or the code itself), else ""."""
    plain = _plain(text)
    sexes = _words().sex
    return sexes.get(plain) or (plain if plain in sexes.values() else "")


# Countries by their ISO 3166 alpha-3 codes, as some lists write them.
_ALPHA3 = {"bgr": "BG", "rou": "RO", "deu": "DE", "tur": "TR"}


EU_ADJECTIVES_FILE = ("nationalities", "eu_adjectives.yaml")


def eu_adjectives(path: Path | None = None) -> dict[str, tuple[str, ...]]:
    """The EU member states' nationalities as adjectives in the UI languages, by country code
    (``resources/nationalities/eu_adjectives.yaml``): CLDR names the countries only, and a
    check's "Which nationality?" is answered "polnisch", "poloneză", "полска", "Polish".
    Checked on load: a code not of a member state, or a language without words, is an
    error that names the file and the entry."""
    import yaml

    from desktop_app.domain.person import EU_COUNTRIES, NATIONALITY_OF_COUNTRY

    path = path or resource(*EU_ADJECTIVES_FILE)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a mapping of country codes is expected")
    members = EU_COUNTRIES | set(NATIONALITY_OF_COUNTRY)
    table: dict[str, tuple[str, ...]] = {}
    for code, by_lang in data.items():
        if code not in members:
            raise ValueError(f"{path}: {code!r} is not the code of an EU member state")
        words: list[str] = []
        for lang, said in _words_by_language(path, str(code), by_lang).items():
            words += said
            if lang == "de":  # "polnische Staatsangehörigkeit" is answered "polnische"
                words += [f"{w}e" for w in said]
        table[code] = tuple(words)
    return table


def _country_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for lang in reversed(languages.codes()):  # the first language's names win
        for code, name in Locale.parse(lang).territories.items():
            if len(code) == 2 and code.isalpha():
                index[_plain(name)] = code
    for code, words in eu_adjectives().items():
        for word in words:
            index.setdefault(_plain(word), code)  # a country's name is never overridden
    index.update(_words().nationalities)
    index.update(_ALPHA3)
    return index


def _language_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for lang in reversed(languages.codes()):  # the first language's names win
        for code, name in Locale.parse(lang).languages.items():
            if re.fullmatch(r"[a-z]{2,3}", code):
                index[_plain(name)] = code
    index.update(_words().languages)
    return index


_COUNTRIES: dict[str, str] | None = None
_LANGUAGES: dict[str, str] | None = None


def country_code(text: str) -> str | None:
    """ISO 3166 code of a country name or adjective (in the program's languages) or code; None
    if unknown."""
    global _COUNTRIES
    if _COUNTRIES is None:
        _COUNTRIES = _country_index()
    text = text.strip()
    if re.fullmatch(r"[A-Za-z]{2}", text):
        code = text.upper()
        return code if code in _COUNTRIES.values() else None
    return _COUNTRIES.get(_plain(text))


def language_code(text: str) -> str | None:
    global _LANGUAGES
    if _LANGUAGES is None:
        _LANGUAGES = _language_index()
    text = text.strip()
    known = _LANGUAGES.values()
    if re.fullmatch(r"[A-Za-z]{2,3}", text) and (text.lower() in known or text.lower() == "rmy"):
        return text.lower()
    return _LANGUAGES.get(_plain(text))


def split_full_name(text: str) -> tuple[str, str]:
    """(given, family) from "Family, Given" or "Given Middle Family"."""
    text = " ".join(text.split())
    if "," in text:
        family, given = (p.strip() for p in text.split(",", 1))
        return given, family
    if " " in text:
        given, family = text.rsplit(" ", 1)
        return given, family
    return "", text


@dataclass(frozen=True)
class ConvertedRow:
    draft: PersonDraft
    errors: tuple[FieldError, ...] = ()
    written_date: str = ""  # the date of birth as the file has it (a preview shows it so)


def convert_record(record: Mapping[str, str], mapping: Mapping[str, str]) -> ConvertedRow:
    """Turn one spreadsheet row into a draft, with the errors found while reading its cells."""

    def cell(name: str) -> str:
        column = mapping.get(name)
        return record.get(column, "").strip() if column else ""

    errors: list[FieldError] = []
    given, family = cell("given_name"), cell("family_name")
    if not given and not family and cell("full_name"):
        given, family = split_full_name(cell("full_name"))

    sex_text = cell("sex")
    sex = _sex_code(sex_text) if sex_text else ""
    if sex_text and not sex:
        errors.append(FieldError("sex", "not_an_option"))

    nationality_text = cell("nationality")
    nationality = country_code(nationality_text) if nationality_text else ""
    if nationality is None:
        errors.append(FieldError("nationality", "import_unknown_country",
                                 {"value": nationality_text}))  # fmt: skip
        nationality = ""

    languages: list[str] = []
    for word in re.split(r"[,;/+|\n]+| und | и | si | și | and ", cell("languages")):
        if not word.strip():
            continue
        code = language_code(word)
        if code is None:
            errors.append(FieldError("languages", "import_unknown_language",
                                     {"value": word.strip()}))  # fmt: skip
        else:
            languages.append(code)

    dob = cell("date_of_birth")
    draft = PersonDraft(
        given_name=given,
        family_name=family,
        date_of_birth=normalise_date(dob) if dob else "",
        sex=sex,
        nationality=nationality,
        languages=tuple(languages),
        phone=cell("phone"),
        notes=cell("notes"),
        id_document_name=cell("id_document_name"),
    )
    return ConvertedRow(draft, tuple(errors), dob)


def preview(table_: ImportTable, mapping: Mapping[str, str], rows: int = 10) -> list[ConvertedRow]:
    """The first rows as the import would read them."""
    return [convert_record(table_.record(i), mapping) for i in range(min(rows, len(table_.rows)))]


# --- dry run and import -------------------------------------------------------------------


@dataclass(frozen=True)
class RowVerdict:
    """Why a row would not be imported as it stands."""

    line: int
    name: str
    errors: tuple[FieldError, ...] = ()
    #: people already stored that this row likely is
    duplicate_of: tuple[PersonListEntry, ...] = ()
    #: an earlier line of the same file with the same person
    same_as_line: int | None = None

    @property
    def is_duplicate(self) -> bool:
        return bool(self.duplicate_of) or self.same_as_line is not None


@dataclass
class ImportReport:
    total: int = 0
    #: rows that would be (or were) stored
    accepted: int = 0
    #: rows with errors: never imported
    refused: list[RowVerdict] = field(default_factory=list)
    #: likely duplicates (of stored people or of an earlier line); handled by the policy
    duplicates: list[RowVerdict] = field(default_factory=list)
    stored: int = 0
    dry_run: bool = True


@dataclass
class _Plan:
    report: ImportReport
    #: valid people in file order, with whether each is a likely duplicate
    people: list[tuple[Person, bool]]


def _full_name(person: Person) -> str:
    return f"{person.given_name} {person.family_name}"


def _names(person: Person) -> list[str]:
    """The names a person is compared by: as registered, and as on the ID document (a row
    typed from the card, "Maria Gueorguieva", is "Мария Георгиева" whose card says so)."""
    return [name for name in (_full_name(person), person.id_document_name) if name]


def _stored_matches(
    session: DbSession, people: Sequence[Person]
) -> tuple[NamesByBirth[PersonListEntry], dict[str, list[PersonListEntry]]]:
    """Stored people who may be one of ``people``, found by batched lookups: those born the
    same day (their names compared as registration compares them, ``names_meet``), and by
    phone key those with the same phone number."""
    born: NamesByBirth[PersonListEntry] = NamesByBirth()
    dates = {p.date_of_birth.iso() for p in people if p.date_of_birth is not None}
    repo = PeopleRepository(session)
    born_then = repo.born_on(dates)
    id_names = repo.id_document_names([entry.id for entry in born_then])
    for entry in born_then:
        born.add(entry.date_of_birth, f"{entry.given_name} {entry.family_name}", entry)
        if entry.id in id_names:
            born.add(entry.date_of_birth, id_names[entry.id], entry)
    phones = sorted({k for p in people if (k := phone_key(p.phone))})
    columns = (
        PersonRow.id, PersonRow.family_name, PersonRow.given_name, PersonRow.date_of_birth,
        PersonRow.nationality, PersonRow.phone, PersonRow.phone_key,
    )  # fmt: skip
    by_phone: dict[str, list[PersonListEntry]] = {}
    for start in range(0, len(phones), _CHUNK):
        stmt = select(*columns).where(
            PersonRow.phone_key.in_(phones[start : start + _CHUNK]), PersonRow.deleted.is_(False)
        )
        for row in session.execute(stmt):
            by_phone.setdefault(row[6], []).append(PersonListEntry(*row[:6]))
    return born, by_phone


def _plan(
    session: DbSession,
    table_: ImportTable,
    mapping: Mapping[str, str],
    today: dt.date,
    progress: ProgressCallback | None,
) -> _Plan:
    mapping_errors = check_mapping(mapping, table_.headers)
    if mapping_errors:
        raise ValidationFailed(mapping_errors)
    report = ImportReport(total=len(table_.rows))
    valid: list[tuple[int, Person]] = []
    for index in range(len(table_.rows)):
        converted = convert_record(table_.record(index), mapping)
        line = table_.line_number(index)
        errors = list(converted.errors)
        person: Person | None = None
        try:
            person = validate_person(converted.draft, today)
        except ValidationFailed as exc:
            errors.extend(exc.errors)
        name = " ".join(p for p in (converted.draft.given_name, converted.draft.family_name) if p)
        if errors or person is None:
            # Reading errors come first; a field reported twice keeps its first reason.
            unique = list({e.field: e for e in reversed(errors)}.values())[::-1]
            report.refused.append(RowVerdict(line, name, tuple(unique)))
        else:
            valid.append((line, person))
        if progress and index % _CHUNK == 0:
            progress(index, report.total * 2)

    born, by_phone = _stored_matches(session, [p for _, p in valid])
    # Earlier lines of the file, compared the same way.
    earlier_born: NamesByBirth[int] = NamesByBirth()
    earlier_phone: dict[str, int] = {}
    accepted: list[tuple[Person, bool]] = []
    for line, person in valid:
        name, phone = _full_name(person), phone_key(person.phone)
        matches: dict[str, PersonListEntry] = {}
        earlier: list[int] = []
        if person.date_of_birth is not None:
            iso, names = person.date_of_birth.iso(), _names(person)
            met: set[int] = set()
            for each in names:
                matches.update((e.id, e) for e in born.meeting(iso, each))
                met.update(earlier_born.meeting(iso, each))
            earlier += sorted(met)[:1]
            for each in names:
                earlier_born.add(iso, each, line)
        if phone:
            for entry in by_phone.get(phone, ()):
                matches.setdefault(entry.id, entry)
            if phone in earlier_phone:
                earlier.append(earlier_phone[phone])
            earlier_phone.setdefault(phone, line)
        first = earlier[0] if earlier else None
        if matches or first is not None:
            report.duplicates.append(
                RowVerdict(line, name, duplicate_of=tuple(matches.values()), same_as_line=first)
            )
        accepted.append((person, bool(matches) or first is not None))
    return _Plan(report, accepted)


def dry_run(
    store: Store,
    table_: ImportTable,
    mapping: Mapping[str, str],
    *,
    policy: DuplicatePolicy = "skip",
    today: dt.date | None = None,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """What an import would do: every refused row and why, every likely duplicate. No writes."""
    with store.reading() as session:
        plan = _plan(session, table_, mapping, today or dt.date.today(), progress)
    report = plan.report
    report.accepted = len(plan.people) - (len(report.duplicates) if policy != "import" else 0)
    return report


def import_people(
    store: Store,
    user: User,
    table_: ImportTable,
    mapping: Mapping[str, str],
    *,
    policy: DuplicatePolicy = "refuse",
    today: dt.date | None = None,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Store every acceptable row in ONE transaction; rows with errors are left out.

    ``policy`` decides about likely duplicates: "refuse" stores nothing and raises
    ``DuplicatesInImport`` when there are any, "skip" leaves them out, "import" stores them
    as well. ``progress(done, total)`` is called between chunks; an exception raised by it
    (e.g. the user cancelled) rolls the whole import back.
    """
    require(user, Action.REGISTER_PERSON)
    today = today or dt.date.today()
    with store.transaction() as session:
        plan = _plan(session, table_, mapping, today, progress)
        report = plan.report
        report.dry_run = False
        if report.duplicates and policy == "refuse":
            raise DuplicatesInImport(report)
        people = [p for p, duplicate in plan.people if policy == "import" or not duplicate]
        repo = PeopleRepository(session)
        conn = session.connection()
        for start in range(0, len(people), _CHUNK):
            chunk = [_stamp(store, p, user.id) for p in people[start : start + _CHUNK]]
            repo.add_many(chunk)
            conn.execute(
                insert(table(OutboxRow)),
                [
                    {"record_kind": "person", "record_id": p.id, "revision": 1,
                     "hlc": p.updated_hlc}
                    for p in chunk
                ],
            )  # fmt: skip
            if progress:
                done = (start + len(chunk)) * report.total // max(len(people), 1)
                progress(report.total + done, report.total * 2)
        report.accepted = report.stored = len(people)
        audit.record_in(
            session,
            store,
            user.id,
            audit.AuditAction.CREATE,
            "person_import",
            str(uuid.uuid4()),
            {"people": len(people)},
        )
    return report


def _stamp(store: Store, person: Person, author_id: str) -> Person:
    return replace(
        person,
        id=str(uuid.uuid4()),
        revision=1,
        updated_hlc=str(store.clock.now()),
        device_id=store.device_id,
        author_id=author_id,
        field_clocks={},
    )


# --- messages -----------------------------------------------------------------------------

_MESSAGES: dict[str, str | PluralMessage] = {
    "import_unknown_country": N_("Unknown country: “{value}”."),
    "import_unknown_language": N_("Unknown language: “{value}”."),
    "import_unknown_field": N_("This is not a field of a person."),
    "import_unknown_column": N_("The file has no column “{column}”."),
    "import_no_name_column": N_(
        "Please choose a column for the family and given name, or one for the full name."
    ),
    "import_empty": N_("The file holds no table."),
    "import_too_many_rows": Nn_(
        "The file has more than {max} row; please split it.",
        "The file has more than {max} rows; please split it.",
        "max",
    ),
    "import_unreadable": N_("The file cannot be read as a table (CSV or XLSX)."),
    "import_no_file": N_("The file does not exist."),
    "import_old_excel": N_(
        "Old Excel files (.xls) cannot be read. Please save the file as .xlsx or CSV."
    ),
}


def describe(error: FieldError) -> str:
    """The error as a sentence in the UI language."""
    template = _MESSAGES.get(error.code)
    if template is None:
        return field_message(error)
    return format_message(template, error.params)


def file_error_message(exc: ImportFileError) -> str:
    params = {"max": MAX_ROWS} if exc.code == "import_too_many_rows" else {}
    return format_message(_MESSAGES.get(exc.code, exc.code), params)


FIELD_LABELS = {
    "given_name": N_("Given name"),
    "family_name": N_("Family name"),
    "full_name": N_("Full name (split into given and family name)"),
    "date_of_birth": N_("Date of birth"),
    "sex": N_("Sex"),
    "nationality": N_("Nationality"),
    "languages": N_("Languages"),
    "phone": N_("Phone"),
    "notes": N_("Notes"),
    "id_document_name": N_("Name as on the ID document"),
    "mapping_name": N_("Name of the mapping"),
}


def field_label(name: str) -> str:
    return _(FIELD_LABELS.get(name, name))
