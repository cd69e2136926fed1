"""The CLI: options as documented, progress-free runs, one-line errors with exit code 2."""

from __future__ import annotations

import json
import os
import pty
import signal
import subprocess
import sys

import pytest

from focusgen import __version__
from focusgen.cli import OPTION_NAMES
from support.cli import invoke


def focusgen(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the CLI; if it hangs, fail with every thread's Python stack, not just a timeout."""
    command = [sys.executable, "-X", "faulthandler", "-m", "focusgen", *args]
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGABRT)  # faulthandler prints the stacks on SIGABRT
            stdout, stderr = proc.communicate()
            pytest.fail(f"focusgen {' '.join(args)} hung for {timeout} s:\n{stderr}")
    return subprocess.CompletedProcess(command, proc.returncode, stdout, stderr)


def python(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run Python code in a fresh interpreter (so it loads what a new process loads)."""
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env or None
    )


def test_quick_commands_and_scenario_checks_do_not_load_the_engine():
    # --version, --help, presets and scenario errors answer without numpy or Arrow.
    code = (
        "import sys, focusgen, focusgen.cli\n"
        "focusgen.load_scenario(None, providers='aws', rows=1000)\n"
        "print(sorted(m for m in ('numpy', 'pyarrow', 'focusgen.run') if m in sys.modules))\n"
        "from focusgen import generate\n"
        "print(generate.__module__)"
    )
    done = python(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["[]", "focusgen.run"]


def test_the_command_loads_its_cli_frozen_and_import_focusgen_stays_light():
    light = python("import sys, focusgen; print('pydantic' in sys.modules)")
    assert light.stdout.strip() == "False", light.stderr
    # The launcher freezes what loading the CLI allocated (pydantic, the scenario models),
    # so no collection walks it again; the count is read as the command exits.
    # The command's own process skips pydantic's plugin lookup (an entry-point scan of
    # every installed package); a user's explicit setting is kept.
    code = (
        "import atexit, gc, os, sys\n"
        "from pydantic.plugin import _loader\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count()))\n"
        "atexit.register(lambda: print('plugins', os.environ['PYDANTIC_DISABLE_PLUGINS'],"
        " _loader._plugins is None))\n"
        "sys.argv = ['focusgen', '--version']\n"
        "from focusgen.launch import main\n"
        "main()\n"
    )
    done = python(code)
    assert done.returncode == 0, done.stderr
    assert f"focusgen {__version__}" in done.stdout
    assert int(done.stdout.split("frozen")[-1].split()[0]) > 10_000
    assert "plugins __all__ True" in done.stdout
    kept = python(code, env={**os.environ, "PYDANTIC_DISABLE_PLUGINS": "logfire"})
    assert "plugins logfire False" in kept.stdout, kept.stderr


def test_version_and_presets():
    assert focusgen("--version").stdout.strip() == f"focusgen {__version__}"
    listing = focusgen("presets").stdout
    for name in ("startup", "enterprise", "data-heavy", "ml-ai", "compute-heavy", "network-heavy"):
        assert name in listing


def test_generate_with_every_documented_option(tmp_path):
    done = focusgen(
        "generate",
        "--providers",
        "aws,azure,gcp,oci",
        "--profile",
        "enterprise",
        "--distribution",
        "balanced",
        "--start",
        "2026-01",
        "--months",
        "2",
        "--granularity",
        "daily",
        "--rows",
        "5000",
        "--focus-version",
        "1.3",
        "--currency",
        "EUR",
        "--seed",
        "42",
        "--format",
        "csv.gz",
        "--output",
        str(tmp_path / "out"),
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["focus_version"] == "1.3" and summary["scenario"]["currency"] == "EUR"
    assert abs(summary["totals"]["rows"] - 5000) <= 100
    assert "rows/s" in done.stdout
    # Names print as they are (rich markup would have eaten the "[provider]" label).
    for provider in ("aws", "azure", "gcp", "oci"):
        assert f"[provider] {provider}" in done.stdout


def test_config_file_with_overriding_options(tmp_path):
    config = tmp_path / "scenario.yaml"
    config.write_text("providers: [gcp]\nrows: 3000\nmonths: 1\nseed: 5\n")
    done = focusgen(
        "generate", "--config", str(config), "--rows", "2000", "--output", str(tmp_path / "o")
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["scenario"]["rows"] == 2000 and summary["scenario"]["providers"] == {"gcp": 1.0}


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--providers", "aws,alibaba"], ["--providers", "alibaba", "allowed", "snowflake"]),
        (["--rows", "many"], ["--rows", "many", "integer"]),
        (["--months", "0"], ["--months", "0"]),
        (["--format", "xlsx"], ["--format", "xlsx", "parquet"]),
        (["--focus-version", "0.5"], ["--focus-version", "0.5", "1.4"]),
        (["--granularity", "weekly"], ["--granularity", "weekly"]),
        (["--config", "/no/such.yaml"], ["--config", "no such file"]),
        (["--workers", "0"], ["--workers", "0", "1 or more"]),
        (["--workers", "two"], ["--workers", "two", "1 or more", "auto"]),
        (["--output", "ftp://host/x"], ["--output", "ftp://host/x", "s3://bucket/prefix"]),
        (["--dask-scheduler", "localhost"], ["--dask-scheduler", "localhost", "tcp://"]),
    ],
)
def test_bad_options_give_one_line_and_exit_2(tmp_path, args, words):
    done = focusgen("generate", "--output", str(tmp_path / "x"), *args)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr
    for word in words:
        assert word in lines[0]
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("quiet", [False, True])
def test_progress_bar_shows_on_a_terminal_unless_quiet(tmp_path, quiet):
    leader, follower = pty.openpty()
    command = [sys.executable, "-m", "focusgen", "generate", "--providers", "aws"]
    command += ["--rows", "3000", "--months", "1", "--output", str(tmp_path / "out")]
    with subprocess.Popen(
        [*command, *(["--quiet"] if quiet else [])], stdout=follower, stderr=follower
    ) as process:
        os.close(follower)
        output = b""
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:  # the terminal closes when the command exits
                break
            if not data:
                break
            output += data
        assert process.wait(timeout=120) == 0
    os.close(leader)
    text = output.decode(errors="replace")
    assert "rows in" in text  # the summary, either way
    assert ("generating" in text) is not quiet


def test_a_run_with_cached_yaml_never_loads_pyyaml(tmp_path):
    code = (
        "import sys; from focusgen import generate, load_scenario; "
        f"generate(load_scenario(None, providers='aws,azure', rows=500, months=1, "
        f"output_path={str(tmp_path / 'out')!r}), workers=1); "
        "print('yaml' in sys.modules)"
    )
    env = {**os.environ, "FOCUSGEN_CACHE_DIR": str(tmp_path / "cache")}
    runs = [python(code, env) for _ in range(2)]
    assert [run.returncode for run in runs] == [0, 0], runs[0].stderr[-2000:]
    # The first run parses the packaged YAML and caches it; the second reads the copies.
    assert [run.stdout.split()[-1] for run in runs] == ["True", "False"]


def test_the_summary_is_plain_text_and_a_quiet_run_never_loads_rich(tmp_path):
    # rich draws the progress bar on terminals; without one, a run need not load it.
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('rich loaded', 'rich' in sys.modules))\n"
        "sys.argv = ['focusgen', 'generate', '--providers', 'aws', '--rows', '2000',"
        f" '--months', '1', '--output', {str(tmp_path / 'out')!r}]\n"
        "from focusgen.launch import main\n"
        "main()\n"
    )
    done = python(code)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1] == "rich loaded False"
    header = next(i for i, line in enumerate(lines) if line.startswith("ChargeCategory"))
    # Numbers right-aligned: every row's last cell ends where the header's does.
    rows = lines[header + 2 : -2]  # between the rule and the currency line
    assert rows and all(len(row) == len(lines[header]) for row in rows)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    usage = next(row for row in rows if row.startswith("Usage"))
    assert usage.split()[1] == f"{summary['totals']['by_charge_category']['Usage']['rows']:,}"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["generate", "--bogus", "1"], ["--bogus", "focusgen generate --help"]),
        (["generate", "--out", "x"], ["--out", "focusgen generate --help"]),  # no abbreviations
        (["frob"], ["frob", "generate", "validate"]),
        (["validate"], ["path", "focusgen validate --help"]),
        (["generate", "--rows"], ["--rows", "expected one argument"]),
    ],
)
def test_unknown_or_incomplete_options_give_one_line_and_exit_2(args, words):
    done = invoke(*args)
    assert done.exit_code == 2
    lines = done.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    for word in words:
        assert word in lines[0]


def test_help_lists_every_command_and_option():
    top = invoke("--help")
    assert top.exit_code == 0
    assert all(name in top.output for name in ("generate", "presets", "validate", "--version"))
    listing = invoke("generate", "--help").output
    for flag in (*OPTION_NAMES.values(), "--workers", "--dask-scheduler", "--quiet"):
        assert flag in listing
    # No command at all: the overview, and the exit code of a usage error.
    assert invoke().exit_code == 2


@pytest.mark.parametrize("command", ["generate", "presets"])
def test_a_reader_that_leaves_early_gets_no_traceback(tmp_path, command):
    # `focusgen ... | head -1`: the pipe closes before the output is printed.
    out = tmp_path / "out"
    args = {
        "generate": ["generate", "--providers", "aws", "--rows", "2000", "--output", str(out)],
        "presets": ["presets"],
    }[command]
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody will read: the first write fails
    with subprocess.Popen(
        [sys.executable, "-m", "focusgen", *args],
        stdout=write_end,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        os.close(write_end)
        stderr = proc.communicate(timeout=300)[1]
    assert "Traceback" not in stderr, stderr
    assert proc.returncode == 141
    if command == "generate":  # the run itself finished and was published
        assert (out / "_SUCCESS").exists()
        assert json.loads((out / "summary.json").read_text())["totals"]["rows"] > 0
