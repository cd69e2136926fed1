"""Command-line interface: ``focusgen generate``, ``presets``, ``validate``, ``--version``."""

# No ``from __future__ import annotations`` here: typer reads every command's signature
# when it builds the CLI, and string annotations cost it an eval each (~4 ms a run).
import atexit
import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from typing import Annotated, NoReturn

import typer

from focusgen import __version__
from focusgen.gcpause import gc_paused
from focusgen.scenario import ScenarioError, load_scenario
from focusgen.scenario.presets import (
    distribution_names,
    distribution_preset,
    profile_names,
    profile_preset,
)
from focusgen.sinks.storage import StorageOptions, check_uri
from focusgen.texttable import text_table

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Generate synthetic, coherent, conformant FOCUS billing data.",
)

# Scenario field -> the CLI option that sets it, so errors name what the user typed.
OPTION_NAMES = {
    "providers": "--providers",
    "profile": "--profile",
    "distribution": "--distribution",
    "start": "--start",
    "months": "--months",
    "granularity": "--granularity",
    "rows": "--rows",
    "monthly_spend": "--monthly-spend",
    "focus_version": "--focus-version",
    "currency": "--currency",
    "seed": "--seed",
    "output.format": "--format",
    "output.path": "--output",
    "output.layout": "--layout",
    "output.extensions": "--no-extensions",
}


def _fail(message: str) -> None:
    for field, option in sorted(OPTION_NAMES.items(), key=lambda kv: -len(kv[0])):
        if message.startswith(f"{field}="):
            message = option + message[len(field) :]
            break
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=2)


def _version(value: bool) -> None:
    if value:
        print(f"focusgen {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """focusgen command line."""


@app.command()
def generate(
    config: Annotated[str | None, typer.Option(help="Scenario file (YAML or JSON).")] = None,
    providers: Annotated[
        str | None,
        typer.Option(
            help="Comma list of aws,azure,gcp,oci (default) and ibm,snowflake,databricks,"
            "datadog,mongodb,llm."
        ),
    ] = None,
    profile: Annotated[str | None, typer.Option(help="startup|enterprise|data-heavy|ml-ai")] = None,
    distribution: Annotated[
        str | None, typer.Option(help="balanced|compute-heavy|storage-heavy|network-heavy")
    ] = None,
    start: Annotated[str | None, typer.Option(help="First billing month, YYYY-MM.")] = None,
    months: Annotated[str | None, typer.Option(help="Number of months (1-36).")] = None,
    granularity: Annotated[
        str | None,
        typer.Option(help="hourly|daily|native (each provider's own: Azure and SaaS daily)"),
    ] = None,
    rows: Annotated[str | None, typer.Option(help="Target row count (within ±2%).")] = None,
    monthly_spend: Annotated[
        str | None, typer.Option("--monthly-spend", help="Target monthly spend instead of rows.")
    ] = None,
    focus_version: Annotated[
        str | None, typer.Option("--focus-version", help="1.0|1.1|1.2|1.3|1.4")
    ] = None,
    currency: Annotated[str | None, typer.Option(help="Billing currency (ISO 4217).")] = None,
    seed: Annotated[str | None, typer.Option(help="Random seed.")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="parquet|csv|csv.gz|jsonl")] = None,
    compression: Annotated[
        str | None,
        typer.Option(help="Parquet codec: snappy (default, as exports)|zstd|gzip|lz4|none"),
    ] = None,
    layout: Annotated[
        str | None,
        typer.Option(help="billing-period|provider|native (each provider's own export layout)"),
    ] = None,
    no_extensions: Annotated[
        bool,
        typer.Option("--no-extensions", help="Leave out the providers' extension (x_) columns."),
    ] = False,
    output: Annotated[
        str | None, typer.Option(help="Output folder, or s3://bucket/prefix.")
    ] = None,
    workers: Annotated[
        str,
        typer.Option(
            help="Cores to use on this machine: a number, or auto for all (output is identical)."
        ),
    ] = "auto",
    dask_scheduler: Annotated[
        str | None,
        typer.Option("--dask-scheduler", help="Run chunks on a Dask cluster: tcp://HOST:PORT."),
    ] = None,
    s3_endpoint_url: Annotated[
        str | None,
        typer.Option("--s3-endpoint-url", help="S3-compatible endpoint (else AWS_ENDPOINT_URL)."),
    ] = None,
    s3_region: Annotated[
        str | None, typer.Option("--s3-region", help="S3 region (else AWS_REGION).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
) -> None:
    """Generate a FOCUS dataset (options override the --config file)."""
    # The engine's modules stay loaded for the whole (one-run) process: loading them with
    # the cyclic GC paused, then freezing them, spares the run full collections that
    # would walk them all (~25 ms each).
    with gc_paused(freeze=True):
        from focusgen.memory import process_ends_after_run
        from focusgen.run import generate as run_generate
    process_ends_after_run()  # the command exits after its one run

    try:
        scenario = load_scenario(
            config,
            providers=providers,
            profile=profile,
            distribution=distribution,
            start=start,
            months=months,
            granularity=granularity,
            rows=rows,
            monthly_spend=monthly_spend,
            focus_version=focus_version,
            currency=currency,
            seed=seed,
            output_format=fmt,
            output_compression=compression,
            output_layout=layout,
            output_path=output,
            output_extensions=False if no_extensions else None,
        )
    except ScenarioError as error:
        _fail(str(error))
        return
    n_workers = _workers(workers, dask_scheduler)
    problem = check_uri(scenario.output.path)
    if problem:
        _fail(f"--output={scenario.output.path!r}: {problem}")
    if s3_endpoint_url is not None and "://" not in s3_endpoint_url:
        _fail(f"--s3-endpoint-url={s3_endpoint_url!r}: must be a URL such as http://host:port")
    client = _dask_client(dask_scheduler) if dask_scheduler else None
    with _progress_bar(show=not quiet and sys.stderr.isatty()) as report:
        try:
            summary = run_generate(
                scenario,
                progress=report,
                workers=n_workers,
                dask_client=client,
                storage_options=StorageOptions(endpoint_url=s3_endpoint_url, region=s3_region),
            )
        except OSError as error:
            _fail(f"--output={scenario.output.path!r}: {_first_line(error)}")
            return
        finally:
            if client is not None:
                client.close()
    _print_summary(summary)


@contextlib.contextmanager
def _progress_bar(show: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A rows-written bar on the terminal, yielding its update callback (None if hidden)."""
    if not show:
        yield None
        return
    # Loaded only for a terminal that shows the bar: rich costs ~15 ms to load.
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (BarColumn(), MofNCompleteColumn(), TextColumn("rows"), TimeElapsedColumn())
    console = Console(stderr=True)
    with Progress(TextColumn("[bold]generating"), *columns, console=console) as progress:
        task = progress.add_task("rows", total=None)
        yield lambda done, total: progress.update(task, completed=done, total=total)


def _first_line(error: OSError) -> str:
    text = error.strerror or str(error) or type(error).__name__
    return " ".join(text.split())


def _workers(value: str, dask_scheduler: str | None) -> int | None:
    """The worker count (None: every core), or exit with a message naming the option."""
    if value.strip().lower() == "auto":
        return None
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        _fail(f"--workers={value!r}: must be a whole number of cores, 1 or more, or auto")
    if n > 1 and dask_scheduler:
        _fail(f"--workers={value!r}: not with --dask-scheduler (the cluster's workers run chunks)")
    return n


def _dask_client(address: str):
    if not address.startswith(("tcp://", "tls://", "inproc://", "ucx://")):
        _fail(f"--dask-scheduler={address!r}: must be a scheduler address such as tcp://HOST:8786")
    from focusgen.executors.dask import connect

    try:
        return connect(address)
    except (OSError, TimeoutError) as error:
        _fail(f"--dask-scheduler={address!r}: cannot connect ({_first_line(error)})")


def _print_summary(summary) -> None:
    # Milliseconds under ten seconds: benchmarks compare runs of half a second.
    took = f"{summary.seconds:.3f}" if summary.seconds < 10 else f"{summary.seconds:.2f}"
    print(
        f"focusgen: {summary.rows:,} rows in {took}s "
        f"({summary.rows_per_second:,.0f} rows/s) -> {summary.output}"
    )
    groups = [
        *((category, values) for category, values in summary.totals["by_charge_category"].items()),
        *(
            (f"[provider] {provider}", values)
            for provider, values in summary.totals["by_provider"].items()
        ),
    ]
    rows = [
        (
            label,
            f"{values['rows']:,}",
            f"{values['BilledCost']:,.2f}",
            f"{values['EffectiveCost']:,.2f}",
        )
        for label, values in groups
    ]
    header = ("ChargeCategory", "rows", "BilledCost", "EffectiveCost")
    print(text_table(header, rows, right=(1, 2, 3)))
    print(
        f"currency {summary.scenario.currency}; files: {len(summary.files)}; "
        f"summary: {summary.output}/summary.json"
    )


@app.command()
def presets() -> None:
    """List the profile and distribution presets."""
    # rich wraps these wide tables to the terminal; only this command loads it.
    from rich.console import Console
    from rich.table import Table

    table = Table(title="profiles")
    fields = list(profile_preset(profile_names()[0]))
    table.add_column("setting")
    for name in profile_names():
        table.add_column(name)
    for field in fields:
        table.add_row(field, *[str(profile_preset(n)[field]) for n in profile_names()])
    out = Console(markup=False, emoji=False, highlight=False)
    out.print(table)
    dist = Table(title="distributions (service-category weights)")
    dist.add_column("distribution")
    dist.add_column("weights")
    for name in distribution_names():
        weights = ", ".join(f"{k} {v:g}" for k, v in distribution_preset(name).items())
        dist.add_row(name, weights)
    out.print(dist)


@app.command("validate")
def validate_command(
    path: Annotated[str, typer.Argument(help="FOCUS file or folder (CSV, Parquet, JSONL).")],
    version: Annotated[
        str | None, typer.Option("--version", help="1.0|1.1|1.2|1.3|1.4 (default: detect).")
    ] = None,
    dataset: Annotated[
        str | None,
        typer.Option(help="CostAndUsage|ContractCommitment|BillingPeriod|InvoiceDetail."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="console|json|junit")] = "console",
    fail_on: Annotated[str, typer.Option("--fail-on", help="error|warning")] = "error",
) -> None:
    """Check a FOCUS file or folder against its version's rules (exit 1 when something fails)."""
    from focusgen.validate import InputError, validate

    if fmt not in ("console", "json", "junit"):
        _fail(f"--format={fmt!r}: choose console, json or junit")
    if fail_on not in ("error", "warning"):
        _fail(f"--fail-on={fail_on!r}: choose error or warning")
    try:
        report = validate(path, version=version, dataset=dataset)
    except InputError as error:
        _fail(str(error))
        return
    text = {"console": report.to_console, "json": report.to_json, "junit": report.to_junit}[fmt]()
    typer.echo(text)
    if report.failed(fail_on):
        raise typer.Exit(code=1)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        print("interrupted; no partial files were left under final names", file=sys.stderr)
        _exit(130)
    except SystemExit as done:  # how every command ends
        _exit(done.code)
    _exit(0)


def _exit(code: int | str | None) -> NoReturn:
    """End the process without tearing the interpreter down (as mypy's --fast-exit does).

    By now every file is closed and published; atexit handlers still run. What is skipped
    is finalizing numpy, Arrow, pydantic and the rest module by module: ~30 ms after a run,
    ~70 ms or more when nothing was frozen.
    """
    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    atexit._run_exitfuncs()
    os._exit(code or 0)


if __name__ == "__main__":
    main()
