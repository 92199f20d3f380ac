"""Importing client lists: real CSV and XLSX files, dry run reasons, one all-or-nothing write."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import func, select

from desktop_app.domain.person import PersonDraft, validate_person
from desktop_app.domain.validation import ValidationFailed
from desktop_app.storage.models import MetaRow, OutboxRow, PersonRow
from desktop_app.usecases import people, people_import
from desktop_app.usecases.people_import import (
    DuplicatesInImport,
    ImportFileError,
    check_mapping,
    describe,
    dry_run,
    guess_mapping,
    import_people,
    read_table,
)

TODAY = dt.date(2026, 11, 25)
ROOT = Path(__file__).resolve().parents[2]

GERMAN_CSV = (
    "Nachname;Vorname;Geburtsdatum;Geschlecht;Staatsangehörigkeit;Sprachen;Telefon;Bemerkung\n"
    "Петров;Иван;14.03.1985;м;България;български, турски;0170 1234567;\n"
    "Țăranu;Ștefan;1979;m;Rumänien;ro;;kommt dienstags\n"
    ";Niemand;32.01.1990;x;Atlantis;bg;abc;\n"
    "Petrov;Ivan;1985-03-14;m;BG;bg;;\n"
    "Müller;Jürgen;2099;w;Deutschland;deutsch;;\n"
)


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def count(session, model) -> int:
    with session.store.reading() as db:
        return int(db.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_reads_utf8_csv_with_and_without_bom(tmp_path: Path, encoding: str) -> None:
    table = read_table(write_csv(tmp_path / "list.csv", GERMAN_CSV, encoding))
    assert table.headers[0] == "Nachname"  # a BOM never sticks to the first header
    assert table.delimiter == ";"
    assert table.encoding == "utf-8"
    assert table.rows[0][:2] == ("Петров", "Иван")
    assert table.rows[1][:2] == ("Țăranu", "Ștefan")
    assert len(table.rows) == 5


def test_reads_windows_1252_csv_with_commas(tmp_path: Path) -> None:
    text = 'Name,Vorname,Geb.-Datum\n"Müller, geb. Weiß",Jürgen,01.02.1970\nBăsescu,Ana,1980\n'
    # cp1252 has no ă: Excel would write "?"; we only need the German letters to survive.
    path = write_csv(tmp_path / "excel.csv", text.replace("ă", "a"), "cp1252")
    table = read_table(path)
    assert table.encoding == "cp1252"
    assert table.delimiter == ","
    assert table.rows[0] == ("Müller, geb. Weiß", "Jürgen", "01.02.1970")


def test_reads_excel_unicode_text_export(tmp_path: Path) -> None:
    text = "Nume\tPrenume\tTelefon\r\nȘerban\tIoana\t0176 5550101\r\n"
    path = tmp_path / "export.txt"
    path.write_bytes(text.encode("utf-16"))  # with byte order mark, as Excel writes it
    table = read_table(path)
    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert table.rows == (("Șerban", "Ioana", "0176 5550101"),)


def test_reads_tab_separated_and_skips_blank_lines(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "t.csv", "Фамилия\tИме\n\nИванова\tМария\n\t\nПопов\tГеорги\n")
    table = read_table(path)
    assert table.delimiter == "\t"
    assert table.rows == (("Иванова", "Мария"), ("Попов", "Георги"))
    assert table.line_number(1) == 3  # data lines are counted as the spreadsheet shows them


def test_reads_xlsx_with_dates_and_numbers(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Nume", "Prenume", "Data nașterii", "Telefon", "Cetățenie"])
    sheet.append(["Țăranu", "Ștefan", dt.datetime(1979, 5, 2), 491701234567, "România"])
    sheet.append(["Ionescu", "Maria", 1990, None, "RO"])
    path = tmp_path / "list.xlsx"
    book.save(path)
    table = read_table(path)
    assert table.encoding == "xlsx"
    assert table.rows[0] == ("Țăranu", "Ștefan", "1979-05-02", "491701234567", "România")
    assert table.rows[1] == ("Ionescu", "Maria", "1990", "", "RO")
    mapping = guess_mapping(table.headers)
    assert mapping == {
        "family_name": "Nume",
        "given_name": "Prenume",
        "date_of_birth": "Data nașterii",
        "phone": "Telefon",
        "nationality": "Cetățenie",
    }
    draft = people_import.convert_record(table.record(0), mapping).draft
    assert (draft.date_of_birth, draft.nationality) == ("1979-05-02", "RO")


def test_unreadable_files_are_refused_with_a_code(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError) as missing:
        read_table(tmp_path / "nope.csv")
    assert missing.value.code == "import_no_file"
    (tmp_path / "fake.xlsx").write_bytes(b"not a zip file")
    with pytest.raises(ImportFileError) as fake:
        read_table(tmp_path / "fake.xlsx")
    assert fake.value.code == "import_unreadable"
    (tmp_path / "empty.csv").write_bytes(b"\n\n")
    with pytest.raises(ImportFileError) as empty:
        read_table(tmp_path / "empty.csv")
    assert empty.value.code == "import_empty"
    assert "table" in people_import.file_error_message(empty.value)


def test_guesses_bulgarian_and_english_headers() -> None:
    assert guess_mapping(["Име", "Фамилия", "Дата на раждане", "Пол", "Телефон", "Бележки"]) == {
        "given_name": "Име",
        "family_name": "Фамилия",
        "date_of_birth": "Дата на раждане",
        "sex": "Пол",
        "phone": "Телефон",
        "notes": "Бележки",
    }
    assert guess_mapping(["Full name", "DOB", "Mobile", "Languages"]) == {
        "full_name": "Full name",
        "date_of_birth": "DOB",
        "phone": "Mobile",
        "languages": "Languages",
    }


def test_the_import_words_are_data_by_language_checked_on_load(tmp_path: Path) -> None:
    """A language added by a translator brings its header and sex words in the file, with no
    change to the code; a file without a required language's words, with a key that is no
    language code or naming a field the import has not, is refused, naming the entry."""
    words = people_import.import_words()
    assert words.headers[people_import._plain("Geb.-Datum")] == "date_of_birth"
    assert (words.sex["жена"], words.sex["barbat"], words.nationalities["romana"]) == (
        "female",
        "male",
        "RO",
    )
    shipped = (Path(people_import.resource(*people_import.IMPORT_WORDS_FILE))).read_text("utf-8")
    turkish = tmp_path / "words.yaml"
    turkish.write_text(
        shipped.replace(
            "    en: [given name,", "    tr: [ad, adı]\n    en: [given name,", 1
        ).replace("    en: [f, female,", "    tr: [kadın, k]\n    en: [f, female,", 1),
        encoding="utf-8",
    )
    added = people_import.import_words(turkish)
    plain = people_import._plain
    assert (added.headers[plain("Adı")], added.sex[plain("Kadın")]) == ("given_name", "female")
    assert plain("Adı") not in words.headers

    def refused(text: str) -> str:
        wrong = tmp_path / "wrong.yaml"
        wrong.write_text(text, encoding="utf-8")
        with pytest.raises(ValueError) as raised:
            people_import.import_words(wrong)
        return str(raised.value)

    parts = "sex: {}\nnationalities: {}\nlanguages: {}\n"
    assert "headers.phone: words in de, bg, ro, en" in refused(
        "headers:\n  phone: {de: [Handy], bg: [тел], ro: [telefon]}\n" + parts
    )
    assert "headers.phone: Tel: not language codes" in refused(
        "headers:\n  phone: {de: [a], bg: [b], ro: [c], en: [d], Tel: [e]}\n" + parts
    )
    assert "headers.shoe_size: not one of" in refused(
        "headers:\n  shoe_size: {de: [a], bg: [b], ro: [c], en: [d]}\n" + parts
    )
    assert "headers.phone.bg: a list of words" in refused(
        "headers:\n  phone: {de: [a], bg: [], ro: [c], en: [d]}\n" + parts
    )
    assert "the mappings headers, sex, nationalities, languages" in refused("headers: {}\n")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14.03.1985", "1985-03-14"),
        ("4.3.1985", "1985-03-04"),
        ("14/03/1985", "1985-03-14"),
        ("1985-03-14", "1985-03-14"),
        ("1985-03-14 00:00:00", "1985-03-14"),
        ("03.1985", "1985-03"),
        ("1985", "1985"),
        ("31120", "1985-03-14"),  # an Excel day number that lost its date format
        ("soon", "soon"),
    ],
)
def test_normalises_dates(text: str, expected: str) -> None:
    assert people_import.normalise_date(text) == expected


def test_full_name_is_split_and_names_become_codes() -> None:
    mapping = {"full_name": "Name", "nationality": "Land", "languages": "Spr", "sex": "G"}
    row = people_import.convert_record(
        {"Name": "Popescu, Ana Maria", "Land": "румъния", "Spr": "Romanes / Română", "G": "F"},
        mapping,
    )
    assert row.errors == ()
    assert (row.draft.given_name, row.draft.family_name) == ("Ana Maria", "Popescu")
    assert row.draft.nationality == "RO"
    assert row.draft.languages == ("rom", "ro")
    assert row.draft.sex == "female"
    other = people_import.convert_record({"Name": "Ivan Georgiev Petrov"}, mapping)
    assert (other.draft.given_name, other.draft.family_name) == ("Ivan Georgiev", "Petrov")


def test_mapping_needs_a_name_and_known_columns() -> None:
    errors = check_mapping({"given_name": "Vorname", "phone": "Handy"}, ["Vorname", "Tel"])
    assert {e.code for e in errors} == {"import_unknown_column", "import_no_name_column"}
    assert check_mapping({"full_name": "Name"}, ["Name"]) == []


def test_dry_run_reports_every_refused_row_and_why(session, tmp_path: Path) -> None:
    table = read_table(write_csv(tmp_path / "list.csv", GERMAN_CSV))
    mapping = guess_mapping(table.headers)
    report = dry_run(session.store, table, mapping, today=TODAY)
    assert report.total == 5
    refused = {v.line: {e.field: e.code for e in v.errors} for v in report.refused}
    assert set(refused) == {4, 6}
    assert refused[4] == {
        "nationality": "import_unknown_country",
        "family_name": "required",
        "date_of_birth": "date_impossible",
        "phone": "phone_characters",
    }
    assert refused[6] == {"date_of_birth": "date_in_future"}
    # "Ivan Petrov" on line 5 is "Иван Петров" of line 2 written in Latin letters.
    assert [(v.line, v.same_as_line) for v in report.duplicates] == [(5, 2)]
    assert report.accepted == 2
    messages = [describe(e) for v in report.refused for e in v.errors]
    assert "Unknown country: “Atlantis”." in messages
    assert "This date lies in the future." in messages
    assert count(session, PersonRow) == 0  # a dry run writes nothing


def test_import_is_one_transaction_with_tokens_and_outbox(session, tmp_path: Path) -> None:
    table = read_table(write_csv(tmp_path / "list.csv", GERMAN_CSV))
    mapping = guess_mapping(table.headers)
    with pytest.raises(DuplicatesInImport) as refused:
        import_people(session.store, session.user, table, mapping, today=TODAY)
    assert [v.line for v in refused.value.report.duplicates] == [5]
    assert count(session, PersonRow) == 0

    seen: list[tuple[int, int]] = []
    report = import_people(
        session.store,
        session.user,
        table,
        mapping,
        policy="skip",
        today=TODAY,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert report.stored == 2
    assert seen[-1] == (10, 10)
    assert count(session, PersonRow) == 2
    with session.store.reading() as db:
        kinds = [r.record_kind for r in db.query(OutboxRow)]
    assert kinds.count("person") == 2  # and the import's audit entry travels as well
    found = people.search_people(session.store, "petrov")  # Cyrillic name found in Latin
    assert [(e.family_name, e.given_name) for e in found] == [("Петров", "Иван")]
    stored = people.get_person(session.store, session.user, found[0].id)
    assert stored is not None
    assert stored.languages == ("bg", "tr")
    assert stored.author_id == session.user.id

    # Importing the same file again finds every accepted row as a stored person.
    again = dry_run(session.store, table, mapping, today=TODAY)
    assert sorted(v.line for v in again.duplicates if v.duplicate_of) == [2, 3, 5]


def test_failure_midway_leaves_zero_new_rows(session, tmp_path: Path) -> None:
    lines = ["Vorname;Nachname;Geburtsdatum"]
    lines += [f"Ana{n};Pop{n};{1 + n % 28:02d}.05.1980" for n in range(1600)]
    table = read_table(write_csv(tmp_path / "big.csv", "\n".join(lines)))
    mapping = guess_mapping(table.headers)
    people.register_many(
        session.store,
        session.user,
        [PersonDraft(given_name="Ion", family_name="Ionescu")],
    )

    class Cancelled(Exception):
        pass

    def cancel_in_second_write_chunk(done: int, total: int) -> None:
        if done > 1600 + 500:  # after the first chunk of 500 people went into the database
            raise Cancelled

    with pytest.raises(Cancelled):
        import_people(
            session.store,
            session.user,
            table,
            mapping,
            policy="skip",
            today=TODAY,
            progress=cancel_in_second_write_chunk,
        )
    assert count(session, PersonRow) == 1
    with session.store.reading() as db:
        assert [r.record_kind for r in db.query(OutboxRow)].count("person") == 1
    assert people.search_people(session.store, "ana1") == []
    report = import_people(session.store, session.user, table, mapping, today=TODAY)
    assert report.stored == 1600
    assert people.count_people(session.store) == 1601


def test_saved_mappings_live_in_the_store(session) -> None:
    assert people_import.saved_mappings(session.store) == {}
    people_import.save_mapping(session.store, "Caritas list", {"full_name": "Name", "phone": ""})
    people_import.save_mapping(session.store, "AWO", {"given_name": "Vorname"})
    assert people_import.saved_mappings(session.store) == {
        "AWO": {"given_name": "Vorname"},
        "Caritas list": {"full_name": "Name"},
    }
    with session.store.reading() as db:
        assert db.get(MetaRow, people_import.MAPPINGS_META_KEY) is not None
    people_import.delete_mapping(session.store, "AWO")
    assert list(people_import.saved_mappings(session.store)) == ["Caritas list"]
    with pytest.raises(ValidationFailed):
        people_import.save_mapping(session.store, "  ", {"full_name": "Name"})


def run_cli(*args: str, password: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WELCOME_DESK_FAST_KDF": "1"}
    return subprocess.run(
        [sys.executable, "-m", "desktop_app.app", *args, "--lang", "en"],
        input=password + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )


def test_cli_import_dry_run_mapping_and_duplicates(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    pw = "a good password"
    assert run_cli("init", "--data-dir", data, "--account", "anna", "--password-stdin",
                   password=pw).returncode == 0  # fmt: skip
    csv_path = write_csv(
        tmp_path / "list.csv",
        'Klient,Geb.,Handy\n"Petrov, Ivan",14.03.1985,0170 1234567\nMaria Pop,1990,\n'
        "Bad,31.02.2000,\n",
    )
    common = ("people", "import", str(csv_path), "--data-dir", data, "--password-stdin")
    dry = run_cli(*common, "--dry-run", "--map", "full_name=Klient", "--map",
                  "date_of_birth=Geb.", "--save-mapping", "klienten", password=pw)  # fmt: skip
    assert dry.returncode == 0, dry.stderr
    assert "Rows: 3 · to import: 2 · refused: 1 · likely duplicates: 0" in dry.stdout
    assert "Line 4 (Bad) refused:" in dry.stderr
    assert "This date does not exist." in dry.stderr

    done = run_cli(*common, "--mapping", "klienten", password=pw)
    assert done.returncode == 0, done.stderr
    assert "imported: 2" in done.stdout
    again = run_cli(*common, "--mapping", "klienten", password=pw)
    assert again.returncode == 1
    assert "Nothing was imported" in again.stderr
    assert "Line 2 (Ivan Petrov) is likely already stored" in again.stderr
    skipped = run_cli(*common, "--mapping", "klienten", "--skip-duplicates", password=pw)
    assert skipped.returncode == 0
    assert "imported: 0 · refused: 1 · likely duplicates: 2" in skipped.stdout
    forced = run_cli(*common, "--mapping", "klienten", "--force", password=pw)
    assert forced.returncode == 0
    assert "imported: 2 · refused: 1 · likely duplicates: 2" in forced.stdout
    found = run_cli("people", "search", "petrov", "--data-dir", data, "--password-stdin",
                    password=pw)  # fmt: skip
    assert len(found.stdout.splitlines()) == 2
    unknown = run_cli(*common, "--mapping", "nope", password=pw)
    assert unknown.returncode == 2
    assert "klienten" in unknown.stderr
    bad_map = run_cli(*common, "--map", "given_name=Vorname", password=pw)
    assert bad_map.returncode == 2
    assert "Columns in the file: Klient, Geb., Handy" in bad_map.stderr


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=30), min_size=10, max_size=10))
def test_any_cell_text_is_read_or_refused_with_reasons(cells: list[str]) -> None:
    """Whatever a spreadsheet holds, a row is converted and then validated or refused."""
    headers = [f"c{n}" for n in range(len(people_import.IMPORT_FIELDS))]
    mapping = dict(zip(people_import.IMPORT_FIELDS, headers, strict=True))
    row = people_import.convert_record(dict(zip(headers, cells, strict=True)), mapping)
    try:
        validate_person(row.draft, TODAY)
    except ValidationFailed as exc:
        assert exc.errors
    for error in row.errors:
        assert describe(error)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_read_as_a_table_or_refused(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    path = tmp_path_factory.mktemp("csv") / "any.csv"
    path.write_bytes(data)
    try:
        table = read_table(path)
    except ImportFileError as exc:
        assert exc.code in {"import_empty", "import_unreadable"}
    else:
        assert all(len(row) == len(table.headers) for row in table.rows)


# The same people as registration's likely duplicates: born the same day, the name in
# another spelling (people_repo.names_meet). The import compared the official folding only.
SPELLED_CSV = (
    "Vorname;Nachname;Geburtsdatum\n"
    "Raina;Petrova;03.11.1999\n"  # stored as "Райна Петрова": an older passport's spelling
    "Константин;Попеску;12.06.1970\n"  # stored as "Constantin Popescu", typed as heard
    "Raina;Petrova;04.11.1999\n"  # born another day: no duplicate
    "Rayna;Ivanova;03.11.1999\n"  # another name the same day: none either
    "Jordanka;Atanasova;1988\n"
    "Йорданка;Атанасова;1988\n"  # the line above in Cyrillic
)


def _duplicates(
    report: people_import.ImportReport,
) -> dict[int, tuple[list[tuple[str, str]], int | None]]:
    """Each likely duplicate's line: the stored people it may be, and the earlier line."""
    return {
        v.line: ([(e.given_name, e.family_name) for e in v.duplicate_of], v.same_as_line)
        for v in report.duplicates
    }


def test_import_finds_the_duplicates_registration_finds(session, tmp_path: Path) -> None:
    store, user = session.store, session.user
    people.register_many(
        store,
        user,
        [
            PersonDraft("Райна", "Петрова", "03.11.1999"),
            PersonDraft("Constantin", "Popescu", "12.06.1970"),
        ],
    )
    table = read_table(write_csv(tmp_path / "list.csv", SPELLED_CSV))
    report = dry_run(store, table, guess_mapping(table.headers), today=TODAY)
    found = _duplicates(report)
    assert found == {
        2: ([("Райна", "Петрова")], None),
        3: ([("Constantin", "Popescu")], None),
        7: ([], 6),
    }
    # Registration warns about the same rows, and only these.
    lines = [row.split(";") for row in SPELLED_CSV.splitlines()[1:5]]
    rows = [PersonDraft(given, family, born) for given, family, born in lines]
    assert [bool(people.check_person(store, d, TODAY)) for d in rows] == [True, True, False, False]
    assert report.accepted == 3


ID_NAMES_CSV = (
    "Vorname;Nachname;Geburtsdatum;Name laut Ausweis\n"
    "Maria;Gueorguieva;01.02.1990;\n"  # as the stored Мария Георгиева's card spells her
    "Maria;Gueorguieva;01.02.1991;\n"  # born another day: somebody else
    "Георги;Жеков;05.05.1980;Gueorgui Jekov\n"  # the card spells him as he was stored
    "Ралица;Вълчева;08.08.1994;VALTCHEVA Ralitsa\n"
    "Ralitsa;Valtcheva;08.08.1994;\n"  # typed as the line above's card spells her
    "Гергана;Шишкова;11.11.1987;\n"
    "Guergana;Chichkova;11.11.1987;SHISHKOVA Gergana\n"  # her card: the line above's name
)


def test_import_finds_duplicates_by_the_name_as_on_the_id_document(session, tmp_path: Path) -> None:
    """A row typed from the ID card ("Maria Gueorguieva") is a stored "Мария Георгиева" born
    that day whose card says so, and so within the file: the names alone never meet."""
    store, user = session.store, session.user
    people.register_many(
        store,
        user,
        [
            PersonDraft("Мария", "Георгиева", "01.02.1990", id_document_name="GUEORGUIEVA Maria"),
            PersonDraft("Gueorgui", "Jekov", "05.05.1980"),
        ],
    )
    table = read_table(write_csv(tmp_path / "list.csv", ID_NAMES_CSV))
    mapping = guess_mapping(table.headers)
    assert mapping["id_document_name"] == "Name laut Ausweis"
    report = dry_run(store, table, mapping, today=TODAY)
    assert not report.refused
    found = _duplicates(report)
    assert found == {
        2: ([("Мария", "Георгиева")], None),
        4: ([("Gueorgui", "Jekov")], None),
        6: ([], 5),
        8: ([], 7),
    }
    assert report.accepted == 3  # lines 3, 5 and 7
    # Refused like any other duplicates: nothing stored, the rows named.
    with pytest.raises(DuplicatesInImport) as refused:
        import_people(store, user, table, mapping, today=TODAY)
    assert [v.line for v in refused.value.report.duplicates] == [2, 4, 6, 8]
    assert people.count_people(store) == 2
