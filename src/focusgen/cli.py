"""Command-line interface: ``focusgen generate``, ``presets``, ``validate``, ``--version``."""

from __future__ import annotations

import argparse
import atexit
import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import NoReturn

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
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(2)


class _Parser(argparse.ArgumentParser):
    """argparse with focusgen's way of failing: one line on stderr, exit code 2."""

    commands: dict[str, argparse.ArgumentParser]

    def __init__(self, *args, **kwargs) -> None:
        # No abbreviations: --out must not quietly mean --output.
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        print(f"error: {message} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(2)


# generate's options: flag, help, and whether it is a switch (the others take one value).
GENERATE_OPTIONS: tuple[tuple[str, str, bool], ...] = (
    ("--config", "Scenario file (YAML or JSON).", False),
    (
        "--providers",
        "Comma list of aws,azure,gcp,oci (default) and "
        "ibm,snowflake,databricks,datadog,mongodb,llm.",
        False,
    ),
    ("--profile", "startup|enterprise|data-heavy|ml-ai", False),
    ("--distribution", "balanced|compute-heavy|storage-heavy|network-heavy", False),
    ("--start", "First billing month, YYYY-MM.", False),
    ("--months", "Number of months (1-36).", False),
    ("--granularity", "hourly|daily|native (each provider's own: Azure and SaaS daily)", False),
    ("--rows", "Target row count (within ±2%%).", False),
    ("--monthly-spend", "Target monthly spend instead of rows.", False),
    ("--focus-version", "1.0|1.1|1.2|1.3|1.4", False),
    ("--currency", "Billing currency (ISO 4217).", False),
    ("--seed", "Random seed.", False),
    ("--format", "parquet|csv|csv.gz|jsonl", False),
    ("--compression", "Parquet codec: snappy (default, as exports)|zstd|gzip|lz4|none", False),
    ("--layout", "billing-period|provider|native (each provider's own export layout)", False),
    ("--no-extensions", "Leave out the providers' extension (x_) columns.", True),
    ("--output", "Output folder, or s3://bucket/prefix.", False),
    (
        "--workers",
        "Cores to use on this machine: a number, or auto for all (output is identical; "
        "default auto).",
        False,
    ),
    ("--dask-scheduler", "Run chunks on a Dask cluster: tcp://HOST:PORT.", False),
    ("--s3-endpoint-url", "S3-compatible endpoint (else AWS_ENDPOINT_URL).", False),
    ("--s3-region", "S3 region (else AWS_REGION).", False),
    ("--quiet", "No progress bar.", True),
)


def build_parser() -> _Parser:
    """The ``focusgen`` command line: every command, option and help text."""
    parser = _Parser(
        prog="focusgen",
        description="Generate synthetic, coherent, conformant FOCUS billing data.",
    )
    parser.add_argument(
        "--version", dest="show_version", action="store_true", help="Print the version and exit."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    parser.commands = {}

    def command(name: str, run: Callable[..., None]) -> _Parser:
        # A command's help is the first line of its function's docstring.
        summary = run.__doc__.strip().splitlines()[0]
        sub = commands.add_parser(name, help=summary, description=summary)
        sub.set_defaults(run=run)
        parser.commands[name] = sub
        return sub

    gen = command("generate", generate)
    for flag, text, switch in GENERATE_OPTIONS:
        dest = "fmt" if flag == "--format" else flag[2:].replace("-", "_")
        if switch:
            gen.add_argument(flag, dest=dest, action="store_true", help=text)
        else:
            gen.add_argument(flag, dest=dest, metavar="VALUE", help=text)
    gen.set_defaults(workers="auto")
    command("presets", presets)
    check = command("validate", validate_command)
    check.add_argument("path", help="FOCUS file or folder (CSV, Parquet, JSONL).")
    check.add_argument("--version", metavar="VALUE", help="1.0|1.1|1.2|1.3|1.4 (default: detect).")
    check.add_argument(
        "--dataset",
        metavar="VALUE",
        help="CostAndUsage|ContractCommitment|BillingPeriod|InvoiceDetail.",
    )
    check.add_argument(
        "--format", dest="fmt", default="console", metavar="VALUE", help="console|json|junit"
    )
    check.add_argument("--fail-on", default="error", metavar="VALUE", help="error|warning")
    return parser


def run(argv: Sequence[str]) -> None:
    """Parse ``argv`` (the arguments after ``focusgen``) and run its command.

    Ends with ``SystemExit`` when the command fails (2: a bad option, 1: a failed check).
    """
    parser = build_parser()
    namespace, unknown = parser.parse_known_args(argv)
    options = vars(namespace)
    if unknown:  # a command's own parser names it in the message
        parser.commands.get(options["command"], parser).error(
            f"unrecognized arguments: {' '.join(unknown)}"
        )
    if options.pop("show_version"):
        print(f"focusgen {__version__}")
        return
    command = options.pop("command")
    if command is None:
        parser.print_help(sys.stderr)
        raise SystemExit(2)
    options.pop("run")(**options)


def generate(
    config: str | None = None,
    providers: str | None = None,
    profile: str | None = None,
    distribution: str | None = None,
    start: str | None = None,
    months: str | None = None,
    granularity: str | None = None,
    rows: str | None = None,
    monthly_spend: str | None = None,
    focus_version: str | None = None,
    currency: str | None = None,
    seed: str | None = None,
    fmt: str | None = None,
    compression: str | None = None,
    layout: str | None = None,
    no_extensions: bool = False,
    output: str | None = None,
    workers: str = "auto",
    dask_scheduler: str | None = None,
    s3_endpoint_url: str | None = None,
    s3_region: str | None = None,
    quiet: bool = False,
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
        *summary.totals["by_charge_category"].items(),
        *((f"[provider] {name}", values) for name, values in summary.totals["by_provider"].items()),
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

    class _Console(Console):
        def on_broken_pipe(self) -> None:  # rich's own handling exits 1; main's, 141
            raise BrokenPipeError

    out = _Console(markup=False, emoji=False, highlight=False)
    out.print(table)
    dist = Table(title="distributions (service-category weights)")
    dist.add_column("distribution")
    dist.add_column("weights")
    for name in distribution_names():
        weights = ", ".join(f"{k} {v:g}" for k, v in distribution_preset(name).items())
        dist.add_row(name, weights)
    out.print(dist)


def validate_command(
    path: str,
    version: str | None = None,
    dataset: str | None = None,
    fmt: str = "console",
    fail_on: str = "error",
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
    print(text)
    if report.failed(fail_on):
        raise SystemExit(1)


def main() -> None:
    """Console-script entry point."""
    try:
        run(sys.argv[1:])
    except KeyboardInterrupt:
        print("interrupted; no partial files were left under final names", file=sys.stderr)
        _exit(130)
    except BrokenPipeError:  # the reader left early (``| head``): the rest goes nowhere
        _drop_stdout()
        _exit(SIGPIPE_EXIT)
    except SystemExit as done:  # how every command ends
        _exit(done.code)
    _exit(0)


# The status a shell reports for a command killed by SIGPIPE, which Python ignores: a
# closed pipe ends the command the way it ends ``yes | head``, without a traceback.
SIGPIPE_EXIT = 141


def _drop_stdout() -> None:
    """Point stdout at the null device: its reader is gone, and flushing must not fail."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _exit(code: int | str | None) -> NoReturn:
    """End the process without tearing the interpreter down (as mypy's --fast-exit does).

    By now every file is closed and published; atexit handlers still run. What is skipped
    is finalizing numpy, Arrow, pydantic and the rest module by module: ~30 ms after a run,
    ~70 ms or more when nothing was frozen.
    """
    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = 1
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _drop_stdout()
        code = code or SIGPIPE_EXIT
    sys.stderr.flush()
    atexit._run_exitfuncs()
    os._exit(code or 0)


if __name__ == "__main__":
    main()
