"""Command line: every subcommand calls the same functions as the dashboard.

    python cli.py import FILE...           import source files (one batch each)
    python cli.py geocode < texts.txt      one JSON object per input line
    python cli.py hotspots --res 9 --method gistar --out cells.geojson
    python cli.py db upgrade               bring the schema up to date
    python cli.py gazetteer build FILE.osm build the gazetteer from an OSM extract
    python cli.py demo load                import the bundled demo data
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from encoders import json_line, terminal

app = typer.Typer(help="Voznesensk safety hotspot map", no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Database schema and backups", no_args_is_help=True)
gazetteer_app = typer.Typer(help="Gazetteer of streets, addresses and landmarks", no_args_is_help=True)
demo_app = typer.Typer(help="The bundled demo city and its synthetic reports", no_args_is_help=True)
users_app = typer.Typer(help="Users and roles", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(gazetteer_app, name="gazetteer")
app.add_typer(demo_app, name="demo")
app.add_typer(users_app, name="users")
console = Console(stderr=True)


def shown(value: object) -> str:
    """Untrusted text (file names, messages, user names) for the rich console: terminal
    escapes and bidi characters shown, rich's [markup] taken literally."""
    return escape(terminal(value))


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console)


@app.command("import")
def import_files(
    files: Annotated[list[Path], typer.Argument(help="Telegram/Facebook JSON, CSV, XLSX, DOCX minutes, surveys")],
    kind: Annotated[str | None, typer.Option(help="force the file kind instead of detecting it")] = None,
    mapping: Annotated[Path | None, typer.Option(help="JSON column mapping for CSV/XLSX files")] = None,
) -> None:
    """Import source files; each file is one transaction and one batch."""
    from data import intake
    from data.importer import import_file
    from data.store import open_store

    engine = open_store()
    column_mapping = json.loads(mapping.read_text(encoding="utf-8")) if mapping else None
    failed = 0
    for path in files:
        with _progress() as bar:
            task = bar.add_task(shown(path.name), total=None)
            try:
                summary = import_file(path, engine, kind=kind, column_mapping=column_mapping, actor="cli",
                                      progress=lambda done, total: bar.update(task, completed=done, total=total))
            except (intake.UnreadableFile, FileNotFoundError) as exc:
                console.print(f"[red]error[/red] {shown(exc)}")
                failed += 1
                continue
        print(json_line(summary.as_dict()))
    raise typer.Exit(1 if failed else 0)


@app.command()
def geocode() -> None:
    """Read one text per line on stdin, write one JSON object (the geocoder's answer) per line."""
    from geo.geocoder import geocode_lines

    for answer in geocode_lines(line.rstrip("\n") for line in sys.stdin):
        sys.stdout.write(json_line(answer) + "\n")


@app.command()
def hotspots(
    out: Annotated[Path, typer.Option(help="output file: .csv or .geojson")],
    res: Annotated[int, typer.Option(min=7, max=10, help="H3 resolution")] = 9,
    method: Annotated[str, typer.Option(help="gistar | kde | dbscan | hdbscan | emerging")] = "gistar",
    date_from: Annotated[str | None, typer.Option("--from", help="first month, YYYY-MM")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="last month, YYYY-MM")] = None,
    category: Annotated[list[str] | None, typer.Option(help="category slug (repeatable)")] = None,
) -> None:
    """Hotspot table of every cell of the city (Gi*: n, z, p, bin) as CSV or GeoJSON."""
    from services.hotspots import hotspot_table, write_table

    table = hotspot_table(method=method, res=res, month_from=date_from, month_to=date_to, categories=category)
    if not table.attrs.get("ok", True):
        console.print(f"[yellow]insufficient data[/yellow]: {shown(table.attrs.get('reason'))}")
    write_table(table, out)
    summary = {k: table.attrs[k] for k in ("n_in", "n_outside", "n_too_vague", "n_missing") if k in table.attrs}
    console.print(f"wrote {len(table)} rows to {shown(out)} {summary}")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database schema to the newest revision."""
    from data.store import database_url, open_store
    from data.store.db import table_names

    engine = open_store()
    console.print(f"schema up to date at {database_url()}: {', '.join(table_names(engine))}")


@db_app.command("backup")
def db_backup(dest: Annotated[Path, typer.Argument(help="backup file to write (never overwritten)")]) -> None:
    """A consistent copy of the store while the app runs (SQLite backup API or pg_dump)."""
    from data.store import open_store
    from data.store.ops import backup

    console.print(f"backup written to {backup(open_store(), dest)}")


@db_app.command("purge")
def db_purge(
    dry_run: Annotated[bool, typer.Option(help="report what would be purged, change nothing")] = False,
    retention_days: Annotated[int, typer.Option(help="reports older than this are anonymised")] = 730,
    contact_days: Annotated[int, typer.Option(help="reporters' contacts older than this are deleted")] = 90,
    now: Annotated[str | None, typer.Option(help="ISO time to purge as of (default: now)")] = None,
) -> None:
    """The retention purge: delete old contacts, anonymise old reports, drop old quarantine."""
    from datetime import UTC, datetime

    from data.store import open_store
    from data.store.ops import purge

    when = datetime.fromisoformat(now) if now else datetime.now(UTC)
    summary = purge(open_store(), when if when.tzinfo else when.replace(tzinfo=UTC), retention_days,
                    contact_retention_days=contact_days, actor="cli", dry_run=dry_run)
    print(json_line(summary.as_dict()))


@db_app.command("public-login")
def db_public_login() -> None:
    """Let the public pages log in as the read-only `hotspots_public` role (PostgreSQL)."""
    import os

    from data.store import open_store
    from data.store.postgis import enable_public_login

    password = os.environ.get("HOTSPOTS_PUBLIC_DB_PASSWORD")
    if not password:
        console.print("[red]error[/red] set HOTSPOTS_PUBLIC_DB_PASSWORD first")
        raise typer.Exit(2)
    enable_public_login(open_store(), password)
    console.print("hotspots_public may now log in")


@gazetteer_app.command("build")
def gazetteer_build(
    source: Annotated[Path, typer.Argument(help="OpenStreetMap extract (.osm or .osm.pbf)")],
    out: Annotated[Path | None, typer.Option(help="where to write the gazetteer JSON")] = None,
) -> None:
    """Build the gazetteer from an OpenStreetMap extract (reproducible, byte-identical)."""
    from geo.gazetteer import DEFAULT_GAZETTEER
    from geo.osm import build_gazetteer, write_gazetteer

    target = out or DEFAULT_GAZETTEER
    data = build_gazetteer(source)
    write_gazetteer(data, target)
    console.print(f"{len(data['streets'])} streets, {len(data['addresses'])} addresses, "
                  f"{len(data['landmarks'])} landmarks, {len(data['districts'])} districts -> {target}")


@demo_app.command("load")
def demo_load() -> None:
    """Import the bundled demo sources through the real intake pipeline."""
    from services.demo import load_demo
    from data.store import open_store

    with _progress() as bar:
        task = bar.add_task("demo data", total=None)
        result = load_demo(open_store(), progress=lambda done, total: bar.update(task, completed=done, total=total))
    print(json_line(result, default=str))


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="login name")],
    role: Annotated[str, typer.Option(help="police | council | partner | moderator | admin")],
    organisation: Annotated[str | None, typer.Option(help="the partner's organisation")] = None,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True,
                                          help="asked for when not given")] = "",
) -> None:
    """Create a user or reset its password and role (the first admin starts here)."""
    from auth.users import add_user
    from data.store import open_store

    try:
        user = add_user(open_store(), username, password, role, organisation=organisation)
    except ValueError as exc:
        console.print(f"[red]error[/red] {shown(exc)}")
        raise typer.Exit(2) from exc
    console.print(f"user {shown(user.username)} ({shown(user.role)}) saved")


if __name__ == "__main__":
    app()
