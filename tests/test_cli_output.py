"""The CLI shows untrusted text (user names, messages, JSON answers) without letting it
drive the terminal: no escape sequence, carriage return or bidi override gets through."""

from __future__ import annotations

import io
import json

from typer.testing import CliRunner

import cli
from encoders import json_line, terminal

HOSTILE = "evil\x1b[2J\x1b]0;owned\x07\r\u202egpj.exe\x9b31m[bold red]x[/bold red]"
RAW = ("\x1b", "\x07", "\r", "\u202e", "\x9b")


def test_shown_text_cannot_drive_the_terminal_or_rich_markup() -> None:
    buffer = io.StringIO()
    console = cli.Console(file=buffer, force_terminal=True, color_system=None, width=400)
    console.print(f"user {cli.shown(HOSTILE)} saved")
    out = buffer.getvalue()
    assert not any(ch in out for ch in RAW)
    assert "[bold red]x[/bold red]" in out  # markup shown literally, not applied
    assert "‹U+202E›" in out and "‹U+001B›" in out


def test_json_lines_stay_exact_but_escape_what_a_terminal_acts_on() -> None:
    value = {"text": HOSTILE, "place": "вул. Соборності"}
    line = json_line(value)
    assert json.loads(line) == value
    assert not any(ch in line for ch in RAW) and "вул. Соборності" in line
    assert "\n" not in json_line({"t": "a\nb\u2028c"})


def test_terminal_keeps_newlines_and_shows_tabs() -> None:
    assert terminal("a\nb\tc") == "a\nb‹U+0009›c"


def test_users_add_prints_a_hostile_name_visibly(monkeypatch, sqlite_url) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    result = CliRunner().invoke(
        cli.app, ["users", "add", HOSTILE, "--role", "police", "--password", "a-long-enough-password-1"]
    )
    out = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "evil" in out, out
    assert not any(ch in out for ch in RAW), repr(out)


def test_db_upgrade_never_prints_the_database_password(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from cli import app
    from data.store.db import make_engine

    monkeypatch.setattr("data.store.database_url", lambda: "postgresql+psycopg://u:s3cret-pw@db.example/x")
    monkeypatch.setattr("data.store.open_store", lambda: make_engine(f"sqlite:///{tmp_path / 'x.db'}"))
    result = CliRunner().invoke(app, ["db", "upgrade"])
    assert "s3cret-pw" not in result.output and "***" in result.output, result.output
