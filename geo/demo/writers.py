"""Writers of the demo sources in the formats the real exporters produce.

Why exact formats: the intake parsers must be proven on what Telegram Desktop, Facebook's
"Download your information", the council's hotline and the minute-takers really hand over
(DESIGN.md, reference notes section 6), not on a convenient variant. Each writer assigns
the ``source_ref`` its parser will compute, so ground_truth.csv can be joined to imports.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import h3
import numpy as np

from data.categories import CATEGORIES, rules
from data.intake.common import short_hash
from geo.demo import texts as tx
from geo.demo.constants import END, LABEL, NOW, START
from geo.demo.texts import pick

if TYPE_CHECKING:
    from geo.demo.make_reports import Generator, Report

# Every (first name, surname) pair, in a fixed order: authors map onto it by index.
_NAMES: list[tuple[str, str]] = [(f, s) for s in tx.SURNAMES for f in tx.FIRST_NAMES]

TG_CITY = {"name": "Вознесенськ — наше місто (DEMO)", "type": "private_supergroup", "id": 1650123456}
TG_POLICE = {"name": "Поліція Вознесенська — коментарі (DEMO)", "type": "public_supergroup", "id": 1789012345}
TG_CHANNEL = {"name": "Поліція Вознесенська (DEMO)", "id": 1788000111}
FB_GROUP = "Вознесенськ — наше місто (DEMO)"
PHOTO_PLACEHOLDER = "(File not included. Change data exporting settings to download.)"

# Pieces Telegram marks as entities in a message text.
_ENTITY_RE = re.compile(
    r"(?P<email>[\w.+-]+@[\w-]+\.[\w.]+)|(?P<mention>@\w{3,})|(?P<hashtag>#\w+)"
    r"|(?P<phone>\+?38\s?\(?0\d{2}\)?[\s-]?\d{3}[\s-]?\d{2}[\s-]?\d{2}|\b0\d{2}[\s-]?\d{3}[\s-]?\d{2}[\s-]?\d{2}\b)"
)


def write_text(path: Path, content: str, encoding: str = "utf-8") -> None:
    """Write with "\n" newlines on every platform (byte-identical reruns)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as fh:
        fh.write(content)


def csv_text(header: list[str], rows: Iterable[Iterable[Any]], delimiter: str = ",") -> str:
    """CSV text; ';' files imitate a Ukrainian Excel export and get its CRLF line ends."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n" if delimiter == ";" else "\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


# ----------------------------------------------------------------------------- Telegram
def tg_user(author: int) -> tuple[str, str]:
    """(display name, from_id) of a demo Telegram user; stable per author index."""
    first, last = _NAMES[(author * 31) % len(_NAMES)]
    name = {
        0: f"{first} {last}",
        1: f"{first} {last[0]}.",
        2: first,
        3: tx.latin(first).capitalize() + " V.",
        4: f"{first} 🌻",
    }[author % 5]
    return name, f"user{5_000_000_000 + author * 7919}"


def text_pieces(text: str) -> tuple[str | list[Any], list[dict[str, str]]]:
    """Telegram's ``text`` (string when plain, else a mixed list) and ``text_entities``."""
    entities: list[dict[str, str]] = []
    pos = 0
    for m in _ENTITY_RE.finditer(text):
        if m.start() > pos:
            entities.append({"type": "plain", "text": text[pos : m.start()]})
        entities.append({"type": m.lastgroup or "plain", "text": m.group(0)})
        pos = m.end()
    if pos < len(text):
        entities.append({"type": "plain", "text": text[pos:]})
    if all(e["type"] == "plain" for e in entities):
        return text, ([{"type": "plain", "text": text}] if text else [])
    return [e["text"] if e["type"] == "plain" else dict(e) for e in entities], entities


def _tg_dates(when: datetime) -> dict[str, str]:
    """``date`` is the exporting PC's local time (Kyiv here), ``date_unixtime`` a string."""
    return {"date": when.strftime("%Y-%m-%dT%H:%M:%S"), "date_unixtime": str(int(when.timestamp()))}


CHATTER = {
    "uk": [
        "Дякую, що повідомили",
        "Підтримую!",
        "+",
        "Коли вже хтось щось зробить?",
        "Те саме бачила вчора",
        "А поліція що?",
        "Дзвоніть на гарячу лінію 15-80",
        "Зверніться до ОСББ",
        "Вже прибрали, дякую комунальникам",
    ],
    "ru": ["Спасибо", "Поддерживаю", "+", "А полиция что?", "Уже убрали, спасибо"],
}
POLICE_POSTS = [
    "Шановні мешканці! Повідомляйте про порушення правил благоустрою в коментарях або за номером 102.",
    "Профілактичний рейд: перевірено місця розпиття алкоголю біля торгових закладів.",
    "Нагадуємо: паркування на газонах і тротуарах заборонене. Порушників буде притягнуто до відповідальності.",
    "Тиша вночі з 22:00 до 08:00. Про порушення повідомляйте за номером 102.",
    "Результати тижня: складено протоколи за порушення правил благоустрою. Дякуємо за ваші повідомлення!",
    "Спільне патрулювання з громадським формуванням з охорони громадського порядку.",
]


def write_telegram(gen: Generator, path: Path) -> list[dict[str, Any]]:
    """Whole-account Telegram Desktop export: the city group and the police comments chat.

    The police chat is a channel's discussion group: the channel's posts arrive there as
    messages from ``channel…`` and residents comment by replying to them. Returns
    ground-truth rows for messages that are not reports (channel posts, chatter), so that
    every record the parser emits is accounted for.
    """
    rng = gen.rng
    by_id = {r.rid: r for r in gen.reports}
    extra_rows: list[dict[str, Any]] = []
    chats = []
    first = START - timedelta(days=30)
    n_hours = int((END - START).total_seconds() // 3600)
    for chat, key in ((TG_CITY, "tg_city"), (TG_POLICE, "tg_police")):
        items: list[tuple[datetime, int, str, Any]] = [
            (r.received, r.rid, "report", r) for r in gen.reports if r.source == key
        ]
        if key == "tg_police":
            for k in range(0, n_hours // 24, 3):
                when = START + timedelta(days=k, hours=int(rng.integers(9, 17)), minutes=int(rng.integers(60)))
                items.append((when, -1, "post", pick(rng, POLICE_POSTS)))
        else:
            for _ in range(160):
                when = START + timedelta(hours=int(rng.integers(1, n_hours)), minutes=int(rng.integers(60)))
                items.append((when, -1, "chatter", pick(rng, CHATTER["uk" if rng.random() < 0.7 else "ru"])))
            for _ in range(60):
                when = START + timedelta(hours=int(rng.integers(1, n_hours)), minutes=int(rng.integers(60)))
                items.append((when, -1, "join", None))
            for _ in range(25):  # photos without a caption: the parser counts and skips them
                when = START + timedelta(hours=int(rng.integers(1, n_hours)), minutes=int(rng.integers(60)))
                items.append((when, -1, "photo", None))
        items.sort(key=lambda it: (it[0], it[1]))
        messages: list[dict[str, Any]] = [
            {
                "id": 1,
                "type": "service",
                **_tg_dates(first),
                "actor": "Адміністратор (DEMO)",
                "actor_id": "user5000000001",
                "action": "create_group",
                "title": chat["name"],
                "members": [],
                "text": "",
                "text_entities": [],
            }
        ]
        ids: dict[int, int] = {}
        last_post: int | None = None
        for when, _, kind, payload in items:
            mid = len(messages) + 1
            if kind == "join":
                uname, uid = tg_user(int(rng.integers(0, 1400)))
                messages.append(
                    {
                        "id": mid,
                        "type": "service",
                        **_tg_dates(when),
                        "actor": uname,
                        "actor_id": uid,
                        "action": "join_group_by_link",
                        "inviter": "Group",
                        "text": "",
                        "text_entities": [],
                    }
                )
                continue
            msg: dict[str, Any] = {"id": mid, "type": "message", **_tg_dates(when)}
            if kind == "post":
                msg |= {"from": TG_CHANNEL["name"], "from_id": f"channel{TG_CHANNEL['id']}", "author": "Прес-служба"}
                text = payload
                last_post = mid
                extra_rows.append(_non_report_row("telegram", f"tg:{chat['id']}:{mid}", when))
            elif kind in ("chatter", "photo"):
                uname, uid = tg_user(int(rng.integers(0, 1400)))
                msg |= {"from": uname, "from_id": uid}
                text = payload or ""
                if kind == "photo":
                    msg |= {
                        "photo": PHOTO_PLACEHOLDER,
                        "photo_file_size": int(rng.integers(60_000, 400_000)),
                        "width": 1280,
                        "height": 960,
                    }
                else:
                    extra_rows.append(_non_report_row("telegram", f"tg:{chat['id']}:{mid}", when))
            else:
                r = payload
                if rng.random() < 0.03:
                    edited = when + timedelta(minutes=int(rng.integers(1, 30)))
                    msg |= {
                        "edited": edited.strftime("%Y-%m-%dT%H:%M:%S"),
                        "edited_unixtime": str(int(edited.timestamp())),
                    }
                uname, uid = tg_user(r.author)
                msg |= {"from": uname, "from_id": uid}
                if r.forward_of is not None:
                    fname, fid = tg_user(by_id[r.forward_of].author)
                    msg |= {"forwarded_from": fname, "forwarded_from_id": fid}
                elif key == "tg_police" and last_post is not None:
                    msg["reply_to_message_id"] = last_post
                elif r.duplicate_of is not None and r.duplicate_of in ids:
                    msg["reply_to_message_id"] = ids[r.duplicate_of]
                if r.photo and r.location is None:
                    msg |= {
                        "photo": PHOTO_PLACEHOLDER,
                        "photo_file_size": int(rng.integers(60_000, 400_000)),
                        "width": 1280,
                        "height": 960,
                    }
                if r.venue is not None:
                    msg |= {"place_name": r.venue[0], "address": r.venue[1]}
                if r.location is not None:
                    msg["location_information"] = {"latitude": r.location[0], "longitude": r.location[1]}
                text = r.rendered.text
                ids[r.rid] = mid
                r.source_ref = f"tg:{chat['id']}:{mid}"
            msg["text"], msg["text_entities"] = text_pieces(text)
            messages.append(msg)
        chats.append({"name": chat["name"], "type": chat["type"], "id": chat["id"], "messages": messages})
    export = {
        "about": "Here is the data you requested. Remember: Telegram is ad free, it doesn't sell your data. "
        f"{LABEL}: every name, number and message in this file is invented.",
        "personal_information": {
            "user_id": 5000000001,
            "first_name": "Адміністратор",
            "last_name": "(DEMO)",
            "phone_number": "+380 00 000 0000",
            "username": "@demo_admin",
            "bio": LABEL,
        },
        "chats": {"about": "This page lists all chats from this export.", "list": chats},
    }
    write_text(path, json.dumps(export, ensure_ascii=False, indent=1) + "\n")
    return extra_rows


def _non_report_row(source: str, ref: str, when: datetime) -> dict[str, Any]:
    return {"source": source, "source_ref": ref, "is_report": 0, "received_at": when.astimezone(UTC).isoformat()}


# ----------------------------------------------------------------------------- Facebook
def mojibake(value: Any) -> Any:
    """What Facebook's exporter does: each UTF-8 byte written as a latin-1 code point,
    so json.dumps(ensure_ascii=True) produces the "\\u00d0\\u00b6" escapes of real files."""
    if isinstance(value, str):
        return value.encode("utf-8").decode("latin-1")
    if isinstance(value, list):
        return [mojibake(v) for v in value]
    if isinstance(value, dict):
        return {mojibake(k): mojibake(v) for k, v in value.items()}
    return value


def fb_name(author: int) -> str:
    first, last = _NAMES[(author * 7) % len(_NAMES)]
    return f"{first} {last}"


def write_facebook(gen: Generator, folder: Path) -> None:
    """DYI JSON: group posts (``group_posts_v2``) and comments (``group_comments_v2``).

    Comments are the same kind of resident report, written under someone's post; a
    duplicate whose original is on Facebook is usually a comment on that post.
    """
    rng = gen.rng
    by_id = {r.rid: r for r in gen.reports}
    posts, comments = [], []
    for r in sorted((r for r in gen.reports if r.source == "facebook"), key=lambda r: (r.received, r.rid)):
        ts = int(r.received.timestamp())
        text = r.rendered.text
        r.source_ref = f"fb:{ts}:{short_hash(text, length=10)}"
        orig = by_id.get(r.duplicate_of) if r.duplicate_of is not None else None
        if (orig is not None and orig.source == "facebook") or rng.random() < 0.25:
            on = fb_name(orig.author if orig is not None else int(rng.integers(0, 800)))
            comments.append(
                {
                    "timestamp": ts,
                    "data": [
                        {"comment": {"timestamp": ts, "comment": text, "author": fb_name(r.author), "group": FB_GROUP}}
                    ],
                    "title": f"{fb_name(r.author)} commented on {on}'s post.",
                }
            )
            continue
        entry: dict[str, Any] = {"timestamp": ts}
        attachments = []
        if r.photo or rng.random() < 0.15:
            attachments.append(
                {
                    "data": [
                        {
                            "media": {
                                "uri": f"your_facebook_activity/posts/media/Group_{ts}.jpg",
                                "creation_timestamp": ts,
                                "title": "",
                            }
                        }
                    ]
                }
            )
        if rng.random() < 0.03:
            lat, lon = gen.city.lonlat(r.event.x + rng.normal(0, 8), r.event.y + rng.normal(0, 8))
            r.location = (lat, lon)
            place = {"name": "Вознесенськ", "coordinate": {"latitude": lat, "longitude": lon}, "address": "", "url": ""}
            attachments.append({"data": [{"place": place}]})
        if attachments:
            entry["attachments"] = attachments
        entry["data"] = [{"post": text}]
        entry["title"] = f"{fb_name(r.author)} posted in {FB_GROUP}."
        posts.append(entry)
    for _ in range(20):  # photo-only posts: counted and skipped by the parser
        ts = int((START + timedelta(hours=int(rng.integers(1, 17000)))).timestamp())
        posts.append(
            {
                "timestamp": ts,
                "attachments": [
                    {
                        "data": [
                            {
                                "media": {
                                    "uri": f"your_facebook_activity/posts/media/Group_{ts}.jpg",
                                    "creation_timestamp": ts,
                                    "title": "",
                                }
                            }
                        ]
                    }
                ],
                "title": f"{fb_name(int(rng.integers(0, 800)))} posted in {FB_GROUP}.",
            }
        )
    posts.sort(key=lambda e: -e["timestamp"])  # newest first, as Facebook lists them
    comments.sort(key=lambda e: -e["timestamp"])
    for name, key, items in (
        ("group_posts_and_comments.json", "group_posts_v2", posts),
        ("your_comments_in_groups.json", "group_comments_v2", comments),
    ):
        write_text(folder / name, json.dumps({key: mojibake(items)}, ensure_ascii=True, indent=2) + "\n")


# ----------------------------------------------------------------------------- hotline CSV
HOTLINE_HEADER = [
    "Номер звернення",
    "Дата звернення",
    "ПІБ заявника",
    "Телефон",
    "Адреса",
    "Зміст звернення",
    "Категорія",
    "Виконавець",
    "Статус",
]
EXECUTOR = {
    "police": "Вознесенський РВП",
    "council": "Управління ЖКГ міськради",
    "community": "ОСББ / громадська організація",
}


def write_hotline(gen: Generator, path: Path) -> list[Report]:
    """The council hotline register: cp1251, ';', dd.mm.yyyy hh:mm, address and text columns.

    Operators write the address in official current names and retell the complaint in
    Ukrainian; the caller's name and phone sit in their own columns (personal data that
    only moderators see). Returns the reports in row order.
    """
    rng = gen.rng
    rows, order = [], []
    hot = sorted((r for r in gen.reports if r.source == "hotline"), key=lambda r: (r.received, r.rid))
    for k, r in enumerate(hot, start=1):
        first, last = _NAMES[(r.author * 13) % len(_NAMES)]
        caller = f"{last} {first} {tx.patronymic(rng, first)}" if rng.random() < 0.8 else ""
        phone = tx.phone(rng) if rng.random() < 0.9 else ""
        status = "Виконано" if r.received < END - timedelta(days=30) and rng.random() < 0.7 else "В роботі"
        cat_label = CATEGORIES[r.event.category].uk if rng.random() < 0.7 else OPERATOR_TOPICS[r.event.category]
        rows.append(
            [
                f"ГЛ-{r.received.year}-{k:05d}",
                r.received.strftime("%d.%m.%Y %H:%M"),
                caller,
                phone,
                gen.formal_address(r),
                r.rendered.text,
                cat_label,
                EXECUTOR[rules()[r.event.category].authority],
                status,
            ]
        )
        order.append(r)
    write_text(path, csv_text(HOTLINE_HEADER, rows, delimiter=";"), encoding="cp1251")
    return order


# The register's own broad topics, which operators use instead of our categories at times.
OPERATOR_TOPICS = {
    "litter": "Благоустрій",
    "greenery": "Благоустрій",
    "graffiti": "Благоустрій",
    "vandalism": "Благоустрій",
    "lighting": "Вуличне освітлення",
    "unsafe_yard": "Благоустрій",
    "noise": "Порушення громадського порядку",
    "drinking": "Порушення громадського порядку",
    "animals": "Тварини",
    "parking": "Паркування",
    "other": "Інше",
}


# ----------------------------------------------------------------------------- Office files
FIXED_ZIP_TIME = (2024, 1, 1, 0, 0, 0)


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def freeze_zip(path: Path) -> None:
    """Rewrite an Office file with fixed member timestamps and a fixed "modified" property
    (openpyxl stamps the save time) so reruns are byte-identical."""
    with zipfile.ZipFile(path) as src:
        members = [(info, src.read(info.filename)) for info in src.infolist()]
    members = [
        (
            info,
            _MODIFIED.sub(rb"\g<1>2024-01-01T00:00:00Z\g<2>", data) if info.filename == "docProps/core.xml" else data,
        )
        for info, data in members
    ]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in members:
            fixed = zipfile.ZipInfo(info.filename, FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, data)


@dataclass(frozen=True)
class Meeting:
    """One of the 10 community meetings of the initiative."""

    id: str
    day: date
    district: str
    place: str
    attendees: int
    fmt: str  # xlsx | docx


MEETINGS: tuple[Meeting, ...] = (
    Meeting("1", date(2024, 2, 15), "Центр", "Вознесенська міська рада, сесійна зала", 64, "xlsx"),
    Meeting("2", date(2024, 4, 11), "Болгарка", "Бібліотека-філія № 2, вул. Бузька", 31, "xlsx"),
    Meeting("3", date(2024, 5, 23), "Заріччя", "ЗОШ № 4, актова зала", 38, "xlsx"),
    Meeting("4", date(2024, 7, 18), "Молодіжний", "ЗОШ № 5, актова зала", 52, "xlsx"),
    Meeting("5", date(2024, 9, 26), "Привокзальний", "Клуб залізничників", 27, "docx"),
    Meeting("6", date(2024, 11, 21), "Південний", "ЗОШ № 7, актова зала", 33, "xlsx"),
    Meeting("7", date(2025, 2, 20), "Східний", "ЗОШ № 8, актова зала", 29, "xlsx"),
    Meeting("8", date(2025, 4, 17), "Центр", "Палац культури", 71, "xlsx"),
    Meeting("9", date(2025, 7, 10), "Заріччя", "Бібліотека-філія № 3", 36, "xlsx"),
    Meeting("10", date(2025, 10, 16), "Молодіжний", "ЗОШ № 9, актова зала", 48, "xlsx"),
)
PROBLEMS_PER_MEETING = 15

SOLUTIONS: dict[str, list[tuple[str, str]]] = {  # (proposed solution, partners)
    "litter": [
        ("Додаткові контейнери і графік вивезення щодня після вихідних", "КП «Благоустрій», ОСББ"),
        ("Толока з прибирання і камера відеоспостереження", "Громадська організація «Чисте місто», волонтери"),
        ("Рейди поліції та штрафи за стихійні звалища", "Поліція, адмінкомісія міськради"),
    ],
    "parking": [
        ("Встановити обмежувальні стовпчики біля газонів", "Управління ЖКГ, підприємці ринку"),
        ("Розмітка і нова парковка поруч", "Міськрада, ТОВ «Ринок»"),
        ("Спільні рейди поліції та інспекторів з паркування", "Поліція, інспекція з благоустрою"),
    ],
    "greenery": [("Висадка нових дерев і охорона зелених зон", "Екологічний клуб ліцею, КП «Зеленбуд»")],
    "graffiti": [("Зафарбувати написи, повідомляти про рекламу наркотиків у поліцію", "Молодіжна рада, художня школа")],
    "vandalism": [("Відновити лавки і поставити камеру", "Міськрада, місцевий бізнес (спонсорство)")],
    "lighting": [("Відремонтувати ліхтарі, перейти на LED з датчиками руху", "КП «Міськсвітло», ОСББ")],
    "unsafe_yard": [("Огородити небезпечні місця, закрити підвали, освітлення двору", "ОСББ, управляюча компанія")],
    "noise": [
        ("Перевірка режиму роботи закладів після 22:00", "Поліція, власники барів"),
        ("Меморандум із закладами про тишу вночі", "Асоціація підприємців, поліція"),
    ],
    "drinking": [
        ("Патрулювання ввечері, заборона продажу алкоголю вночі поруч", "Поліція, міськрада, власники магазинів"),
        ("Громадське формування з охорони порядку", "ГФ «Варта», поліція"),
    ],
    "animals": [
        ("Програма стерилізації і вольєри", "Зоозахисна організація «Друг», ветклініка"),
        ("Облаштувати майданчик для вигулу собак", "Міськрада, зоозахисники"),
    ],
    "other": [("Передати до профільної служби", "Міськрада")],
}
PROBLEM_PHRASES: dict[str, str] = {
    "litter": "постійне сміття і стихійні звалища",
    "parking": "паркування на газонах і тротуарах",
    "greenery": "пошкодження дерев і клумб",
    "graffiti": "графіті та реклама наркотиків на стінах",
    "vandalism": "зламані лавки та зупинки",
    "lighting": "не працює вуличне освітлення",
    "unsafe_yard": "небезпечний двір: відкриті підвали, компанії ввечері",
    "noise": "шум уночі",
    "drinking": "розпивання алкоголю в громадських місцях",
    "animals": "безпритульні собаки, вигул без повідка",
    "other": "інші порушення благоустрою",
}


def write_minutes(gen: Generator, folder: Path) -> None:
    """Nine minutes in the shipped XLSX template and one as a DOCX table (meeting 5)."""
    from openpyxl import load_workbook

    from data.intake.templates import write_minutes_docx_template, write_minutes_template

    folder.mkdir(parents=True, exist_ok=True)
    for m in MEETINGS:
        problems = [r for r in gen.reports if r.meeting_id == m.id]
        rows = []
        for k, r in enumerate(problems, start=1):
            solution, partners = pick(gen.rng, SOLUTIONS[r.event.category])
            category = CATEGORIES[r.event.category].uk if gen.rng.random() < 0.8 else ""
            rows.append([k, gen.formal_address(r), r.rendered.text, category, solution, partners])
        path = folder / f"minutes_{int(m.id):02d}_{m.day:%Y-%m-%d}.{m.fmt}"
        if m.fmt == "xlsx":
            write_minutes_template(path)
            wb = load_workbook(path)
            ws = wb["meeting"]
            ws["B2"], ws["B4"], ws["B5"] = m.id, m.place, m.attendees
            ws["B3"] = datetime(m.day.year, m.day.month, m.day.day)
            for row in rows:
                wb["problems"].append(row)
            wb.properties.title = f"Протокол зустрічі № {m.id} ({LABEL})"
            wb.save(path)
        else:
            import docx

            write_minutes_docx_template(path)
            document = docx.Document(str(path))
            values = {
                "Номер зустрічі": m.id,
                "Дата": m.day.strftime("%d.%m.%Y"),
                "Місце": m.place,
                "Кількість учасників": str(m.attendees),
            }
            for paragraph in document.paragraphs:
                label = paragraph.text.split(" / ")[0].strip()
                if label in values:
                    paragraph.add_run(values[label])
            table = document.tables[0]
            for k, row in enumerate(rows, start=1):
                cells = table.rows[k].cells if k < len(table.rows) else table.add_row().cells
                for cell, value in zip(cells, row, strict=True):
                    cell.text = str(value)
            document.core_properties.title = f"Протокол зустрічі № {m.id} ({LABEL})"
            document.save(str(path))
        freeze_zip(path)


# ----------------------------------------------------------------------------- surveys
SURVEY_WAVES = (("1", date(2024, 3, 1), date(2024, 3, 31)), ("2", date(2025, 10, 1), date(2025, 10, 31)))
SURVEY_N = 600
SURVEY_HEADER = [
    "Хвиля",
    "Номер анкети",
    "Дата опитування",
    "Мікрорайон",
    "Вікова група",
    "Обізнаність про ініціативу",
    "Довіра до поліції",
    "Довіра до міської ради",
    "Довіра до громадських організацій",
]
QUESTIONS = ("awareness", "trust_police", "trust_council", "trust_community")
# Mean answers (1-5) in wave 1; wave 2 moves up, more where the action plan was done.
SURVEY_BASE = {"awareness": 2.4, "trust_police": 2.7, "trust_council": 2.5, "trust_community": 2.9}
SURVEY_GAIN = {"awareness": 0.8, "trust_police": 0.35, "trust_council": 0.3, "trust_community": 0.45}


def write_surveys(gen: Generator, path: Path, actions: list[Action]) -> None:
    """Two survey waves (~600 respondents each), Likert 1-5, respondents spread by population.

    Districts with actions marked done gain more between waves than the others, so the
    change-between-waves layer has something real to show.
    """
    rng = gen.rng
    pops = np.array([d.population for d in gen.city.districts], dtype=float)
    helped = {a.district for a in actions if a.status == "done"}
    rows = []
    for wave, first, last in SURVEY_WAVES:
        days = (last - first).days + 1
        for k in range(SURVEY_N):
            d = gen.city.districts[int(rng.choice(len(pops), p=pops / pops.sum()))]
            answered = first + timedelta(days=int(rng.integers(days)))
            row: list[Any] = [
                wave,
                f"W{wave}-{k + 1:04d}",
                answered.strftime("%d.%m.%Y"),
                d.name,
                pick(rng, ["18-29", "30-44", "45-59", "60+"]),
            ]
            for q in QUESTIONS:
                mean = SURVEY_BASE[q] + (SURVEY_GAIN[q] * (1.5 if d.name in helped else 0.6) if wave == "2" else 0)
                value = int(np.clip(np.rint(rng.normal(mean, 1.0)), 1, 5))
                dont_know = rng.random() < 0.04
                row.append(pick(rng, ["", "важко відповісти"]) if dont_know else value)
            rows.append(row)
    write_text(path, csv_text(SURVEY_HEADER, rows))


# ----------------------------------------------------------------------------- action plan
@dataclass(frozen=True)
class Action:
    """One item of the joint action plan, in the columns of the store's ``actions`` table
    (id, cell, district, owner, owner_org_id, description, due_date, status, public_note,
    meeting_id) plus the planted hotspot and place it answers."""

    id: int
    hotspot: str  # planted hotspot id or ""
    cell: str  # H3 resolution 9 cell of the hotspot centre (the police view), or ""
    district: str
    place: str
    owner: str  # police | council | community
    owner_org_id: str  # an id of ORGANISATIONS
    partners: str
    description: str
    due: date
    status: str  # open | in_progress | done
    public_note: str
    meeting_id: str  # the first meeting that raised this hotspot, or ""


#: the organisations of the dialogue platform: id, Ukrainian name, English name, kind
ORGANISATIONS = (
    ("org-police", "Вознесенський районний відділ поліції", "Voznesensk District Police Department", "police"),
    ("org-council", "Вознесенська міська рада", "Voznesensk City Council", "council"),
    ("org-market-traders", "Асоціація підприємців ринку", "Market Traders' Association", "business"),
    ("org-youth-council", "Молодіжна рада, художня школа", "Youth Council and the Art School", "community"),
    ("org-osbb", "ОСББ", "Homeowners' association", "community"),
    ("org-business", "Асоціація підприємців", "Business Association", "business"),
    ("org-druh", "Зоозахисна організація «Друг»", 'Animal protection group "Druh"', "community"),
    ("org-chyste-misto", "ГО «Чисте місто»", 'NGO "Clean City"', "community"),
)
OWNER_ORG = {"police": "org-police", "council": "org-council"}
COMMUNITY_ORG = {name: org_id for org_id, name, _, _ in ORGANISATIONS} | {
    "Громадська організація «Чисте місто»": "org-chyste-misto"
}


def actions_for(gen: Generator) -> list[Action]:
    """The joint action plan: ~20 actions tied to the planted hotspots and districts."""
    hs = {h.spec.id: h for h in gen.hotspots}
    spec: list[tuple[str, str, str, str, str, date, str, str]] = [
        (
            "hs-market",
            "council",
            "КП «Благоустрій», ТОВ «Ринок»",
            "Щоденне вивезення сміття з ринку о 15:00 і 5 нових контейнерів",
            date(2024, 6, 30),
            "done",
            "Встановлено 5 контейнерів, вивезення щодня після закриття ринку.",
        ),
        (
            "hs-market",
            "police",
            "",
            "Рейди щодо паркування на газонах біля ринку в ранкові години",
            date(2024, 9, 30),
            "done",
            "Проведено 14 рейдів, складено протоколи; кількість скарг зменшилась.",
        ),
        (
            "hs-market",
            "community",
            "Асоціація підприємців ринку",
            "Підприємці облаштовують паркування для покупців",
            date(2025, 12, 31),
            "in_progress",
            "Погоджено ділянку під паркування, триває облаштування.",
        ),
        (
            "hs-bus",
            "council",
            "",
            "Ремонт і освітлення зупинок та урни біля автостанції",
            date(2024, 10, 31),
            "done",
            "Замінено скло на 2 зупинках, встановлено 6 урн і 4 ліхтарі.",
        ),
        (
            "hs-bus",
            "police",
            "ГФ «Варта»",
            "Вечірні патрулі біля автостанції у п'ятницю та суботу",
            date(2025, 12, 31),
            "in_progress",
            "Патрулювання триває щотижня.",
        ),
        (
            "hs-park",
            "council",
            "КП «Міськсвітло»",
            "Освітлення алей парку (LED з датчиками руху)",
            date(2024, 12, 15),
            "done",
            "Встановлено 22 світильники на головних алеях.",
        ),
        (
            "hs-park",
            "community",
            "Молодіжна рада, художня школа",
            "Розпис стін замість графіті, толоки в парку",
            date(2025, 6, 30),
            "done",
            "Проведено 3 толоки, створено 2 муралі.",
        ),
        (
            "hs-park",
            "police",
            "",
            "Патрулювання парку ввечері у теплий сезон",
            date(2025, 9, 30),
            "done",
            "Патрулі щовечора з травня по вересень.",
        ),
        (
            "hs-school",
            "police",
            "Адміністрація школи",
            "Контроль паркування біля школи о 7:30-8:30, безпечний маршрут",
            date(2024, 11, 30),
            "done",
            "Встановлено обмежувальні стовпчики, проведено урок безпеки.",
        ),
        (
            "hs-school",
            "council",
            "",
            "Огорожа і камера на шкільному подвір'ї",
            date(2025, 3, 31),
            "in_progress",
            "Огорожу встановлено, камеру замовлено.",
        ),
        (
            "hs-flats",
            "community",
            "ОСББ",
            "Закрити підвали, освітлення двору, графік прибирання",
            date(2024, 8, 31),
            "done",
            "Підвали закрито на замки, у дворі 3 нові ліхтарі.",
        ),
        (
            "hs-flats",
            "council",
            "Управляюча компанія",
            "Нова парковка біля будинків замість газонів",
            date(2025, 10, 31),
            "open",
            "",
        ),
        (
            "hs-bars",
            "police",
            "Власники барів",
            "Перевірки режиму роботи закладів після 22:00",
            date(2025, 12, 31),
            "in_progress",
            "Проведено перевірки 7 закладів, двом винесено попередження.",
        ),
        (
            "hs-bars",
            "community",
            "Асоціація підприємців",
            "Меморандум закладів про тишу вночі і прибирання вулиці",
            date(2025, 5, 31),
            "done",
            "Меморандум підписали 6 із 7 закладів.",
        ),
        (
            "hs-rail",
            "community",
            "Зоозахисна організація «Друг»",
            "Стерилізація безпритульних собак біля вокзалу",
            date(2025, 4, 30),
            "done",
            "Стерилізовано 38 собак, облаштовано 2 вольєри.",
        ),
        (
            "hs-rail",
            "council",
            "Укрзалізниця",
            "Освітлення переходу до вокзалу",
            date(2025, 11, 30),
            "in_progress",
            "Погоджено проєкт з Укрзалізницею.",
        ),
        (
            "hs-emerging",
            "police",
            "",
            "Контроль продажу алкоголю вночі біля нового цілодобового магазину",
            date(2026, 1, 31),
            "open",
            "",
        ),
        (
            "hs-emerging",
            "council",
            "Власник магазину",
            "Урни і освітлення біля магазину, перевірка ліцензії",
            date(2026, 2, 28),
            "open",
            "",
        ),
        (
            "hs-fading",
            "council",
            "КП «Благоустрій»",
            "Ліквідація стихійного звалища за гаражами і камера",
            date(2025, 4, 30),
            "done",
            "Вивезено 40 т сміття, встановлено камеру; скарг щомісяця меншає.",
        ),
        (
            "hs-fading",
            "community",
            "Громадська організація «Чисте місто»",
            "Толока і висадка дерев на місці звалища",
            date(2025, 5, 31),
            "done",
            "Висаджено 25 дерев силами волонтерів.",
        ),
        (
            "",
            "council",
            "",
            "Програма заміни ліхтарів на LED у приватному секторі Болгарки",
            date(2025, 12, 31),
            "in_progress",
            "Замінено 120 зі 200 ліхтарів.",
        ),
    ]
    out = []
    for k, (hid, owner, partner, desc, due, status, note) in enumerate(spec, start=1):
        h = hs.get(hid)
        if h is not None:
            lat, lon = gen.city.lonlat(h.x, h.y)
            cell, district, place = h3.latlng_to_cell(lat, lon, 9), h.district, h.name
        else:
            cell, district, place = "", "Болгарка", "Болгарка, приватний сектор"
        meetings = sorted(
            (r.event.occurred, r.meeting_id) for r in gen.reports if r.meeting_id and r.event.hotspot == hid
        )
        owner_org = OWNER_ORG.get(owner) or COMMUNITY_ORG[partner]
        out.append(
            Action(
                k,
                hid,
                cell,
                district,
                place,
                owner,
                owner_org,
                "" if owner == "community" else partner,
                desc,
                due,
                status,
                note,
                meetings[0][1] if meetings and hid else "",
            )
        )
    return out


# ----------------------------------------------------------------------------- answer key and tables
def assign_tabular_refs(gen: Generator, src: Path) -> None:
    """Give hotline rows and minute problems the source_ref their parsers compute.

    Those refs are content hashes over normalised cells and parsed dates; reading the
    written files back through the real parsers is the one way to be exactly right.
    """
    from data.intake.minutes import parse_minutes
    from data.intake.tabular import parse_table

    hot = sorted((r for r in gen.reports if r.source == "hotline"), key=lambda r: (r.received, r.rid))
    _take_refs(hot, parse_table(src / "hotline" / "hotline_2024-2025.csv").items, "hotline")
    for m in MEETINGS:
        path = src / "minutes" / f"minutes_{int(m.id):02d}_{m.day:%Y-%m-%d}.{m.fmt}"
        _take_refs([r for r in gen.reports if r.meeting_id == m.id], parse_minutes(path).items, path.name)


def _take_refs(reports: list[Report], items: Iterable[Any], what: str) -> None:
    parsed = list(items)
    if len(parsed) != len(reports) or any(not hasattr(p, "received_at") for p in parsed):
        raise RuntimeError(f"{what}: the parser read {len(parsed)} records back, {len(reports)} were written")
    for r, p in zip(reports, parsed, strict=True):
        r.source_ref = p.source_ref


SOURCE_NAME = {
    "tg_city": "telegram",
    "tg_police": "telegram",
    "facebook": "facebook",
    "hotline": "csv",
    "meeting": "meeting",
}
GROUND_TRUTH_HEADER = [
    "source",
    "source_ref",
    "is_report",
    "event_id",
    "received_at",
    "occurred_at",
    "lat",
    "lon",
    "category",
    "hotspot_id",
    "is_duplicate_of",
    "locatable",
    "expected_level",
    "expected_street",
    "expected_street2",
    "expected_house",
    "expected_landmark",
    "expected_landmark_name",
    "district",
    "has_location",
    "lang",
    "time_phrase",
    "pii_kinds",
    "pii_values",
    "variants",
    "meeting_id",
]
USERS = (
    ("police", "police", "demo-police-2025", "org-police"),
    ("council", "council", "demo-council-2025", "org-council"),
    ("partner", "partner", "demo-partner-2025", "org-chyste-misto"),
    ("moderator", "moderator", "demo-moderator-2025", "org-council"),
    ("admin", "admin", "demo-admin-2025", ""),
)


def write_tables(gen: Generator, out: Path, actions: list[Action], extra_rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The answer key, the side tables and the labels; returns the summary written to meta.json."""
    c = gen.city
    by_id = {r.rid: r for r in gen.reports}
    lm_by_id = {m["id"]: m for m in c.landmarks}
    rows: list[dict[str, Any]] = []
    for r in sorted(gen.reports, key=lambda r: (r.received, r.rid)):
        if not r.source_ref:
            raise RuntimeError(f"report {r.rid} ({r.source}) was not written")
        lat, lon = c.lonlat(r.event.x, r.event.y)
        rd = r.rendered
        rows.append(
            {
                "source": SOURCE_NAME[r.source],
                "source_ref": r.source_ref,
                "is_report": 1,
                "event_id": r.event.eid,
                "received_at": r.received.astimezone(UTC).isoformat(),
                "occurred_at": r.event.occurred.astimezone(UTC).isoformat(),
                "lat": lat,
                "lon": lon,
                "category": r.event.category,
                "hotspot_id": r.event.hotspot,
                "is_duplicate_of": by_id[r.duplicate_of].source_ref if r.duplicate_of is not None else "",
                "locatable": int(r.level != "none" or r.location is not None),
                "expected_level": r.level,
                "expected_street": rd.street,
                "expected_street2": rd.street2,
                "expected_house": rd.house,
                "expected_landmark": rd.landmark_id,
                "expected_landmark_name": lm_by_id[rd.landmark_id]["name"] if rd.landmark_id else "",
                "district": r.event.district,
                "has_location": int(r.location is not None),
                "lang": r.lang,
                "time_phrase": r.time_phrase,
                "pii_kinds": "|".join(k for k, _ in r.pii),
                "pii_values": "|".join(v for _, v in r.pii),
                "variants": "|".join(dict.fromkeys(rd.variants)),
                "meeting_id": r.meeting_id,
            }
        )
    rows += extra_rows
    rows.sort(key=lambda row: (row["received_at"], row["source"], row["source_ref"]))
    write_text(
        out / "ground_truth.csv",
        csv_text(GROUND_TRUTH_HEADER, ([row.get(k, "") for k in GROUND_TRUTH_HEADER] for row in rows)),
    )

    write_text(
        out / "districts.csv",
        csv_text(["district", "district_ru", "population"], ([d.name, d.name_ru, d.population] for d in c.districts)),
    )
    hs_rows = []
    for h in gen.hotspots:
        lat, lon = c.lonlat(h.x, h.y)
        n = sum(1 for r in gen.reports if r.event.hotspot == h.spec.id)
        hs_rows.append(
            [
                h.spec.id,
                h.spec.kind,
                lat,
                lon,
                h.name,
                h.district,
                h.spec.spread_m,
                c.landmarks[h.landmark]["id"] if h.landmark is not None else "",
                "|".join(h.spec.mix),
                n,
            ]
        )
    write_text(
        out / "hotspots.csv",
        csv_text(
            [
                "hotspot_id",
                "kind",
                "lat",
                "lon",
                "name",
                "district",
                "spread_m",
                "landmark_id",
                "categories",
                "reports",
            ],
            hs_rows,
        ),
    )
    write_text(
        out / "meetings.csv",
        csv_text(
            ["meeting_id", "date", "place", "district", "attendees", "format", "problems"],
            (
                [
                    m.id,
                    m.day.isoformat(),
                    m.place,
                    m.district,
                    m.attendees,
                    m.fmt,
                    sum(1 for r in gen.reports if r.meeting_id == m.id),
                ]
                for m in MEETINGS
            ),
        ),
    )
    write_text(
        out / "actions.csv",
        csv_text(
            [
                "id",
                "cell",
                "district",
                "owner",
                "owner_org_id",
                "description",
                "due_date",
                "status",
                "public_note",
                "meeting_id",
                "hotspot_id",
                "place",
                "partners",
            ],
            (
                [
                    a.id,
                    a.cell,
                    a.district,
                    a.owner,
                    a.owner_org_id,
                    a.description,
                    a.due.isoformat(),
                    a.status,
                    a.public_note,
                    a.meeting_id,
                    a.hotspot,
                    a.place,
                    a.partners,
                ]
                for a in actions
            ),
        ),
    )
    users = [
        f"# {LABEL}: demo accounts for demo mode ONLY (HOTSPOTS_MODE=demo).",
        "# Never load these into a production deployment; the passwords are public.",
        "",
    ]
    for username, role, password, org in USERS:
        users += [
            "[[users]]",
            f'username = "{username}"',
            f'role = "{role}"',
            f'password = "{password}"',
            f'organisation_id = "{org}"',
            "demo = true",
            "",
        ]
    write_text(out / "users.toml", "\n".join(users))
    write_text(out / "organisations.csv", csv_text(["id", "name_uk", "name_en", "kind"], ORGANISATIONS))

    reports = [r for r in rows if r["is_report"] == 1]
    summary: dict[str, Any] = {
        "now": NOW,
        "label": LABEL,
        "synthetic": True,
        "seed": gen.seed,
        "period": {"from": "2024-01-01", "to": "2025-12-31", "timezone": "Europe/Kyiv"},
        "gazetteer_sha256": c.sha256,
        "counts": {
            "reports": len(reports),
            "events": len({r["event_id"] for r in reports}),
            "duplicates": sum(1 for r in reports if r["is_duplicate_of"]),
            "unlocatable": sum(1 for r in reports if not r["locatable"]),
            "with_pii": sum(1 for r in reports if r["pii_kinds"]),
            "with_location": sum(1 for r in reports if r["has_location"]),
            "non_report_messages": len(rows) - len(reports),
            "by_source": dict(sorted(Counter(r["source"] for r in reports).items())),
            "by_category": dict(sorted(Counter(r["category"] for r in reports).items())),
            "by_hotspot": dict(sorted(Counter(r["hotspot_id"] or "background" for r in reports).items())),
        },
    }
    write_text(out / "meta.json", json.dumps(summary, ensure_ascii=False, indent=1) + "\n")
    return summary
