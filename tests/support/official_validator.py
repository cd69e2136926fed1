"""Run the official FOCUS validator (focus-validator 2.2.1, own Python 3.12 venv); parse it."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

VALIDATOR_VERSION = "2.2.1"
REQUIREMENTS = (f"focus-validator=={VALIDATOR_VERSION}", "pyarrow<24")
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ALLOWLIST = Path(__file__).with_name("official_allowlist.txt")
_CURRENCY_CODES = Path("focus_validator", "rules", "currency_codes.csv")
_RULE_ID = re.compile(r"^(?:[A-Z]{2,4}-)?[A-Za-z]+-[A-Z]-\d{3}-[A-Z]$")
_STATUS_LINE = re.compile(
    r"^\S+\s+(?P<rule>\S+): (?P<status>PASS|FAIL|SKIPPED)(?:\s+\((?P<extra>.*)\))?\s*$"
)
_FAILURE_LINE = re.compile(r"^- (?P<rule>\S+): violations=(?P<vio>\S+?); (?P<msg>.*)$")
_TOTAL_LINE = re.compile(
    r"^Total: (?P<total>\d+) \| Pass: (?P<passed>\d+) \| Fail: (?P<failed>\d+)"
    r" \| Skipped: (?P<skipped>\d+)\s*$"
)
_CHILDREN = re.compile(r"(?:AND|OR) failed - (?:failed|all) child rules(?: failed)?: \[(.*?)\]")


class OfficialValidatorError(RuntimeError):
    """The validator could not be installed, crashed, or printed something we cannot parse."""


@dataclass(frozen=True)
class Finding:
    """One rule that did not pass: kind is "failed" (rule violated) or "errored" (rule crashed)."""

    rule_id: str
    kind: str
    violations: int | None = None
    message: str = ""
    must_satisfy: str | None = None
    children: tuple[str, ...] = ()

    @property
    def derived(self) -> bool:
        """True for a composite that failed only because the child rules it names failed."""
        return (
            self.kind == "failed"
            and bool(self.children)
            and all(
                _RULE_ID.match(c) or c.startswith("model_rule_reference#") for c in self.children
            )
        )


@dataclass
class OfficialReport:
    """Parsed result of one validator run; `failed` holds failed AND errored rules."""

    failed: list[Finding]
    passed: int
    total: int
    skipped: int = 0
    raw: str = ""
    xml: str = ""
    command: list[str] = field(default_factory=list)

    @property
    def errored(self) -> list[Finding]:
        return [f for f in self.failed if f.kind == "errored"]

    @property
    def failed_ids(self) -> set[str]:
        return {f.rule_id for f in self.failed}


def _run(cmd: list[str], timeout: float, cwd: Path | None = None) -> subprocess.CompletedProcess:
    drop = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")  # the caller's 3.11 env must not leak in
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(PYTHONIOENCODING="utf-8", PYTHONUTF8="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    return subprocess.run(
        cmd,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
        check=False,
    )


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _find_python312() -> str:
    candidates = [os.environ.get("FOCUSGEN_PYTHON312"), shutil.which("python3.12")]
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    found = sorted(pyenv_root.glob("versions/3.12*/bin/python3.12"), reverse=True)
    candidates += [str(p) for p in found]
    for cand in filter(None, candidates):
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            # A pyenv shim exists on PATH even when 3.12 is not selected; it then exits non-zero.
            out = _run([cand, "-c", "import sys; print(sys.version_info[:2] == (3, 12))"], 60)
            if out.returncode == 0 and out.stdout.strip() == "True":
                return cand
    raise OfficialValidatorError(
        "Python 3.12 not found (focus-validator 2.2.1 needs >=3.12; on 3.11 pip silently installs "
        "1.0.0). Install it (e.g. `pyenv install 3.12`) or set FOCUSGEN_PYTHON312 to its path."
    )


def _venv_bin(root: Path, name: str) -> Path:
    return root / ("Scripts" if sys.platform == "win32" else "bin") / name


def _installed_version(root: Path) -> str | None:
    python, exe = _venv_bin(root, "python"), _venv_bin(root, "focus-validator")
    if not (python.exists() and exe.exists()):
        return None
    code = (
        "import sys, importlib.metadata as m; assert sys.version_info[:2] == (3, 12); "
        "print(m.version('focus-validator'))"
    )
    out = _run([str(python), "-c", code], 120)
    return out.stdout.strip() if out.returncode == 0 else None


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            yield
            return
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def ensure_validator_venv(root: Path | None = None) -> Path:
    """Create (once) a Python 3.12 venv with focus-validator 2.2.1; return its executable."""
    if root is None:
        env_root = os.environ.get("FOCUSGEN_VALIDATOR_VENV")
        root = Path(env_root) if env_root else REPO_ROOT / ".cache" / "focus-validator-venv"
    root = root.expanduser().resolve()
    exe = _venv_bin(root, "focus-validator")
    if _installed_version(root) == VALIDATOR_VERSION:
        return exe
    with _lock(root.with_name(root.name + ".lock")):
        if _installed_version(root) == VALIDATOR_VERSION:  # another worker finished it
            return exe
        if not (root / "pyvenv.cfg").exists():
            if root.exists() and any(root.iterdir()):
                raise OfficialValidatorError(f"{root} exists, is not empty and is not a venv")
            out = _run([_find_python312(), "-m", "venv", str(root)], 600)
            if out.returncode != 0:
                raise OfficialValidatorError(f"venv creation failed:\n{_tail(out.stderr)}")
        pip = [str(_venv_bin(root, "python")), "-m", "pip", "install", "--quiet", *REQUIREMENTS]
        out = _run(pip, 1800)
        if out.returncode != 0:
            raise OfficialValidatorError(f"pip install failed:\n{_tail(out.stdout + out.stderr)}")
        got = _installed_version(root)
        if got != VALIDATOR_VERSION:
            raise OfficialValidatorError(
                f"{root} has focus-validator {got!r}, need {VALIDATOR_VERSION} on Python 3.12; "
                "delete the venv and retry"
            )
    return exe


def _prepare_cwd(exe: Path, cwd: Path) -> None:
    """The validator opens focus_validator/rules/currency_codes.csv relative to its cwd."""
    env_root = exe.parent.parent
    found = [*env_root.glob(f"lib/python3*/site-packages/{_CURRENCY_CODES.as_posix()}")]
    found += [*env_root.glob(f"Lib/site-packages/{_CURRENCY_CODES.as_posix()}")]
    if not found:
        raise OfficialValidatorError(f"{_CURRENCY_CODES} not found under {env_root}")
    target = cwd / _CURRENCY_CODES
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        target.symlink_to(found[0])
    except OSError:
        shutil.copyfile(found[0], target)


def _parse_children(message: str) -> tuple[str, ...]:
    match = _CHILDREN.search(message)
    return tuple(c.strip() for c in match.group(1).split(",") if c.strip()) if match else ()


def _parse_console(text: str) -> tuple[dict[str, tuple[str, int | None, str]], dict[str, int]]:
    """Map rule id -> (PASS|FAIL|SKIPPED, violations, message); plus the Total line counts."""
    rules: dict[str, tuple[str, int | None, str]] = {}
    totals: dict[str, int] = {}
    for line in text.splitlines():
        if m := _TOTAL_LINE.match(line):
            totals = {k: int(v) for k, v in m.groupdict().items()}
        elif m := _STATUS_LINE.match(line):
            extra = m.group("extra") or ""
            vio = re.match(r"violations=(\d+)", extra)
            msg = re.search(r"(?:^|, )msg=(.*?)(?:, \d+(?:\.\d+)?ms)?$", extra)
            rules[m.group("rule")] = (
                m.group("status"),
                int(vio.group(1)) if vio else None,
                msg.group(1) if msg else "",
            )
    return rules, totals


def _parse_failures_section(text: str) -> dict[str, tuple[str, str | None]]:
    """Map rule id -> (message, MustSatisfy) from the '--- Failures ---' block."""
    out: dict[str, tuple[str, str | None]] = {}
    _, _, section = text.partition("\n--- Failures ---\n")
    current = None
    for line in section.splitlines():
        if m := _FAILURE_LINE.match(line):
            current = m.group("rule")
            out[current] = (m.group("msg"), None)
        elif current and line.startswith("  MustSatisfy: "):
            out[current] = (out[current][0], line.removeprefix("  MustSatisfy: "))
        elif current and out[current][1] is None:  # continuation of a multi-line message
            out[current] = (out[current][0] + "\n" + line, None)
    return out


def _parse_unittest(xml_text: str) -> tuple[dict[str, tuple[str, str]], dict[str, int]]:
    """Map rule id -> (passed|failed|errored|skipped, message); plus the root counters."""
    root = ET.fromstring(xml_text)
    counts = {k: int(root.get(k, "0")) for k in ("tests", "failures", "errors", "skipped")}
    rules: dict[str, tuple[str, str]] = {}
    for case in root.iter("testcase"):
        rule_id = case.get("name", "").split(" :: ", 1)[0].strip()
        status, message = "passed", ""
        for tag, name in (("failure", "failed"), ("error", "errored"), ("skipped", "skipped")):
            child = case.find(tag)
            if child is not None:
                status, message = name, child.get("message") or ""
        rules[rule_id] = (status, message)
    return rules, counts


def run_official_validator(
    data_file: Path,
    version: str = "1.2",
    dataset: str = "CostAndUsage",
    rule_set_path: Path | None = None,
    *,
    details: bool = True,
    timeout: float = 1800,
    executable: Path | None = None,
) -> OfficialReport:
    """Validate data_file (.csv or .parquet) and parse the result.

    Runs with --output-type unittest (JUnit XML: passed/failed/errored/skipped per rule) and, when
    details is True, a second time with --output-type console for violation counts, messages and
    MustSatisfy text; the two runs are cross-checked. Raises OfficialValidatorError on a crash.
    """
    exe = executable or ensure_validator_venv()
    data_file = Path(data_file).resolve()
    if not data_file.is_file():
        raise FileNotFoundError(data_file)
    base = [
        str(exe),
        "--data-file",
        str(data_file),
        "--validate-version",
        version,
        "--focus-dataset",
        dataset,
        "--applicability-criteria",
        "ALL",
        "--block-download",
    ]
    if rule_set_path is not None:
        base += ["--rule-set-path", str(Path(rule_set_path).resolve())]
    with tempfile.TemporaryDirectory(prefix="focus-validator-") as tmp:
        cwd = Path(tmp)  # also receives the validator's focus_validator_detailed.log
        _prepare_cwd(exe, cwd)
        xml_path = cwd / "report.xml"
        runs = [[*base, "--output-type", "unittest", "--output-destination", str(xml_path)]]
        if details:
            runs.append([*base, "--output-type", "console"])
        outputs = []
        for cmd in runs:
            try:
                out = _run(cmd, timeout, cwd=cwd)
            except subprocess.TimeoutExpired as exc:
                msg = f"validator timed out after {timeout}s: {cmd}"
                raise OfficialValidatorError(msg) from exc
            if out.returncode != 0:
                log = cwd / "focus_validator_detailed.log"
                log_tail = _tail(log.read_text(errors="replace"), 20) if log.exists() else ""
                raise OfficialValidatorError(
                    f"validator crashed (exit {out.returncode}): {' '.join(cmd)}\n"
                    f"{_tail(out.stderr)}\n{log_tail}"
                )
            outputs.append(out.stdout)
        if not xml_path.exists():
            raise OfficialValidatorError(f"no unittest XML written; stdout:\n{_tail(outputs[0])}")
        xml_text = xml_path.read_text(encoding="utf-8")
    statuses, counts = _parse_unittest(xml_text)
    if not statuses or len(statuses) != counts["tests"]:
        raise OfficialValidatorError(f"parsed {len(statuses)} rules, XML says {counts['tests']}")
    console, totals, failures = {}, {}, {}
    if details:
        console, totals = _parse_console(outputs[1])
        failures = _parse_failures_section(outputs[1])
        bad_xml = {r for r, (s, _) in statuses.items() if s in ("failed", "errored")}
        bad_console = {r for r, (s, _, _) in console.items() if s == "FAIL"}
        if not totals or totals["total"] != len(console) or bad_xml != bad_console:
            raise OfficialValidatorError(
                "console and unittest outputs disagree: only-xml="
                f"{sorted(bad_xml - bad_console)} only-console={sorted(bad_console - bad_xml)}"
            )
    found = []
    for rule_id, (status, xml_msg) in sorted(statuses.items()):
        if status not in ("failed", "errored"):
            continue
        _, violations, msg = console.get(rule_id, ("", None, ""))
        msg, must = failures.get(rule_id, (msg, None))
        msg = msg or xml_msg
        found.append(Finding(rule_id, status, violations, msg, must, _parse_children(msg)))
    passed = sum(1 for s, _ in statuses.values() if s == "passed")
    raw = outputs[1] if details else xml_text
    return OfficialReport(found, passed, len(statuses), counts["skipped"], raw, xml_text, runs[-1])


def load_allowlist(path: Path | None = None, *, csv: bool = False) -> dict[str, str]:
    """Read `RULE_ID reason` lines (# comments); `csv-only:` lines are included when csv=True."""
    entries: dict[str, str] = {}
    for raw_line in Path(path or DEFAULT_ALLOWLIST).read_text(encoding="utf-8").splitlines():
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("csv-only:"):
            if not csv:
                continue
            line = line.removeprefix("csv-only:").strip()
        rule_id, _, reason = line.partition(" ")
        if not _RULE_ID.match(rule_id) or not reason.strip():
            raise ValueError(f"bad allowlist line: {raw_line!r}")
        entries[rule_id] = reason.strip()
    return entries


def unexplained_failures(report: OfficialReport, allowlist: dict[str, str]) -> list[Finding]:
    """Failed/errored rules not allowlisted, ignoring composites that only echo failed children."""
    bad = report.failed_ids
    return [
        f
        for f in report.failed
        if f.rule_id not in allowlist
        and not (f.derived and all(c in bad or not _RULE_ID.match(c) for c in f.children))
    ]
