"""Generated, realistic people for the demo store and benchmarks (deterministic per seed).

The mix follows the advice desk's clients in Dortmund's Nordstadt: mostly Bulgarian and
Romanian, some German, Turkish-German and Polish; names written as they appear in real data.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from functools import cache

from desktop_app.domain.person import PersonDraft, Sex

__all__ = ["generate_people"]


def _words(text: str) -> list[str]:
    return text.split()


# --- Bulgarian, in Cyrillic; family names as the male form ------------------------------------
_BG_MALE = _words(
    "Георги Иван Димитър Николай Петър Христо Стоян Тодор Васил Александър Стефан Йордан "
    "Красимир Пламен Веселин Любомир Цветан Асен Борислав Валентин Ангел Атанас Благой Бойко "
    "Венцислав Владимир Григор Делян Емил Живко Здравко Илиян Калин Кирил Лъчезар Методи "
    "Милен Младен Никола Огнян Райчо Румен Светослав Симеон Теодор Филип Християн Цанко "
    "Чавдар Юлиян Явор Ясен Митко Ивайло Данаил Жельо"
)
_BG_FEMALE = _words(
    "Мария Елена Иванка Йорданка Цветанка Юлия Ясмина Гергана Десислава Стефка Радка Петя "
    "Милена Анна Виктория Галина Даниела Диана Емилия Живка Златка Зорница Илияна Калина "
    "Кремена Лиляна Магдалена Марияна Надежда Невена Огняна Пенка Райна Росица Снежана "
    "Светла Силвия Таня Теодора Христина Цвета Яна Цветана Веселина Бойка Ружа Людмила Ваня"
)
_BG_FAMILY = _words(
    "Иванов Петров Георгиев Димитров Николов Христов Стоянов Тодоров Йорданов Костадинов "
    "Атанасов Ангелов Борисов Василев Попов Радев Стоичков Топалов Милчев Пиронков Жечев "
    "Щерев Цветков Чернев Шишков Ъгленов Хаджиев Колев Маринов Илиев Павлов Михайлов "
    "Найденов Русев Стефанов Янков Филипов Марков Симеонов Кирилов Младенов Пенчев Желязков "
    "Вълчев Дончев Гочев Асенов Костов Любенов Чакъров Раковски Славов Бъчваров Шопов "
    "Куртев Джамбазов Кючуков Юруков"
)
# Bulgarian citizens of the Turkish minority: Turkish given names in Bulgarian spelling.
_BGTR_MALE = _words("Мехмед Хасан Юсеин Ахмед Салих Ерол Али Айдън Неджми Реджеб Шукри")
_BGTR_FEMALE = _words("Айше Фатме Емине Севгюл Гюлтен Хатидже Зейнеб Неврие Айсел Гюлшен")
_BGTR_FAMILY = _words("Мехмедов Хасанов Юсеинов Ахмедов Салиев Алиев Мустафов Исмаилов Реджебов")

# --- Romanian, with comma-below ș ț as the standard writes them -------------------------------
_RO_MALE = _words(
    "Ion Ionuț Gheorghe Vasile Constantin Nicolae Mihai Andrei Alexandru Florin Marius Cătălin "
    "Adrian Bogdan Costel Dorin Dănuț Ștefan Lucian Sorin Răzvan Viorel Petru Cosmin Iulian "
    "Ovidiu Remus Tudor Emil Silviu Grigore Aurel Gigel Marin Nelu Fănel Țică"
)
_RO_FEMALE = _words(
    "Maria Elena Ioana Mădălina Andreea Alexandra Cristina Gabriela Mihaela Daniela Florentina "
    "Georgiana Ramona Roxana Simona Alina Larisa Irina Ana Violeta Nicoleta Loredana Denisa "
    "Bianca Petruța Ionela Luminița Lăcrămioara Ștefania Teodora Viorica Florica Aurelia Rodica"
)
_RO_FAMILY = _words(
    "Popescu Ionescu Popa Pop Radu Dumitru Stan Stoica Gheorghe Matei Ciobanu Rusu Munteanu "
    "Mureșan Niță Țăran Bălănescu Constantinescu Dinu Lungu Marin Tudor Moldovan Diaconu "
    "Oprea Lazăr Șerban Ștefănescu Brâncuși Dragomir Ene Sârbu Toma Vasilescu Neagu Cristea "
    "Florea Nistor Păun Bălan Căpraru Zamfir Mocanu Roman Ursu Anghel Iordache Voicu Costache "
    "Tănase Cioabă Stănescu Pîrvu Ardeleanu Grigorescu Fieraru Lăutaru Căldăraru Ursaru Țurcanu "
    "Rădulescu Chiriță Mircea Pașca"
)

# --- German, Turkish-German, Polish -------------------------------------------------------------
_DE_MALE = _words(
    "Thomas Michael Andreas Stefan Jürgen Klaus Uwe Dieter Jörg Markus Tobias Jan Lukas Felix "
    "Matthias Björn Sven Frank Wolfgang Günter"
)
_DE_FEMALE = _words(
    "Sabine Petra Ursula Monika Andrea Claudia Jutta Anke Katharina Julia Lena Jana Sophie "
    "Hannah Annegret Gisela Brigitte Renate Käthe Bärbel"
)
_DE_FAMILY = _words(
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schröder Koch "
    "Richter Klein Wolf Neumann Schwarz Zimmermann Krüger Hartmann Weiß Groß Jäger Köhler Böhm "
    "Schimanski Göbel Große-Wöstmann"
)
_TR_MALE = _words(
    "Mehmet Mustafa Ahmet Ali Hüseyin Hasan İbrahim Murat Emre Burak Can Serkan Yusuf Ömer Kemal"
)
_TR_FEMALE = _words(
    "Ayşe Fatma Emine Hatice Zeynep Elif Merve Özlem Gülşen Derya Songül Esra Büşra Sibel Nur"
)
_TR_FAMILY = _words(
    "Yılmaz Kaya Demir Şahin Çelik Yıldız Yıldırım Öztürk Aydın Özdemir Arslan Doğan Kılıç "
    "Aslan Çetin Kara Koç Kurt Özkan Şimşek"
)
_PL_MALE = _words("Piotr Krzysztof Tomasz Paweł Marcin Łukasz Michał Jakub Grzegorz Wojciech")
_PL_FEMALE = _words("Anna Katarzyna Małgorzata Agnieszka Joanna Magdalena Ewa Monika Dorota Żaneta")
_PL_FAMILY = _words(
    "Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański "
    "Woźniak Dąbrowski Kozłowski Jankowski Mazur Krawczyk"
)


def _bg_female(family: str) -> str:
    if family.endswith(("ов", "ев", "ин")):
        return family + "а"
    if family.endswith("ски"):
        return family[:-1] + "а"
    return family


def _pl_female(family: str) -> str:
    return family[:-1] + "a" if family.endswith(("ski", "cki", "dzki")) else family


# The official Bulgarian romanisation, as in Bulgarian passports and so in German documents.
# (The domain imports nothing outside domain, hence this small copy of the table.)
_BG_LATIN = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "sht", "ъ": "a", "ь": "y", "ю": "yu", "я": "ya",
})  # fmt: skip


def _bg_latin(name: str) -> str:
    lower = name.lower()
    if lower.endswith("ия"):
        lower = lower[:-2] + "ia"
    return "-".join(p.capitalize() for p in lower.translate(_BG_LATIN).split("-"))


_RO_CEDILLA = str.maketrans("șțȘȚ", "şţŞŢ")  # legacy encodings still produce cedilla forms
_RO_PLAIN = str.maketrans("șțȘȚăâîĂÂÎ", "stSTaaiAAI")  # German forms often drop diacritics
_TR_PLAIN = str.maketrans("şğıçİŞĞÇ", "sgicISGC")


_Names = tuple[list[str], list[str], list[str], list[str]]  # male, female, family m., family f.


def _forms(male: list[str], female: list[str], family: list[str], fem: bool) -> _Names:
    female_family = [_bg_female(f) for f in family] if fem else list(family)
    return male, female, family, female_family


def _respelled(names: _Names, respell: Callable[[str], str]) -> _Names:
    m, f, fm, ff = names
    return [*map(respell, m)], [*map(respell, f)], [*map(respell, fm)], [*map(respell, ff)]


_BG: _Names = _forms(_BG_MALE, _BG_FEMALE, _BG_FAMILY, True)
_BG_LAT: _Names = _respelled(_BG, _bg_latin)
_BGTR: _Names = _forms(_BGTR_MALE, _BGTR_FEMALE, _BGTR_FAMILY, True)
_BGTR_LAT: _Names = _respelled(_BGTR, _bg_latin)
_RO: _Names = _forms(_RO_MALE, _RO_FEMALE, _RO_FAMILY, False)
_RO_CED: _Names = _respelled(_RO, lambda x: x.translate(_RO_CEDILLA))
_RO_PL: _Names = _respelled(_RO, lambda x: x.translate(_RO_PLAIN))
_DE: _Names = _forms(_DE_MALE, _DE_FEMALE, _DE_FAMILY, False)
_TR: _Names = _forms(_TR_MALE, _TR_FEMALE, _TR_FAMILY, False)
_TR_PL: _Names = _respelled(_TR, lambda x: x.translate(_TR_PLAIN))
_PL: _Names = (_PL_MALE, _PL_FEMALE, _PL_FAMILY, [_pl_female(f) for f in _PL_FAMILY])

_NOTES = (
    "Kommt mit Dolmetscherin.",
    "Termin beim Jobcenter vereinbart.",
    "Sucht dringend eine Wohnung.",
    "Krankenversicherung ungeklärt.",
    "Kindergeldantrag offen.",
    "Braucht Hilfe bei der Anmeldung.",
    "Sprachkurs gewünscht (A1).",
    "Zeugnisse aus dem Herkunftsland liegen vor.",
)
_DE_MOBILE = ("0151", "0152", "0157", "0160", "0162", "0163", "0170", "0171", "0172", "0176",
              "0177", "0178", "0179")  # fmt: skip


@cache
def _birthdays() -> tuple[list[str], list[str]]:
    """Every date of birth as typed (DD.MM.YYYY) for adults (1950–2006) and children (2007–2024).

    Picking from these lists costs one random number instead of formatting a date per person.
    """
    adults: list[str] = []
    children: list[str] = []
    day = dt.date(1950, 1, 1)
    one = dt.timedelta(days=1)
    while day.year < 2025:
        (adults if day.year < 2007 else children).append(day.strftime("%d.%m.%Y"))
        day += one
    return adults, children


def generate_people(n: int, seed: int = 1) -> list[PersonDraft]:
    """``n`` plausible people as an advisor would type them; the same seed gives the same list."""
    rng = random.Random(seed)
    adults, children = _birthdays()
    r = rng.random
    people: list[PersonDraft] = []
    append = people.append
    female_s, male_s, unstated = Sex.FEMALE.value, Sex.MALE.value, Sex.NOT_STATED.value
    for _ in range(n):
        g = r()
        v = r()
        if g < 0.45:  # Bulgaria: ethnic Bulgarians, Roma, Turkish minority
            nationality = "BG"
            if v < 0.15:
                names = _BGTR_LAT if r() < 0.2 else _BGTR
                languages: tuple[str, ...] = ("tr", "bg") if r() < 0.6 else ("bg", "tr")
            else:
                names = _BG_LAT if r() < 0.15 else _BG
                x = r()
                languages = ("bg", "rmy") if x < 0.3 else ("bg", "de") if x < 0.4 else ("bg",)
            x = r()
            phone = (f"+359 {(87, 88, 89, 98, 99)[int(x * 5)]} {int(r() * 900) + 100} "
                     f"{int(r() * 9000) + 1000}") if x < 0.5 else ""  # fmt: skip
        elif g < 0.80:  # Romania, incl. Roma and Hungarian-speaking Romanians
            nationality = "RO"
            names = _RO if v < 0.6 else _RO_CED if v < 0.85 else _RO_PL
            x = r()
            languages = (("ro", "rmy") if x < 0.3 else ("ro", "hu") if x < 0.35
                         else ("ro", "de") if x < 0.45 else ("ro",))  # fmt: skip
            x = r()
            phone = (f"+40 7{int(r() * 80) + 20} {int(r() * 1000):03d} {int(r() * 1000):03d}"
                     if x < 0.5 else "")  # fmt: skip
        elif g < 0.88:
            nationality, names = "DE", _DE
            languages = ("de",) if v < 0.8 else ("de", "en")
            phone = ""
        elif g < 0.95:  # Turkish-German families: Turkish or German citizenship
            nationality = "TR" if v < 0.6 else "DE"
            names = _TR_PL if r() < 0.2 else _TR
            languages = ("tr", "de") if r() < 0.6 else ("de", "tr")
            phone = ""
        else:
            nationality, names = "PL", _PL
            languages = ("pl",) if v < 0.6 else ("pl", "de")
            phone = ""
        if not phone:
            x = r()
            if x < 0.55:  # a German mobile, as most people here have one
                phone = f"{_DE_MOBILE[int(r() * 13)]} {int(r() * 9_000_000) + 1_000_000}"
            elif x < 0.65:
                prefix = (151, 160, 170, 176)[int(r() * 4)]
                phone = f"+49 {prefix} {int(r() * 90_000_000) + 10_000_000}"
            elif x < 0.72:
                phone = f"0231 {int(r() * 900_000) + 100_000}"  # Dortmund landline

        male, female, family_m, family_f = names
        is_female = r() < 0.5
        if is_female:
            given = female[int(r() * len(female))]
            family = family_f[int(r() * len(family_f))]
        else:
            given = male[int(r() * len(male))]
            family = family_m[int(r() * len(family_m))]
        x = r()
        sex = (female_s if is_female else male_s) if x < 0.97 else "" if x < 0.995 else unstated

        dates = children if r() < 0.2 else adults
        dob = dates[int(r() * len(dates))]
        x = r()
        if x >= 0.86:  # only the year is known, or year and month
            dob = dob[6:] if x < 0.98 else f"{dob[6:]}-{dob[3:5]}"

        notes = _NOTES[int(r() * len(_NOTES))] if r() < 0.05 else ""
        append(PersonDraft(given, family, dob, sex, nationality, languages, phone, notes))
    return people
