"""Folding and transliteration of names and phone numbers for the type-ahead search."""

from __future__ import annotations

import pytest

from desktop_app.domain.demo import generate_people
from desktop_app.i18n.translit import (
    digits,
    fold,
    name_tokens,
    phone_query,
    phone_tokens,
    query_tokens,
)

# Well-known Bulgarians, spelled by the 2009 Streamlined System as in their passports.
BULGARIAN_PEOPLE = """
Бойко Борисов | boyko borisov
Румен Радев | rumen radev
Христо Стоичков | hristo stoichkov
Стефка Костадинова | stefka kostadinova
Григор Димитров | grigor dimitrov
Цветана Пиронкова | tsvetana pironkova
Веселин Топалов | veselin topalov
Любомир Милчев | lyubomir milchev
Тодор Живков | todor zhivkov
Георги Първанов | georgi parvanov
Росен Плевнелиев | rosen plevneliev
Жельо Желев | zhelyo zhelev
Петър Стоянов | petar stoyanov
Иван Вазов | ivan vazov
Христо Ботев | hristo botev
Васил Левски | vasil levski
Елисавета Багряна | elisaveta bagryana
Пейо Яворов | peyo yavorov
Йордан Йовков | yordan yovkov
Христо Смирненски | hristo smirnenski
Никола Вапцаров | nikola vaptsarov
Димитър Бербатов | dimitar berbatov
Стилиян Петров | stiliyan petrov
Мария Гроздева | maria grozdeva
Йорданка Донкова | yordanka donkova
Ивет Лалова | ivet lalova
Тервел Пулев | tervel pulev
Кубрат Пулев | kubrat pulev
Лили Иванова | lili ivanova
Вълко Червенков | valko chervenkov
Юлия Кръстева | yulia krasteva
Борис Христов | boris hristov
Гена Димитрова | gena dimitrova
Райна Кабаиванска | rayna kabaivanska
Николай Гяуров | nikolay gyaurov
Валя Балканска | valya balkanska
Алеко Константинов | aleko konstantinov
Елин Пелин | elin pelin
Радой Ралин | radoy ralin
Стефан Данаилов | stefan danailov
Мария Бакалова | maria bakalova
Нешка Робева | neshka robeva
Благой Иванов | blagoy ivanov
Ивайло Калфин | ivaylo kalfin
Кристалина Георгиева | kristalina georgieva
Меглена Кунева | meglena kuneva
Сергей Станишев | sergey stanishev
Жан Виденов | zhan videnov
Андрей Луканов | andrey lukanov
Иван Костов | ivan kostov
Ахмед Доган | ahmed dogan
Делян Пеевски | delyan peevski
Корнелия Нинова | kornelia ninova
Цецка Цачева | tsetska tsacheva
Илияна Йотова | iliyana yotova
Ваня Цветкова | vanya tsvetkova
Петя Дубарова | petya dubarova
Георги Господинов | georgi gospodinov
Милен Русков | milen ruskov
Радослав Янков | radoslav yankov
Ивелина Василева | ivelina vasileva
Людмила Живкова | lyudmila zhivkova
Симеон Сакскобургготски | simeon sakskoburggotski
Щерьо Щерев | shteryo shterev
Ясен Ясенов | yasen yasenov
Цветан Цветков | tsvetan tsvetkov
Мария-Магдалена Чакърова | maria magdalena chakarova
"""

BULGARIAN_GIVEN_NAMES = """
Александър aleksandar | Ангел angel | Антон anton | Асен asen | Атанас atanas | Благой blagoy
Божидар bozhidar | Бойко boyko | Борис boris | Борислав borislav | Валентин valentin
Васил vasil | Венцислав ventsislav | Веселин veselin | Владимир vladimir | Георги georgi
Григор grigor | Данаил danail | Делян delyan | Димитър dimitar | Добромир dobromir | Емил emil
Живко zhivko | Жельо zhelyo | Здравко zdravko | Иван ivan | Ивайло ivaylo | Илиян iliyan
Йордан yordan | Калин kalin | Кирил kiril | Красимир krasimir | Кубрат kubrat
Лъчезар lachezar | Любомир lyubomir | Методи metodi | Милен milen | Мирослав miroslav
Митко mitko | Младен mladen | Никола nikola | Николай nikolay | Огнян ognyan | Петър petar
Пламен plamen | Радослав radoslav | Райчо raycho | Румен rumen | Светослав svetoslav
Симеон simeon | Стефан stefan | Стоян stoyan | Тодор todor | Теодор teodor | Филип filip
Християн hristiyan | Христо hristo | Цанко tsanko | Цветан tsvetan | Чавдар chavdar
Юлиян yuliyan | Явор yavor | Ясен yasen | Щилян shtilyan | Мехмед mehmed | Хасан hasan
Юсеин yusein | Ахмед ahmed | Салих salih | Неджми nedzhmi | Реджеб redzheb | Шукри shukri
Айдън aydan | Ерол erol | Севдалин sevdalin | Кольо kolyo | Дечко dechko | Жечо zhecho
Гьоре gyore | Мариян mariyan
Мария maria | Елена elena | Иванка ivanka | Йорданка yordanka | Цветанка tsvetanka
Юлия yulia | Ясмина yasmina | Гергана gergana | Десислава desislava | Стефка stefka
Радка radka | Петя petya | Милена milena | Анна anna | Виктория viktoria | Галина galina
Даниела daniela | Диана diana | Емилия emilia | Живка zhivka | Златка zlatka
Зорница zornitsa | Илияна iliyana | Калина kalina | Кремена kremena | Лиляна lilyana
Магдалена magdalena | Марияна mariyana | Надежда nadezhda | Невена nevena | Огняна ognyana
Пенка penka | Райна rayna | Росица rositsa | Снежана snezhana | Светла svetla
Силвия silvia | Таня tanya | Теодора teodora | Христина hristina | Цвета tsveta | Яна yana
Цветана tsvetana | Веселина veselina | Бойка boyka | Ружа ruzha | Айше ayshe | Фатме fatme
Емине emine | Севгюл sevgyul | Гюлтен gyulten | Хатидже hatidzhe | Зейнеб zeyneb
Неврие nevrie | Айсел aysel | Гюлшен gyulshen | Людмила lyudmila | Юлияна yuliyana
Ксения ksenia | Валерия valeria | Лилия lilia | Евгения evgenia | Антония antonia
Наталия natalia | Йоана yoana | Жанета zhaneta | Цецка tsetska | Ася asya | Вяра vyara
Любов lyubov | Илия ilia | Ия ia | Софияна sofiyana | Мариям mariyam
"""

BULGARIAN_FAMILY_NAMES = """
Иванов ivanov | Петров petrov | Георгиев georgiev | Димитров dimitrov | Николов nikolov
Христов hristov | Стоянов stoyanov | Тодоров todorov | Йорданов yordanov
Костадинов kostadinov | Атанасов atanasov | Ангелов angelov | Борисов borisov
Василев vasilev | Попов popov | Радев radev | Стоичков stoichkov | Топалов topalov
Милчев milchev | Пиронков pironkov | Жечев zhechev | Щерев shterev | Цветков tsvetkov
Чернев chernev | Шишков shishkov | Ъгленов aglenov | Хаджиев hadzhiev | Колев kolev
Маринов marinov | Илиев iliev | Павлов pavlov | Михайлов mihaylov | Найденов naydenov
Русев rusev | Стефанов stefanov | Янков yankov | Филипов filipov | Марков markov
Симеонов simeonov | Кирилов kirilov | Младенов mladenov | Пенчев penchev
Желязков zhelyazkov | Вълчев valchev | Дончев donchev | Гочев gochev | Асенов asenov
Костов kostov | Любенов lyubenov | Чакъров chakarov | Раковски rakovski | Славов slavov
Бъчваров bachvarov | Шопов shopov | Куртев kurtev | Джамбазов dzhambazov
Кючуков kyuchukov | Юруков yurukov | Мехмедов mehmedov | Хасанов hasanov
Юсеинов yuseinov | Ахмедов ahmedov | Салиев saliev | Алиев aliev | Мустафов mustafov
Исмаилов ismailov | Реджебов redzhebov | Щърбанов shtarbanov | Тъпчилещов tapchileshtov
Кънчев kanchev | Пеев peev | Вутов vutov | Цонев tsonev | Гьошев gyoshev | Йовчев yovchev
Чолаков cholakov | Цачев tsachev | Петрова petrova | Иванова ivanova | Георгиева georgieva
Кръстева krasteva | Щерева shtereva | Жечева zhecheva | Ъгленова aglenova
Йорданова yordanova | Хаджиева hadzhieva | Чакърова chakarova | Раковска rakovska
Юсеинова yuseinova | Любенова lyubenova | Цветкова tsvetkova | Шишкова shishkova
"""

BULGARIAN_PLACES = """
България bulgaria | София sofia | Пловдив plovdiv | Варна varna | Бургас burgas | Русе ruse
Плевен pleven | Сливен sliven | Добрич dobrich | Шумен shumen | Перник pernik
Хасково haskovo | Ямбол yambol | Пазарджик pazardzhik | Благоевград blagoevgrad | Враца vratsa
Габрово gabrovo | Видин vidin | Монтана montana | Кърджали kardzhali | Кюстендил kyustendil
Смолян smolyan | Търговище targovishte | Силистра silistra | Разград razgrad | Ловеч lovech
Кнежа knezha | Асеновград asenovgrad | Казанлък kazanlak | Свищов svishtov | Дупница dupnitsa
Самоков samokov | Банско bansko | Ботевград botevgrad | Созопол sozopol | Несебър nesebar
Поморие pomorie | Карлово karlovo | Чирпан chirpan | Петрич petrich | Сандански sandanski
Шипка shipka | Своге svoge | Радомир radomir | Търново tarnovo | Сребърна srebarna
"""

# Other Cyrillic alphabets (Russian, Ukrainian, Serbian, Macedonian) that people may bring.
OTHER_CYRILLIC = """
Эдуард eduard | Семён semyon | Фёдор fyodor | Ігор igor | Їжак yizhak | Євген yevgen
Ґалаґан galagan | Ђоковић djokovic | Јелена jelena | Љубиша ljubisha | Његош njegosh
Џеко dzeko | Рыбаков rybakov | Юрий yuriy | Ѓорѓи gjorgji | Ќосе kjose
"""

ROMANIAN = """
Ștefan stefan | Ştefan stefan | ȘTEFAN stefan | ŞTEFAN stefan | Țăran taran | Ţăran taran
Mureșan muresan | Mureşan muresan | Niță nita | Niţă nita | Brâncuși brancusi
Brâncuşi brancusi | Ionuț ionut | Ionuţ ionut | Mădălina madalina | Bălănescu balanescu
Ciobanu ciobanu | Țiriac tiriac | Ţiriac tiriac | Halep halep | Hagi hagi
Comăneci comaneci | Eliade eliade | Eminescu eminescu | Enescu enescu | Creangă creanga
Iohannis iohannis | Băsescu basescu | Ceaușescu ceausescu | Ceauşescu ceausescu
Arghezi arghezi | Năstase nastase | Cîrstea cirstea | Răducioiu raducioiu
Răducan raducan | Balaș balas | Balaş balas | Dănuț danut | Dănuţ danut
Lăcrămioara lacramioara | Luminița luminita | Luminiţa luminita | Petruța petruta
Ștefănescu stefanescu | Şerban serban | Șerban serban | Țurcanu turcanu | Ţurcanu turcanu
Pîrvu pirvu | Sârbu sarbu | Câmpina campina | Timișoara timisoara | Timişoara timisoara
Iași iasi | Brașov brasov | Constanța constanta | Pitești pitesti | Ploiești ploiesti
Bacău bacau | Botoșani botosani | Călărași calarasi | Răzvan razvan | Cătălin catalin
Lazăr lazar | Păun paun | Căpraru capraru | Tănase tanase | Cioabă cioaba | Lăutaru lautaru
Căldăraru caldararu | Chiriță chirita | Pașca pasca | Pașca pasca | Rădulescu radulescu
Andreea andreea | Florentina florentina | Gheorghe gheorghe | Țică tica | Fănel fanel
Szőcs szocs | Kovács kovacs
"""

GERMAN_AND_OTHERS = """
Müller muller | Schröder schroder | Weiß weiss | Groß gross | Jäger jager | Köhler kohler
Böhm bohm | Krüger kruger | Gößmann gossmann | Bärbel barbel | Käthe kathe | Jürgen jurgen
Björn bjorn | Günter gunter | GROẞ gross | MÜLLER muller | Straße strasse
Łukasz lukasz | Paweł pawel | Wiśniewski wisniewski | Dąbrowski dabrowski | Żaneta zaneta
Woźniak wozniak | Małgorzata malgorzata | Wójcik wojcik | Michał michal | Kamińska kaminska
Yılmaz yilmaz | Şahin sahin | Çelik celik | Öztürk ozturk | Doğan dogan | Kılıç kilic
İbrahim ibrahim | Ayşe ayse | Gülşen gulsen | Büşra busra | Hüseyin huseyin | Yıldırım yildirim
Søren soren | Ærø aero | Œdipe oedipe | Đorđević dordevic | François francois | José jose
Zoë zoe | Muñoz munoz | Dvořák dvorak | Erdős erdos | Þór thor | Ħamrun hamrun
"""

PUNCTUATION_AND_FORM = [
    ("O'Neill", "o neill"),
    ("O’Neill", "o neill"),
    ("Jean-Luc", "jean luc"),
    ("St. Petersburg", "st petersburg"),
    ("  Ivan \t\n Petrov  ", "ivan petrov"),
    ("", ""),
    ("---", ""),
    ("Petrov, Ivan", "petrov ivan"),
    ("Иванова-Петрова", "ivanova petrova"),
    ("Мария,", "maria"),
    ("МАРИЯ", "maria"),
    ("Мария Иванова", "maria ivanova"),
    ("Ｐｅｔｒｏｖ", "petrov"),  # full-width forms, NFKC
    ("ﬁliz", "filiz"),  # ligature
    ("Petrov 2", "petrov 2"),
    ("snake_case", "snake case"),
    ("Ivan (Vanko)", "ivan vanko"),
    ("ˈMaria", "maria"),
    ("Марияна Мария", "mariyana maria"),
    ("Република България", "republika bulgaria"),
    ("Пепи „Бомбата“", "pepi bombata"),
    ("ѝ", "i"),
]


def _pairs(table: str) -> list[tuple[str, str]]:
    pairs = []
    for line in table.strip().splitlines():
        for item in line.split("|"):
            source, expected = item.strip().rsplit(" ", 1)
            pairs.append((source.strip(), expected))
    return pairs


def _people(table: str) -> list[tuple[str, str]]:
    return [
        (a.strip(), b.strip()) for a, b in (line.split("|") for line in table.strip().splitlines())
    ]


ALL_PAIRS = (
    _people(BULGARIAN_PEOPLE)
    + _pairs(BULGARIAN_GIVEN_NAMES)
    + _pairs(BULGARIAN_FAMILY_NAMES)
    + _pairs(BULGARIAN_PLACES)
    + _pairs(OTHER_CYRILLIC)
    + _pairs(ROMANIAN)
    + _pairs(GERMAN_AND_OTHERS)
    + PUNCTUATION_AND_FORM
)


def test_the_tables_are_large() -> None:
    assert len(ALL_PAIRS) >= 500


@pytest.mark.parametrize(("written", "expected"), ALL_PAIRS)
def test_fold(written: str, expected: str) -> None:
    assert fold(written) == expected


@pytest.mark.parametrize(("written", "expected"), ALL_PAIRS)
def test_the_canonical_fold_is_always_indexed(written: str, expected: str) -> None:
    assert set(expected.split()) <= name_tokens(written)


def test_fold_is_idempotent_and_plain_ascii() -> None:
    for written, _ in ALL_PAIRS:
        once = fold(written)
        assert fold(once) == once
        assert all(c.isascii() for c in once), written


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Мария", "maria"),
        ("София", "sofia"),
        ("България", "bulgaria"),
        ("Юлия", "yulia"),
        ("Илия", "ilia"),
        ("Ия", "ia"),
        ("Мария-Магдалена", "maria magdalena"),
        ("Мария Иванова", "maria ivanova"),
        ("Марияна", "mariyana"),  # not at the end: letter by letter
        ("Мариян", "mariyan"),
        ("Пияница", "piyanitsa"),
        ("Ияна", "iyana"),
        ("Мъжът", "mazhat"),
    ],
)
def test_ia_only_at_the_end_of_a_word(written: str, expected: str) -> None:
    assert fold(written) == expected


# --- matching: what a user types finds the name as written ----------------------------------

MATCHES = [
    ("petrov", "Петров"),
    ("Петров", "Petrov"),
    ("Petrov", "петров"),
    ("PETROV", "Петрова"),
    ("stefan", "Ștefan"),
    ("stefan", "Ştefan"),
    ("Ştefan", "Ștefan"),
    ("Ștefan", "Stefan"),
    ("Стефан", "Ştefan"),
    ("shterev", "Щерев"),
    ("zhechev", "Жечев"),
    ("tsvetanka", "Цветанка"),
    ("yulia", "Юлия"),
    ("yasen", "Ясен"),
    ("aglenov", "Ъгленов"),
    ("hristo", "Христо"),
    ("yordanov", "Йорданов"),
    ("pet", "Петров"),
    ("Пет", "Petrov"),
    ("Щ", "Shterev"),
    ("Ю", "Yulia"),
    # older passports and foreign documents spell Bulgarian names differently
    ("iordanov", "Йорданов"),
    ("jordanov", "Йорданов"),
    ("jordanow", "Йорданов"),
    ("khristo", "Христо"),
    ("christo", "Христо"),
    ("tzvetanka", "Цветанка"),
    ("cvetanka", "Цветанка"),
    ("zwetanka", "Цветанка"),
    ("stoitchkov", "Стоичков"),
    ("jivkov", "Живков"),
    ("schiwkow", "Живков"),
    ("mariya", "Мария"),
    ("iulia", "Юлия"),
    ("julia", "Юлия"),
    ("uglenov", "Ъгленов"),
    ("georgiew", "Георгиев"),
    ("mariana", "Марияна"),
    # German umlauts also as ae/oe/ue
    ("mueller", "Müller"),
    ("muller", "Müller"),
    ("müller", "Müller"),
    ("schroeder", "Schröder"),
    ("jaeger", "Jäger"),
    ("weiss", "Weiß"),
    ("weiß", "Weiss"),
    ("gross", "Groß"),
    ("oeztuerk", "Öztürk"),
    # hyphenated names: each part and the whole
    ("petrova", "Иванова-Петрова"),
    ("ivanovapetrova", "Иванова-Петрова"),
    ("ivanova petrova", "Иванова-Петрова"),
    ("wostmann", "Große-Wöstmann"),
    ("maria ivanova", "Мария Иванова"),
    ("ivanova maria", "Мария Иванова"),
    ("Мария Ив", "Maria Ivanova"),
    ("oneill", "O'Neill"),
]

NO_MATCHES = [
    ("petrov", "Павлов"),
    ("stefan", "Стоян"),
    ("maria", "Марин"),
    ("muller", "Miller"),
    ("ivanova", "Иванов"),
    ("shterev", "Шерев"),
    ("zhechev", "Жечков"),
]


def _matches(query: str, name: str) -> bool:
    tokens = name_tokens(name)
    words = query_tokens(query)
    return bool(words) and all(any(t.startswith(w) for t in tokens) for w in words)


@pytest.mark.parametrize(("query", "name"), MATCHES)
def test_query_finds_name(query: str, name: str) -> None:
    assert _matches(query, name)


@pytest.mark.parametrize(("query", "name"), NO_MATCHES)
def test_query_does_not_find_other_name(query: str, name: str) -> None:
    assert not _matches(query, name)


def _name_words() -> list[str]:
    words = {w for written, _ in ALL_PAIRS for w in written.split()}
    for person in generate_people(3000, seed=7):
        words.update(person.given_name.split())
        words.update(person.family_name.split())
    return sorted(words)


def test_every_prefix_typed_in_the_original_script_keeps_finding_the_name() -> None:
    # type-ahead: the list must not go empty and come back while the user types a name
    failures = []
    for word in _name_words():
        for end in range(1, len(word) + 1):
            typed = word[:end]
            if query_tokens(typed) and not _matches(typed, word):
                failures.append((typed, word))
    assert failures == []


def test_every_prefix_of_the_official_latin_form_finds_the_cyrillic_name() -> None:
    for written, expected in _pairs(BULGARIAN_GIVEN_NAMES) + _pairs(BULGARIAN_FAMILY_NAMES):
        for end in range(1, len(expected) + 1):
            assert _matches(expected[:end], written), (expected[:end], written)


def test_variants_stay_bounded() -> None:
    for word in _name_words():
        if fold(word):
            assert 1 <= len(name_tokens(word)) <= 8, (word, name_tokens(word))


def test_name_tokens_of_a_latin_name_are_just_its_fold() -> None:
    assert name_tokens("Ion Popescu") == {"ion", "popescu"}
    assert name_tokens("Müller") == {"muller", "mueller"}
    assert name_tokens("Weiß") == {"weiss"}
    assert name_tokens("Jean-Luc") == {"jean", "luc", "jeanluc"}
    assert name_tokens("") == set()
    assert name_tokens(" - ") == set()


def test_name_tokens_of_cyrillic_include_the_official_form_first_of_all() -> None:
    assert {"georgiev"} <= name_tokens("Георгиев")
    assert "gueorguiev" not in name_tokens("Георгиев")
    assert name_tokens("Петров") == {"petrov", "petrow"}


def test_query_tokens_keep_order_and_drop_empties() -> None:
    assert query_tokens("  Иванова -  Мария ") == ["ivanova", "maria"]
    assert query_tokens("Ştefan, Ion") == ["stefan", "ion"]
    assert query_tokens(" ,.- ") == []
    assert query_tokens("") == []


# --- phone numbers ----------------------------------------------------------------------------

SAME_GERMAN_MOBILE = [
    "+49 170 1234567",
    "0049 170 1234567",
    "0170 1234567",
    "1701234567",
    "+49 (0)170 1234567",
    "0170/123 45 67",
    "+49-170-123-4567",
    "0 170 12 34 567",
]

SAME_BULGARIAN_MOBILE = ["+359 88 123 4567", "00359 88 123 4567", "0881234567", "881234567"]
SAME_ROMANIAN_MOBILE = ["+40 745 123 456", "0040 745 123 456", "0745 123 456", "745123456"]


@pytest.mark.parametrize("group", [SAME_GERMAN_MOBILE, SAME_BULGARIAN_MOBILE, SAME_ROMANIAN_MOBILE])
def test_phone_forms_find_each_other(group: list[str]) -> None:
    for stored in group:
        tokens = phone_tokens(stored)
        assert len(tokens) <= 6
        for typed in group:
            query = phone_query(typed)
            assert any(t.startswith(query) for t in tokens), (typed, stored)
            # ... and while it is being typed
            for end in range(1, len(typed) + 1):
                partial = phone_query(typed[:end])
                if partial:
                    assert any(t.startswith(partial) for t in tokens), (typed[:end], stored)


def test_phone_tokens_of_an_international_number() -> None:
    assert phone_tokens("+49 170 1234567") == {
        "491701234567",
        "00491701234567",
        "01701234567",
        "1701234567",
    }
    assert phone_tokens("+359 88 123 4567") == {
        "359881234567",
        "00359881234567",
        "0881234567",
        "881234567",
    }


def test_different_numbers_do_not_match() -> None:
    tokens = phone_tokens("+49 170 1234567")
    assert not any(t.startswith(phone_query("0171 1234567")) for t in tokens)
    assert not any(t.startswith(phone_query("+49 170 1234568")) for t in tokens)


def test_digits() -> None:
    assert digits("+49 (0)170 / 123-45 67") == "4901701234567"
    assert digits("٠١٧٠ ١٢٣") == "0170123"  # Arabic-Indic digits
    assert digits("０１７０") == "0170"
    assert digits("no number") == ""
    assert phone_tokens("") == set()
    assert phone_tokens("unknown") == set()
    assert phone_query("") == ""
