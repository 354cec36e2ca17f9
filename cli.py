"""Command line: every subcommand calls the same functions as the dashboard.

python cli.py import FILE...           import source files (one batch each)
python cli.py geocode < texts.txt      one JSON object per input line (--gazetteer G.json)
python cli.py hotspots --res 9 --method gistar --out cells.geojson
python cli.py forecast --until 2025-12-01 --days 28 --out ranking.csv
python cli.py forecast --evaluate       back-test the forecasts, store the result
python cli.py db upgrade               bring the schema up to date
python cli.py gazetteer build [FILE.osm] build the gazetteer (default: the city profile's extract)
python cli.py city init X.osm.pbf --name N --tz Area/City --out var/city.toml   profile + gazetteer
python cli.py demo load                import the bundled demo data (and publish its releases)
python cli.py release publish [--month YYYY-MM]   publish the due monthly public releases
python cli.py public export --out DIR  write every release's public files for audit
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from encoders import json_line, terminal

if TYPE_CHECKING:
    from multiprocessing.pool import Pool

    from sqlalchemy import Engine

    from data.intake import IntakeOptions

app = typer.Typer(
    help="Safety hotspot map of the city in CITY_PROFILE (default: the demo city)",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema and backups", no_args_is_help=True)
gazetteer_app = typer.Typer(help="Gazetteer of streets, addresses and landmarks", no_args_is_help=True)
demo_app = typer.Typer(help="The bundled demo city and its synthetic reports", no_args_is_help=True)
users_app = typer.Typer(help="Users and roles", no_args_is_help=True)
release_app = typer.Typer(help="Numbered, frozen monthly public releases", no_args_is_help=True)
public_app = typer.Typer(help="The public numbers as files", no_args_is_help=True)
city_app = typer.Typer(help="A city of its own: profile and gazetteer from its OSM extract", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(gazetteer_app, name="gazetteer")
app.add_typer(demo_app, name="demo")
app.add_typer(users_app, name="users")
app.add_typer(release_app, name="release")
app.add_typer(public_app, name="public")
app.add_typer(city_app, name="city")
console = Console(stderr=True)


def shown(value: object) -> str:
    """Untrusted text (file names, messages, user names) for the rich console: terminal
    escapes and bidi characters shown, rich's [markup] taken literally."""
    return escape(terminal(value))


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    )


@app.command("import")
def import_files(
    files: Annotated[list[Path], typer.Argument(help="Telegram/Facebook JSON, CSV, XLSX, DOCX minutes, surveys")],
    kind: Annotated[str | None, typer.Option(help="force the file kind instead of detecting it")] = None,
    mapping: Annotated[Path | None, typer.Option(help="JSON column mapping for CSV/XLSX files")] = None,
    dayfirst: Annotated[bool, typer.Option("--dayfirst", help="dates the values leave open are day first")] = False,
    monthfirst: Annotated[
        bool, typer.Option("--monthfirst", help="dates the values leave open are month first (US style)")
    ] = False,
    crs: Annotated[
        str | None, typer.Option(help="coordinate system of projected X/Y columns, e.g. an EPSG:326NN UTM zone")
    ] = None,
    lang: Annotated[
        str, typer.Option(envvar="HOTSPOTS_LANG", help="language of the problems printed: uk (default) or en")
    ] = "uk",
) -> None:
    """Import source files; each file is one transaction and one batch.

    Prints one JSON summary per file (with the accounting identity; problems and notes as
    codes with parameters) on stdout. Exits 1 when a file could not be read to its end
    (damaged, over a bound, unknown or not a report file), with one line per problem on
    stderr in ``--lang``; reports that could not be placed go to the moderator's queue
    and do not fail a file.
    """
    from data import intake
    from data.store import open_store
    from i18n import LANGS
    from services.importer import import_pool

    if dayfirst and monthfirst:
        console.print("[red]error[/red] give --dayfirst or --monthfirst, not both")
        raise typer.Exit(2)
    if lang not in LANGS:
        console.print(f"[red]error[/red] --lang must be one of {', '.join(LANGS)}")
        raise typer.Exit(2)
    options = intake.IntakeOptions(date_order="dayfirst" if dayfirst else "monthfirst" if monthfirst else None, crs=crs)
    engine = open_store()
    column_mapping = json.loads(mapping.read_text(encoding="utf-8")) if mapping else None
    problems: list[str] = []
    with import_pool() as pool:  # forked before the progress bar's thread exists
        stored = _import_each(files, engine, kind, column_mapping, options, pool, problems, lang)
    if stored:  # a new batch: the forecasts' back-test is out of date
        _evaluate_forecasts(engine)
    for problem in problems:
        console.print(f"[red]error[/red] {shown(problem)}", soft_wrap=True, highlight=False)
    raise typer.Exit(1 if problems else 0)


def _import_each(
    files: list[Path],
    engine: Engine,
    kind: str | None,
    column_mapping: dict[str, Any] | None,
    options: IntakeOptions,
    pool: Pool | None,
    problems: list[str],
    lang: str,
) -> int:
    """Import the files one by one; the number that made a batch. Problems are named in `lang`."""
    from data import intake
    from data.messages import msg
    from i18n import say, t
    from services.importer import AccountingError, import_file

    stored = 0
    for path in files:
        with _progress() as bar:
            task = bar.add_task(shown(path.name), total=None)
            try:
                summary = import_file(
                    path,
                    engine,
                    kind=kind,
                    column_mapping=column_mapping,
                    actor="cli",
                    options=options,
                    pool=pool,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),  # noqa: B023
                )
            except intake.UnreadableFile as exc:
                problems.append(f"{exc.name}: {say(exc.problem, lang)}")
                continue
            except AccountingError as exc:  # a bug, for developers
                problems.append(str(exc))
                continue
            except OSError as exc:
                problems.append(f"{path.name}: {say(msg('file_cannot_read', detail=str(exc.strerror or exc)), lang)}")
                continue
        print(json_line(summary.as_dict() | {"accounting": summary.accounting()}))
        counts = {k: v for k, v in summary.as_dict().items() if isinstance(v, int) and not isinstance(v, bool)}
        console.print(shown(t("mod.batch_line", lang, **counts | {"file_name": path.name})))
        problems.extend(say(problem, lang) for problem in summary.problems)
        stored += summary.same_file_batch is None
    return stored


def _evaluate_forecasts(engine: object, **params: object) -> None:
    """Back-test the forecasts on the store as it is now and keep the result (the police page reads it)."""
    from services.forecast import evaluate_and_store

    with console.status("back-testing the forecasts"):
        for row in evaluate_and_store(engine, **params):  # type: ignore[arg-type]
            console.print(f"forecast back-test: {escape(json_line(row))}")


@app.command()
def geocode(
    gazetteer: Annotated[
        Path | None, typer.Option(help="gazetteer JSON (from `gazetteer build`); default: the configured one")
    ] = None,
) -> None:
    """Read one text per line on stdin, write one JSON object (the geocoder's answer) per line."""
    from geo.gazetteer import load_gazetteer
    from geo.geocoding import geocode_lines

    gaz = load_gazetteer(gazetteer) if gazetteer is not None else None
    for answer in geocode_lines((line.rstrip("\n") for line in sys.stdin), gazetteer=gaz):
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
    from i18n import say
    from services.hotspots import hotspot_table, write_table

    table = hotspot_table(method=method, res=res, month_from=date_from, month_to=date_to, categories=category)
    if not table.attrs.get("ok", True):
        console.print(f"[yellow]insufficient data[/yellow]: {shown(say(table.attrs['reason'], 'en'))}")
    write_table(table, out)
    summary = {k: table.attrs[k] for k in ("n_in", "n_outside", "n_too_vague", "n_missing") if k in table.attrs}
    console.print(f"wrote {len(table)} rows to {shown(out)} {summary}")


@app.command()
def forecast(
    out: Annotated[
        Path | None,
        typer.Option(help="ranking of every cell, .csv or .geojson: cell, score, rank, place, landmark, district"),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            help="forecast from this local day on, YYYY-MM-DD; only reports before it are used (default: today)"
        ),
    ] = None,
    days: Annotated[int, typer.Option(min=1, help="horizon in days (7 = a police week)")] = 28,
    res: Annotated[int, typer.Option(min=7, max=10, help="H3 resolution")] = 9,
    category: Annotated[list[str] | None, typer.Option(help="category slug (repeatable)")] = None,
    method: Annotated[
        str | None,
        typer.Option(
            help="naive | long_run | kde | gistar | prospective | sepp | blend (default: the back-test's winner)"
        ),
    ] = None,
    evaluate: Annotated[bool, typer.Option("--evaluate", help="back-test every method, store the result")] = False,
    folds: Annotated[int, typer.Option(min=2, help="rolling origins of the back-test")] = 12,
) -> None:
    """Forecast ranking of every cell, or (--evaluate) the back-test the police's default comes from."""
    from datetime import date

    from data.categories import CATEGORIES
    from data.store import open_store
    from services.forecast import choose_default, default_forecast, with_places
    from services.hotspots import write_table

    unknown = sorted(set(category or ()) - set(CATEGORIES))
    if unknown:
        console.print(f"[red]error[/red] unknown categories {shown(unknown)}; choose from {sorted(CATEGORIES)}")
        raise typer.Exit(2)
    engine = open_store()
    if evaluate:
        keys: list[str | None] = list(category) if category else [None]
        _evaluate_forecasts(engine, res=res, horizon_days=days, categories=keys, folds=folds)
    if out is None:
        if not evaluate:
            console.print("[red]error[/red] give --out for a ranking, or --evaluate")
            raise typer.Exit(2)
        return
    day = date.fromisoformat(until) if until else None
    try:
        chosen, why = (
            (method, "given")
            if method
            else choose_default(engine, until=day, horizon_days=days, res=res, categories=category, folds=folds)
        )
        table = with_places(
            default_forecast(engine, until=day, horizon_days=days, res=res, categories=category, method=chosen)
        )
    except ValueError as exc:
        console.print(f"[red]error[/red] {shown(exc)}")
        raise typer.Exit(2) from exc
    write_table(table, out)
    console.print(
        f"wrote {len(table)} cells to {shown(out)}: method {shown(chosen)} ({why}), {days} days from "
        f"{table.attrs['until']}"
    )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database schema to the newest revision."""
    from sqlalchemy import make_url

    from data.store import database_url, open_store
    from data.store.db import table_names

    engine = open_store()
    where = make_url(database_url()).render_as_string(hide_password=True)  # no secret on the screen or in logs
    console.print(f"schema up to date at {shown(where)}: {', '.join(table_names(engine))}")


@db_app.command("backup")
def db_backup(dest: Annotated[Path, typer.Argument(help="backup file to write (never overwritten)")]) -> None:
    """A consistent copy of the store while the app runs (SQLite backup API or pg_dump)."""
    from data.store import open_store
    from data.store.ops import backup

    console.print(f"backup written to {backup(open_store(), dest)}")


@db_app.command("purge")
def db_purge(
    dry_run: Annotated[bool, typer.Option(help="report what would be purged, change nothing")] = False,
    retention_days: Annotated[
        int | None, typer.Option(help="reports older than this many days are anonymised (default: the city profile's)")
    ] = None,
    contact_days: Annotated[
        int | None,
        typer.Option(help="reporters' contacts older than this many days are deleted (default: the city profile's)"),
    ] = None,
    now: Annotated[str | None, typer.Option(help="ISO time to purge as of (default: now)")] = None,
) -> None:
    """The retention purge: delete old contacts, anonymise old reports, drop old quarantine."""
    from datetime import UTC, datetime

    from data.store import open_store
    from data.store.ops import purge

    when = datetime.fromisoformat(now) if now else datetime.now(UTC)
    summary = purge(
        open_store(),
        when if when.tzinfo else when.replace(tzinfo=UTC),
        retention_days,
        contact_retention_days=contact_days,
        actor="cli",
        dry_run=dry_run,
    )
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
    source: Annotated[
        Path | None, typer.Argument(help="OpenStreetMap extract (.osm or .osm.pbf); default: the city profile's")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="where to write the gazetteer JSON; default: the city profile's gazetteer")
    ] = None,
) -> None:
    """Build the gazetteer from an OpenStreetMap extract (reproducible, byte-identical).

    The city profile's own extract is built with the profile's study area and districts.
    """
    from data.city_profile import profile
    from geo.areas import AreaError
    from geo.city import build_city_gazetteer
    from geo.gazetteer import selected_gazetteer
    from geo.osm import build_gazetteer, write_gazetteer

    city = profile()
    target = out or selected_gazetteer()
    try:
        if source is None or (city.osm_extract is not None and source.resolve() == city.osm_extract.resolve()):
            built = build_city_gazetteer(city)
            data = built.data
            for item in built.skipped_districts:
                console.print(f"[yellow]district skipped[/yellow] {shown(item)}")
        else:
            data = build_gazetteer(source)
    except AreaError as exc:
        console.print(f"[red]error[/red] {shown(exc)}")
        raise typer.Exit(2) from exc
    if data["meta"].get("boundary_source") == "street_hull":
        console.print(
            "[yellow]warning[/yellow] the extract has no complete city boundary: this gazetteer's study "
            "area is the hull of the streets. For a deployment run `cli.py city init` with --study-area."
        )
    write_gazetteer(data, target)
    console.print(
        f"{len(data['streets'])} streets, {len(data['addresses'])} addresses, "
        f"{len(data['landmarks'])} landmarks, {len(data['districts'])} districts -> {shown(target)}"
    )


@city_app.command("init")
def city_init(
    extract: Annotated[Path, typer.Argument(help="the city's OpenStreetMap extract (.osm or .osm.pbf)")],
    name: Annotated[
        str,
        typer.Option(
            help="the city's name (English; also Ukrainian unless --name-uk or the extract's name:uk gives one)"
        ),
    ],
    tz: Annotated[str, typer.Option(help="IANA time zone of the city, Area/City (required: never guessed)")],
    out: Annotated[Path, typer.Option(help="the profile to write, e.g. var/city.toml")],
    name_uk: Annotated[str | None, typer.Option(help="the city's Ukrainian name")] = None,
    study_area: Annotated[
        Path | None,
        typer.Option(help="GeoJSON outline of the study area, when the extract has no complete boundary relation"),
    ] = None,
    boundary: Annotated[
        int | None, typer.Option(help="id of the OSM boundary relation to use as the study area")
    ] = None,
    districts: Annotated[Path | None, typer.Option(help="GeoJSON of districts (a 'name' property each)")] = None,
    admin_level: Annotated[
        list[int] | None, typer.Option(help="districts from boundary=administrative at this level (repeatable)")
    ] = None,
    gazetteer: Annotated[
        Path | None, typer.Option(help="where to write the gazetteer; default: next to the profile")
    ] = None,
    force: Annotated[bool, typer.Option(help="replace an existing profile")] = False,
) -> None:
    """Write a city profile for an OSM extract and build its gazetteer; select it with CITY_PROFILE."""
    from geo.areas import AreaError
    from geo.city import init_city

    try:
        done = init_city(
            extract,
            name=name,
            tz=tz,
            out=out,
            name_uk=name_uk,
            study_area_geojson=study_area,
            boundary_relation=boundary,
            districts_geojson=districts,
            admin_levels=tuple(admin_level or ()),
            gazetteer=gazetteer,
            force=force,
        )
    except (AreaError, OSError) as exc:
        console.print(f"[red]error[/red] {shown(exc)}")
        raise typer.Exit(2) from exc
    for note in done.notes:
        console.print(f"[yellow]check[/yellow] {shown(note)}")
    counts = ", ".join(f"{n} {k}" for k, n in done.counts.items())
    console.print(f"{counts} -> {shown(done.gazetteer_path)}")
    console.print(f"profile -> {shown(done.profile_path)}; use it: CITY_PROFILE={shown(done.profile_path)}")


@demo_app.command("load")
def demo_load() -> None:
    """Import the bundled demo sources through the real intake pipeline."""
    from data.store import open_store
    from services.demo import load_demo

    with _progress() as bar:
        task = bar.add_task("demo data", total=None)
        result = load_demo(open_store(), progress=lambda done, total: bar.update(task, completed=done, total=total))
    print(json_line(result, default=str))


@release_app.command("publish")
def release_publish(
    month: Annotated[str | None, typer.Option(help="the month to publish, YYYY-MM (default: every due month)")] = None,
) -> None:
    """Publish due months as numbered, frozen releases (idempotent; refuses a month inside its lag)."""
    from data.store import open_store
    from services.releases import ReleaseRefused, publish

    try:
        done = publish(open_store(), month, actor="cli")
    except ReleaseRefused as exc:
        console.print(f"[red]refused[/red] {shown(exc)}")
        raise typer.Exit(2) from exc
    for summary in done:
        print(json_line(summary.as_dict()))
    if not done:
        console.print("nothing to publish: every due month has its release")


@public_app.command("export")
def public_export(out: Annotated[Path, typer.Option(help="folder to write the files to")]) -> None:
    """Write, for every release, exactly the files and numbers the public pages serve."""
    from data.store import open_store
    from services.public_export import export_releases

    index = export_releases(open_store(), out)
    console.print(f"{len(index['releases'])} releases, {len(index['current'])} periods -> {out}")


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="login name")],
    role: Annotated[str, typer.Option(help="police | council | partner | moderator | admin")],
    organisation: Annotated[
        str | None,
        typer.Option(help="the user's organisation: its id, or a name (a new name becomes an organisation record)"),
    ] = None,
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="asked for when not given")
    ] = "",
) -> None:
    """Create a user (the first admin starts here); an existing name is refused."""
    from auth.accounts import create_user
    from data.organisations import ROLE_KIND, find_or_create
    from data.store import open_store

    try:
        engine = open_store()
        org_id = find_or_create(engine, organisation, ROLE_KIND.get(role, "community")) if organisation else None
        user = create_user(engine, username, password, role, organisation_id=org_id, actor="cli")
    except ValueError as exc:
        console.print(f"[red]error[/red] {shown(exc)}")
        raise typer.Exit(2) from exc
    console.print(f"user {shown(user.username)} ({shown(user.role)}) added")


@users_app.command("password")
def users_password(
    username: Annotated[str, typer.Argument(help="login name")],
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="asked for when not given")
    ] = "",
) -> None:
    """Set a new password (a locked-out admin's way back); the user's open sessions end."""
    from auth.accounts import set_password
    from data.store import open_store

    try:
        ended = set_password(open_store(), username, password, actor="cli")
    except (ValueError, KeyError) as exc:
        from data.messages import MessageError
        from i18n import say

        console.print(f"[red]error[/red] {shown(say(exc.message) if isinstance(exc, MessageError) else exc)}")
        raise typer.Exit(2) from exc
    console.print(f"password of {shown(username)} changed; {ended} open session(s) ended")


if __name__ == "__main__":
    app()
