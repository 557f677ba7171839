"""The `zhongtai` command: generate the sandbox district, run the pipeline, serve every channel, report status."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.markup import escape
from rich.table import Table

from zhongtai.console import console
from zhongtai.settings import Settings, get_settings, settings_problems

app = typer.Typer(help="zhongtai (中台): the open-data middle office of a district government.", no_args_is_help=True)
sandbox_app = typer.Typer(help="The synthetic district and its simulated upstream systems (demo and tests only).")
sources_app = typer.Typer(help="The source-system registry.")
app.add_typer(sandbox_app, name="sandbox")

# How many lines of a failed step's error `zhongtai run` prints under it.
ERROR_LINES = 6


@app.callback()
def _main() -> None:
    # Started from a non-interactive shell (make, CI, `&`), we may inherit SIGINT ignored; then Ctrl-C
    # would never reach us. Restore it, and treat SIGTERM the same, so every command stops cleanly.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)


app.add_typer(sources_app, name="sources")
audit_app = typer.Typer(help="The tamper-evident audit log of accesses and changes.")
app.add_typer(audit_app, name="audit")
users_app = typer.Typer(help="Accounts of the people who sign in (cadres, reviewers, stewards, analysts, enterprises).")
app.add_typer(users_app, name="users")
db_app = typer.Typer(help="The operational database (accounts, keys, applications …).")
app.add_typer(db_app, name="db")
resolution_app = typer.Typer(help="Entity resolution: the person model the pipeline applies.")
app.add_typer(resolution_app, name="resolution")
dbt_app = typer.Typer(help="The dbt project runs use: dbt_project/ plus what the source registry generates.")
app.add_typer(dbt_app, name="dbt")

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="data directory (default: $ZHONGTAI_DATA_DIR or ./data)")
]


def _settings(data_dir: Path | None) -> Settings:
    if data_dir is not None:
        os.environ["ZHONGTAI_DATA_DIR"] = str(data_dir.resolve())
    try:
        settings = get_settings()
    except ValueError as exc:  # pydantic's ValidationError and pydantic-settings' SettingsError are ValueErrors
        for problem in settings_problems(exc):
            console.print(f"[red]✗ setting[/] {escape(problem)}", soft_wrap=True)
        raise typer.Exit(2) from None
    # Child processes (dbt, servers) must agree on the same absolute data directory.
    os.environ["ZHONGTAI_DATA_DIR"] = str(settings.root)
    os.environ.setdefault("DO_NOT_TRACK", "1")
    return settings


@sandbox_app.command("generate")
def sandbox_generate(
    scale: Annotated[str, typer.Option(help="tiny | small | district")] = "tiny",
    seed: Annotated[int, typer.Option(help="same seed, same district")] = 20141101,
    data_dir: DataDir = None,
) -> None:
    """Generate the synthetic district and render its upstream systems' first deliveries."""
    import sandbox

    settings = _settings(data_dir)
    started = time.monotonic()
    with console.status(f"generating the {scale} district …") as status:
        summary = sandbox.generate(settings, scale, seed, on_step=lambda step: status.update(f"{scale}: {step} …"))
    console.print(
        f"[green]✓[/] {scale} district generated in {time.monotonic() - started:.1f}s under {settings.sandbox_dir}"
    )
    for key, value in summary.items():
        if isinstance(value, int | float | str):
            console.print(f"  {key:<28} {value}")


@sandbox_app.command("advance")
def sandbox_advance(
    days: Annotated[int, typer.Option(help="how many days the district lives on")] = 1,
    data_dir: DataDir = None,
) -> None:
    """Move the district's calendar on and deliver what each upstream system would in those days."""
    import sandbox

    settings = _settings(data_dir)
    started = time.monotonic()
    with console.status(f"advancing the district by {days} days …") as status:
        summary = sandbox.advance(settings, days, on_step=lambda step: status.update(f"advance: {step} …"))
    console.print(
        f"[green]✓[/] district advanced to {summary['as_of']} in {time.monotonic() - started:.1f}s "
        f"under {settings.sandbox_dir}"
    )
    for key, value in summary.items():
        console.print(f"  {key:<28} {value}")


@sandbox_app.command("corrections")
def sandbox_corrections(data_dir: DataDir = None) -> None:
    """Write the corrections the villages' cadres would send, from where the deliveries are wrong against the truth."""
    from sandbox.village_corrections import corrections_path, write_village_corrections

    settings = _settings(data_dir)
    counts = write_village_corrections(settings)
    console.print(f"[green]✓[/] village corrections written to {corrections_path(settings)}")
    for key, value in counts.items():
        console.print(f"  {key:<28} {value}")


@sandbox_app.command("serve")
def sandbox_serve(data_dir: DataDir = None) -> None:
    """Serve the simulated one-window HTTP API on 127.0.0.1 (as a real upstream would run)."""
    import sandbox

    settings = _settings(data_dir)
    console.print(f"one-window service API on http://{settings.host}:{settings.sandbox_port}")
    sandbox.serve(settings)


@app.command()
def run(
    select: Annotated[str | None, typer.Option(help="Dagster asset selection, e.g. 'group:sources'")] = None,
    rebuild: Annotated[
        bool,
        typer.Option(
            help="a fresh warehouse from the landed deliveries only (the old one kept beside, its history logs carried)"
        ),
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Materialise every asset once, in-process: ingest, dbt build, quality checks, publish."""
    settings = _settings(data_dir)
    if os.environ.get("ZHONGTAI_RUN_IN_PROCESS") != "1":
        from zhongtai import processes

        argv = [sys.executable, "-m", "zhongtai.cli", "run", *(["--select", select] if select else [])]
        env = {"ZHONGTAI_RUN_IN_PROCESS": "1"}
        if rebuild:
            from orchestration.ingestion.replay import set_warehouse_aside

            kept = set_warehouse_aside(settings)
            console.print(
                f"rebuild from landing: the old warehouse is kept as {kept}" if kept else "rebuild from landing"
            )
            env["ZHONGTAI_FROM_LANDING"] = "1"
        try:
            code = processes.run_supervised(argv, env=env)
        except KeyboardInterrupt:
            console.print("[yellow]interrupted[/]: stopped; the next run carries on from what was committed")
            raise typer.Exit(130) from None
        if code:
            raise typer.Exit(code)
        return

    from orchestration.execute import run_all

    console.print(f"[bold]zhongtai run[/] · data in {settings.root}")

    def show(kind: str, what: str) -> None:
        marks = {
            "STEP_START": "[dim]▸[/]",
            "STEP_SUCCESS": "[green]✓[/]",
            "STEP_FAILURE": "[red]✗[/]",
            "CHECK_FAILED": "[red]✗ check[/]",
            "CHECK_WARNED": "[yellow]! check[/]",
        }
        if kind in marks:
            console.print(f"  {marks[kind]} {what}", overflow="ellipsis", no_wrap=True)

    from orchestration.dbt import DbtParseError

    try:
        report = run_all(settings, selection=select, on_event=show)
    except DbtParseError as exc:
        _dbt_parse_failed(exc)
    console.print(
        f"{'[green]done[/]' if report.success else '[red]failed[/]'} in {report.seconds:.1f}s: "
        f"{len(report.materialized)} assets materialised, {len(report.failed_steps)} steps failed, "
        f"{len(report.failed_checks)} blocking checks failed, {len(report.warnings)} warnings"
    )
    # Full names, never cut: a steward copies them into the Dagster UI or a ticket.
    for step in report.failed_steps:
        console.print(f"  [red]failed step[/] {step}", soft_wrap=True)
        # the first lines of what failed it; the whole error is in the Dagster UI's run log
        lines = report.errors.get(step, "").splitlines()
        for line in lines[:ERROR_LINES]:
            console.print(f"    {escape(line)}", soft_wrap=True)
        if len(lines) > ERROR_LINES:
            console.print(f"    … {len(lines) - ERROR_LINES} more lines in the Dagster UI's run log", soft_wrap=True)
    for check in report.failed_checks:
        console.print(f"  [red]failed check[/] {check}", soft_wrap=True)
    for check in report.warnings:
        console.print(f"  [yellow]warning[/] {check}", soft_wrap=True)
    _print_status(settings)
    if not report.success:
        raise typer.Exit(1)


@app.command()
def ingest(data_dir: DataDir = None) -> None:
    """Pull, land and load every source once, without Dagster (no dbt, checks or publish); exit 1 if a pull failed."""
    from orchestration.ingestion import ingest_all

    summary = ingest_all(_settings(data_dir))
    rows = sum(e.rows_loaded for e in summary.entities)
    quarantined = sum(e.rows_quarantined for e in summary.entities)
    console.print(f"ingested {len(summary.entities)} source entities: {rows} rows loaded, {quarantined} quarantined")
    for error in summary.errors:
        console.print(f"[red]error[/] {error}", soft_wrap=True)
    if summary.errors:
        raise typer.Exit(1)


@resolution_app.command("train")
def resolution_train(
    warehouse: Annotated[
        Path | None, typer.Option(help="warehouse to learn from (default: the data directory's)")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Re-estimate the person model reproducibly from a warehouse's person mentions and write it to the repository."""
    from orchestration.resolution import train

    path = warehouse or _settings(data_dir).warehouse_path
    if not path.exists():
        console.print(f"[red]no warehouse at {path}[/]: run `zhongtai run` first")
        raise typer.Exit(1)
    with console.status("training the person model …"):
        written = train(path)
    console.print(f"[green]✓[/] wrote {written}")


@dbt_app.command("prepare")
def dbt_prepare(data_dir: DataDir = None) -> None:
    """Assemble and parse the dbt project under the data directory; print its folder (to run dbt by hand)."""
    from orchestration.dbt import DbtParseError, prepare_project

    settings = _settings(data_dir)
    try:
        project = prepare_project(settings)
    except DbtParseError as exc:
        _dbt_parse_failed(exc)
    # the folder alone on stdout, for `cd "$(zhongtai dbt prepare)"`; how to run dbt there on stderr
    typer.echo(
        f"ZHONGTAI_WAREHOUSE_PATH={settings.warehouse_path} dbt build --project-dir {project} --profiles-dir {project}",
        err=True,
    )
    typer.echo(str(project))


def _dbt_parse_failed(exc: Exception) -> NoReturn:
    """dbt's own words on a project it cannot parse (a model or registry entry it cannot read), then exit 1."""
    console.print(f"[red]✗[/] {escape(str(exc))}", soft_wrap=True)
    raise typer.Exit(1) from None


def _servers(settings: Settings) -> list:  # type: ignore[type-arg]
    from apis.datasette import datasette_command, datasette_env
    from orchestration.execute import prepare_instance
    from zhongtai import processes

    logs = settings.root / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    prepare_instance(settings)
    bin_dir = Path(sys.executable).parent
    servers = []
    try:
        servers.append(
            processes.start(
                "open-data API",
                [
                    str(bin_dir / "uvicorn"),
                    "apis.main:create_app",
                    "--factory",
                    "--host",
                    settings.host,
                    "--port",
                    str(settings.api_port),
                ],
                url=f"http://{settings.host}:{settings.api_port}/docs",
                host=settings.host,
                port=settings.api_port,
                log=logs / "api.log",
            )
        )
        servers.append(
            processes.start(
                "Datasette",
                datasette_command(settings),
                url=f"http://{settings.host}:{settings.datasette_port}/",
                host=settings.host,
                port=settings.datasette_port,
                log=logs / "datasette.log",
                env=datasette_env(settings),
            )
        )
        servers.append(
            processes.start(
                "Dagster UI",
                [
                    str(bin_dir / "dagster"),
                    "dev",
                    "-m",
                    "orchestration.definitions",
                    "-h",
                    settings.host,
                    "-p",
                    str(settings.dagster_port),
                ],
                url=f"http://{settings.host}:{settings.dagster_port}/",
                host=settings.host,
                port=settings.dagster_port,
                log=logs / "dagster.log",
                timeout=180,
                env={"DAGSTER_HOME": str(settings.dagster_home)},
            )
        )
    except BaseException:
        processes.stop(servers)
        raise
    return servers


def _wait_forever(servers: list) -> None:  # type: ignore[type-arg]
    from zhongtai import processes

    for server in servers:
        console.print(f"  [bold]{server.name:<24}[/] {server.url}")
    console.print("Press Ctrl-C to stop.")
    try:
        while all(s.process.poll() is None for s in servers):
            time.sleep(0.5)
        dead = [s.name for s in servers if s.process.poll() is not None]
        console.print(f"[red]stopped unexpectedly:[/] {', '.join(dead)} (see {get_settings().root / 'logs'})")
    except KeyboardInterrupt:
        console.print("stopping …")
    finally:
        processes.stop(servers)
        console.print("[green]stopped[/]")


@app.command()
def serve(data_dir: DataDir = None) -> None:
    """Serve the open-data API, Datasette and the Dagster UI on 127.0.0.1 until Ctrl-C."""
    settings = _settings(data_dir)
    if not settings.current_snapshot.exists():
        console.print(f"[red]nothing published yet[/] under {settings.published_dir}: run `zhongtai run` first")
        raise typer.Exit(1)
    _wait_forever(_servers(settings))


@app.command()
def demo(
    scale: Annotated[str, typer.Option(help="tiny | small | district")] = "small",
    data_dir: DataDir = None,
) -> None:
    """Generate the district, start its one-window API, run the whole pipeline, then serve everything."""
    import sandbox
    from zhongtai import processes

    settings = _settings(data_dir)
    summary_file = settings.truth_dir / "summary.json"
    if not summary_file.exists() or json.loads(summary_file.read_text()).get("scale") != scale:
        sandbox_generate(scale=scale, seed=20141101, data_dir=None)
    else:
        console.print(f"[green]✓[/] {scale} district already generated under {settings.sandbox_dir}")
    upstream = processes.start(
        "one-window API (sandbox)",
        [sys.executable, "-m", "zhongtai.cli", "sandbox", "serve"],
        url=f"http://{settings.host}:{settings.sandbox_port}/health",
        host=settings.host,
        port=settings.sandbox_port,
        log=settings.root / "sandbox-serve.log",
    )
    del sandbox
    try:
        run(select=None, data_dir=None)
    except BaseException:
        processes.stop([upstream])
        raise
    servers = [upstream, *_servers(settings)]
    _print_demo_accounts(settings)
    _wait_forever(servers)


def _print_demo_accounts(settings: Settings) -> None:
    """One account per role with a fresh password, and where each signs in."""
    from apis.auth import LANDING
    from apis.operational.accounts import demo_accounts
    from apis.operational.db import session_scope, upgrade
    from apis.operational.models import Role

    upgrade(settings)
    base = f"http://{settings.host}:{settings.api_port}"
    with session_scope(settings) as db:
        made = [(a.role, a.username, password) for a, password in demo_accounts(db)]
    console.print(f"[bold]demo accounts[/]: sign in at {base}/sign-in (new passwords at every `zhongtai demo`)")
    for role, username, password in made:
        line = f"  {role:<20} username {username:<16} password {password}  → {base}{LANDING[Role(role)]}"
        console.print(line, soft_wrap=True)


def _print_status(settings: Settings) -> None:
    from zhongtai.status import read_status

    status = read_status(settings)
    console.print("[bold]sources[/] (times in Asia/Shanghai)")
    table = Table(box=None, pad_edge=False)
    table.add_column("source.entity", no_wrap=True)
    table.add_column("last delivery", no_wrap=True)
    for column in ("rows", "bad rows", "bad files"):
        table.add_column(column, justify="right", no_wrap=True)
    for row in status.sources:
        table.add_row(
            row["source"],
            (row["last_received"] or "—")[:16],
            f"{row['rows_loaded']:,}",
            f"{row['rows_quarantined']:,}",
            f"{row['files_quarantined']:,}",
        )
    console.print(table)
    if status.note:
        console.print(f"  [yellow]{status.note}[/]")
    console.print("[bold]published[/]")
    if status.published:
        console.print(f"  version {status.published.get('version')} at {status.published.get('created_at')}")
    else:
        console.print("  nothing published yet")


@app.command()
def status(data_dir: DataDir = None) -> None:
    """What was last loaded from each source, and what was last published, and when."""
    _print_status(_settings(data_dir))


def _registry(data_dir: Path | None = None, extra: list[Path] | None = None):  # type: ignore[no-untyped-def]
    from catalog.registry import load_registry, registry_dirs

    return load_registry(*registry_dirs(_settings(data_dir).registry_dirs), *(extra or []))


RegistryDir = Annotated[
    list[Path] | None, typer.Option("--registry-dir", help="an extra registry folder (also $ZHONGTAI_REGISTRY_DIRS)")
]


@sources_app.command("list")
def sources_list(registry_dir: RegistryDir = None, data_dir: DataDir = None) -> None:
    """Every registered source system with its owner, connector, format and schedule."""
    registry = _registry(data_dir, registry_dir)
    table = Table("id", "title", "owner", "connector", "format", "schedule", "entities")
    for s in registry:
        fmt = s.format.kind + (f"/{s.format.encoding}/{s.format.delimiter!r}" if s.format.kind == "csv" else "")
        table.add_row(s.id, s.title, s.owner_department, s.connector.kind, fmt, s.schedule, str(len(s.entities)))
    console.print(table)
    console.print(f"{len(registry.sources)} source systems, {len(registry.errors)} broken entries")
    for error in registry.errors:
        console.print(f"[red]broken entry[/] {error}")


@sources_app.command("check")
def sources_check(registry_dir: RegistryDir = None, data_dir: DataDir = None) -> None:
    """Validate every registry entry; name the file and field of each fault."""
    registry = _registry(data_dir, registry_dir)
    console.print(f"{len(registry.sources)} entries valid, {len(registry.errors)} faults")
    for error in registry.errors:
        console.print(f"[red]✗[/] {error}")
    if registry.errors:
        raise typer.Exit(1)


@sources_app.command("infer")
def sources_infer(
    delivery: Annotated[Path, typer.Argument(help="a sample delivery: csv, xlsx, json or jsonl")],
    source_id: Annotated[str | None, typer.Option("--id", help="the new source's id")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write the draft here (default: print)")] = None,
) -> None:
    """Draft a registry entry from a sample delivery (encoding, delimiter, header rows, types, keys, canonicals)."""
    from catalog.infer import entry_yaml

    text = entry_yaml(_draft(delivery, source_id), delivery.name)
    if output:
        output.write_text(text, encoding="utf-8")
        console.print(f"draft written to {output}: review it, then `zhongtai sources check`")
    else:
        sys.stdout.write(text)


def _draft(delivery: Path, source_id: str | None) -> dict:  # type: ignore[type-arg]
    """The inferred entry, or one line saying why the file cannot be drafted from (exit 2, no traceback)."""
    from catalog.infer import InferError, infer_entry

    try:
        return infer_entry(delivery, source_id)
    except InferError as exc:
        print(f"cannot draft an entry from {delivery}: {exc}", file=sys.stderr)
    except Exception as exc:  # a reader's failure we did not foresee is still one line for the steward
        print(f"cannot draft an entry from {delivery}: {type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr)
    raise typer.Exit(2)


@sources_app.command("add")
def sources_add(
    sample: Annotated[Path, typer.Argument(help="a sample delivery of the new system: csv, xlsx, json or jsonl")],
    source_id: Annotated[str | None, typer.Option("--id", help="the new source's id")] = None,
    registry_dir: Annotated[
        Path | None,
        typer.Option(
            "--registry-dir", help="write it here (default: first of $ZHONGTAI_REGISTRY_DIRS, else catalog/sources)"
        ),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="register without asking (also when stdin is no terminal)")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Register a new source system from a sample: draft, review, validate, check the sample loads, write the entry."""
    import yaml
    from pydantic import ValidationError

    from catalog.infer import entry_yaml
    from catalog.registry import SOURCES_DIR, SourceSystem, registry_dirs
    from orchestration.ingestion.sample import load_sample

    settings = _settings(data_dir)
    entry = _draft(sample, source_id)
    folder = registry_dir or next(iter(registry_dirs(settings.registry_dirs)[1:]), SOURCES_DIR)
    registry = _registry(data_dir, [registry_dir] if registry_dir else None)
    target = folder / f"{entry['id']}.yaml"
    if entry["id"] in registry.sources or target.exists():
        console.print(
            f"[red]✗[/] source id {entry['id']!r} is already registered: choose another with --id", soft_wrap=True
        )
        raise typer.Exit(1)
    text = entry_yaml(entry, sample.name)
    sys.stdout.write(text)
    if not yes and sys.stdin.isatty():
        answer = typer.prompt("register it? [y]es / [e]dit / [n]o", default="y").strip().lower()
        if answer.startswith("e"):
            import click

            text = click.edit(text, extension=".yaml") or text
            sys.stdout.write(text)
        elif not answer.startswith("y"):
            console.print("not registered", soft_wrap=True)
            raise typer.Exit(1)
    try:
        source = SourceSystem.model_validate(yaml.safe_load(text))
    except (ValidationError, yaml.YAMLError) as exc:
        console.print(f"[red]✗[/] the entry is not valid: {exc}", soft_wrap=True)
        raise typer.Exit(1) from None
    if source.id in registry.sources or (folder / f"{source.id}.yaml").exists():  # the reviewer may rename it
        console.print(f"[red]✗[/] source id {source.id!r} is already registered", soft_wrap=True)
        raise typer.Exit(1)
    checked = load_sample(source, sample)
    console.print(
        f"sample {sample.name} under the entry: {checked.status}, {checked.rows_loaded} rows loaded, "
        f"{checked.rows_quarantined} quarantined" + (f" ({checked.error})" if checked.error else ""),
        soft_wrap=True,
    )
    if checked.status != "loaded":
        console.print("[red]✗[/] the sample does not load under this entry: not registered", soft_wrap=True)
        raise typer.Exit(1)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"{source.id}.yaml").open("x", encoding="utf-8") as fh:  # never overwrite an entry
        fh.write(text)
    console.print(
        f"[green]✓[/] registered {source.id} in {folder / f'{source.id}.yaml'}: it loads on the next run",
        soft_wrap=True,
    )


@sources_app.command("replay")
def sources_replay(
    delivery_id: Annotated[
        str | None, typer.Argument(help="the delivery to load again (omit to list candidates)")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Reload a quarantined delivery after its registry entry was fixed (one transaction: forget, then load)."""
    from orchestration.ingestion.replay import ReplayError, quarantined_deliveries, replay

    settings = _settings(data_dir)
    if delivery_id is None:
        rows = quarantined_deliveries(settings)
        for did, code, name in rows:
            console.print(f"{did}  {code:<24} {name}")
        console.print(f"{len(rows)} deliveries with quarantined content")
        return
    try:
        result = replay(settings, delivery_id)
    except ReplayError as exc:
        console.print(f"[red]✗[/] {exc}")
        raise typer.Exit(1) from None
    console.print(
        f"{result.delivery_id}: {result.status}, {result.rows_loaded} rows loaded, "
        f"{result.rows_quarantined} quarantined" + (f" ({result.error})" if result.error else "")
    )
    if result.status == "quarantined":
        raise typer.Exit(1)


@audit_app.command("verify")
def audit_verify(data_dir: DataDir = None) -> None:
    """Check the audit log's hash chain; exit 1 naming the first broken entry."""
    from zhongtai.audit import log_path, verify

    result = verify(log_path(_settings(data_dir).root))
    console.print(f"[green]✓[/] {result}" if result.ok else f"[red]✗[/] {result}")
    if not result.ok:
        raise typer.Exit(1)


@audit_app.command("who-looked-at")
def audit_who_looked_at(person_key: str, data_dir: DataDir = None) -> None:
    """Every recorded access that named this person key: when, who, role, purpose, action."""
    from zhongtai.audit import log_path, who_looked_at

    entries = who_looked_at(log_path(_settings(data_dir).root), person_key)
    for e in entries:
        line = f"{e['at'][:19]}  {e['who']:<16} {e['role']:<14} {e['action']:<14} {e['purpose']}"
        console.print(f"  #{e['seq']:<6} {line}")
    console.print(f"{len(entries)} access(es) to {person_key}")


@db_app.command("upgrade")
def db_upgrade(data_dir: DataDir = None) -> None:
    """Run the operational database's migrations up to the newest (the API also does at start)."""
    from apis.operational.db import current_revision, upgrade

    settings = _settings(data_dir)
    upgrade(settings)
    console.print(f"[green]✓[/] operational database at revision {current_revision(settings)}")


def _account_change(settings: Settings, change, action: str) -> None:  # type: ignore[no-untyped-def]
    """Run one change to accounts, print its error as one line, audit it as the operator's."""
    from apis.operational.accounts import AccountError
    from apis.operational.db import session_scope, upgrade
    from zhongtai import audit

    upgrade(settings)
    try:
        with session_scope(settings) as db:
            what = change(db)
    except AccountError as exc:
        console.print(f"[red]✗[/] {exc}")
        raise typer.Exit(1) from None
    operator = os.environ.get("SUDO_USER") or os.environ.get("USER") or "operator"
    audit.append(
        audit.log_path(settings.root), who=operator, role="operator", purpose="accounts", action=action, what=what
    )


@users_app.command("add")
def users_add(
    username: str,
    role: Annotated[str, typer.Option(help="cadre | department_reviewer | steward | analyst | enterprise_admin")],
    scope: Annotated[
        str | None, typer.Option(help="village code (cadre), department (reviewer) or USCC (enterprise_admin)")
    ] = None,
    display_name: Annotated[str, typer.Option("--name", help="the person's name as shown on pages")] = "",
    enterprise_name: Annotated[str | None, typer.Option(help="enterprise_admin: the enterprise's name")] = None,
    ask: Annotated[bool, typer.Option("--ask", help="type the password (default: a random one, printed once)")] = False,
    data_dir: DataDir = None,
) -> None:
    """Create an account; without --ask a random password is printed once (tell it to the person)."""
    from apis.operational.accounts import add_account, new_password
    from apis.operational.models import Role

    settings = _settings(data_dir)
    try:
        role_ = Role(role)
    except ValueError:
        console.print(f"[red]✗[/] unknown role {role!r}: one of {', '.join(r.value for r in Role)}")
        raise typer.Exit(1) from None
    password = typer.prompt("password", hide_input=True, confirmation_prompt=True) if ask else new_password()

    def change(db):  # type: ignore[no-untyped-def]
        a = add_account(
            db,
            username=username,
            role=role_,
            password=password,
            display_name=display_name,
            scope=scope,
            enterprise_name=enterprise_name,
        )
        return {"username": a.username, "role": a.role, "scope": a.scope}

    _account_change(settings, change, "account_added")
    console.print(f"[green]✓[/] {username} ({role}{', ' + scope if scope else ''}) added")
    if not ask:
        console.print(f"  password: {password}")


@users_app.command("list")
def users_list(data_dir: DataDir = None) -> None:
    """Every account: username, name, role, scope, disabled, last sign-in."""
    from apis.operational.accounts import list_accounts
    from apis.operational.db import session_scope, upgrade

    settings = _settings(data_dir)
    upgrade(settings)
    table = Table("username", "name", "role", "scope", "disabled", "last sign-in (UTC)")
    with session_scope(settings) as db:
        rows = list_accounts(db)
        for a in rows:
            last = a.last_sign_in_at.isoformat(timespec="seconds") if a.last_sign_in_at else "—"
            table.add_row(a.username, a.display_name, a.role, a.scope or "", "yes" if a.disabled else "", last)
    console.print(table)
    console.print(f"{len(rows)} accounts")


@users_app.command("disable")
def users_disable(
    username: str,
    enable: Annotated[bool, typer.Option("--enable", help="enable the account again instead")] = False,
    data_dir: DataDir = None,
) -> None:
    """Disable an account (its open sessions end at once), or enable it again with --enable."""
    from apis.operational.accounts import set_disabled

    settings = _settings(data_dir)
    _account_change(
        settings,
        lambda db: {"username": set_disabled(db, username, not enable).username},
        "account_enabled" if enable else "account_disabled",
    )
    console.print(f"[green]✓[/] {username} {'enabled' if enable else 'disabled'}")


@users_app.command("passwd")
def users_passwd(
    username: str,
    ask: Annotated[bool, typer.Option("--ask", help="type the password (default: a random one, printed once)")] = False,
    data_dir: DataDir = None,
) -> None:
    """Set a new password (its open sessions end); without --ask a random one is printed once."""
    from apis.operational.accounts import new_password, set_password

    settings = _settings(data_dir)
    password = typer.prompt("password", hide_input=True, confirmation_prompt=True) if ask else new_password()
    _account_change(
        settings, lambda db: {"username": set_password(db, username, password).username}, "password_changed"
    )
    console.print(f"[green]✓[/] new password for {username}" + ("" if ask else f": {password}"))


@sandbox_app.command("forms")
def sandbox_forms(
    count: Annotated[int, typer.Option(help="how many historical forms")] = 500,
    seed: Annotated[int, typer.Option(help="same seed, same forms")] = 20141101,
    data_dir: DataDir = None,
) -> None:
    """Write the departments' historical report forms (Excel templates) and their item → concept truth."""
    from sandbox.forms import generate_forms

    settings = _settings(data_dir)
    started = time.monotonic()
    summary = generate_forms(settings.sandbox_dir, settings.truth_dir, seed, count)
    console.print(
        f"[green]✓[/] {summary['forms']} forms ({summary['fully_derivable_forms']} fully derivable, "
        f"{summary['form_items']} items, {summary['departments']} departments) in {time.monotonic() - started:.1f}s "
        f"under {settings.sandbox_dir / 'forms'}"
    )


forms_app = typer.Typer(help="Report forms sent to villages (填表报数): which items the platform already holds.")
app.add_typer(forms_app, name="forms")


@forms_app.command("match")
def forms_match(
    template: Annotated[Path, typer.Argument(help="a form's Excel template (.xlsx)")],
    as_json: Annotated[bool, typer.Option("--json", help="print a JSON list of the items")] = False,
    data_dir: DataDir = None,
) -> None:
    """Per item of a form template: the dataset and field it derives from (null when none), confidence, reason.

    Matches against the latest published catalog (before any publish, the one the next run would build) and
    registers nothing."""
    from catalog.forms import FormError, Matcher, catalog_manifest, load_datasets, read_template

    settings = _settings(data_dir)
    try:
        manifest = catalog_manifest(settings)
    except FileNotFoundError:  # nothing published yet: the catalog of the project the next run would build
        from orchestration.dbt import DbtParseError, prepare_manifest

        try:
            manifest = prepare_manifest(settings)
        except DbtParseError as exc:
            _dbt_parse_failed(exc)
    try:
        matches = Matcher(load_datasets(manifest)).match_template(read_template(template))
    except FormError as exc:
        console.print(f"[red]✗[/] {exc}")
        raise typer.Exit(1) from None
    keys = ("label", "dataset", "field", "confidence", "reason")
    if as_json:
        sys.stdout.write(json.dumps([{k: getattr(m, k) for k in keys} for m in matches], ensure_ascii=False) + "\n")
        return
    table = Table()
    for key in keys:
        table.add_column(key, overflow="fold")  # a steward reads every word: wrap, never cut
    for m in matches:
        table.add_row(m.label, m.dataset or "—", m.field or "—", f"{m.confidence:.2f}", m.reason)
    console.print(table)
    held = sum(m.dataset is not None for m in matches)
    console.print(f"{held} of {len(matches)} items already held by the platform")


if __name__ == "__main__":
    app()
