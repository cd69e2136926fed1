"""Validation findings and their console, JSON and JUnit renderings."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field

SEVERITIES = ("error", "warning")


@dataclass
class Finding:
    """One rule that failed: which rule, which column, how many rows, a few example rows."""

    rule: str
    dataset: str
    column: str
    severity: str
    message: str
    failed_rows: int
    samples: list[dict] = field(default_factory=list)


@dataclass
class Report:
    """The result of validating one path."""

    path: str
    version: str
    version_detected: bool
    datasets: dict[str, int]  # dataset -> rows
    rules_checked: dict[str, list[str]]  # dataset -> rule ids that ran
    findings: list[Finding]
    seconds: float = 0.0

    def count(self, severity: str) -> int:
        """Findings of one severity."""
        return sum(1 for f in self.findings if f.severity == severity)

    def failed(self, fail_on: str = "error") -> bool:
        """True when a finding at or above ``fail_on`` exists."""
        levels = SEVERITIES[: SEVERITIES.index(fail_on) + 1]
        return any(f.severity in levels for f in self.findings)

    @property
    def rule_ids(self) -> set[str]:
        """Ids of the rules that failed."""
        return {f.rule for f in self.findings}

    def to_dict(self) -> dict:
        """Plain data (for JSON)."""
        return {
            "path": self.path,
            "version": self.version,
            "version_detected": self.version_detected,
            "datasets": self.datasets,
            "rules_checked": {k: len(v) for k, v in self.rules_checked.items()},
            "errors": self.count("error"),
            "warnings": self.count("warning"),
            "seconds": round(self.seconds, 3),
            "findings": [asdict(f) for f in self.findings],
        }

    def to_json(self) -> str:
        """The report as JSON text."""
        return json.dumps(self.to_dict(), indent=2, default=str)

    def to_junit(self) -> str:
        """The report as JUnit XML: one test case per rule that ran, failures for findings."""
        by_rule = {(f.dataset, f.rule): f for f in self.findings}
        suites = ET.Element("testsuites", name="focusgen validate")
        for dataset, ids in self.rules_checked.items():
            failures = [i for i in ids if (dataset, i) in by_rule]
            suite = ET.SubElement(
                suites,
                "testsuite",
                name=f"FOCUS {self.version} {dataset}",
                tests=str(len(ids)),
                failures=str(len(failures)),
                errors="0",
                time=f"{self.seconds:.3f}",
            )
            for rule_id in ids:
                case = ET.SubElement(suite, "testcase", classname=dataset, name=rule_id)
                found = by_rule.get((dataset, rule_id))
                if found is None:
                    continue
                tag = "failure" if found.severity == "error" else "system-out"
                el = ET.SubElement(case, tag)
                text = f"{found.column}: {found.failed_rows} rows: {found.message}"
                if tag == "failure":
                    el.set("message", text)
                    el.set("type", found.severity)
                    el.text = json.dumps(found.samples, default=str)
                else:
                    el.text = "warning: " + text
        return ET.tostring(suites, encoding="unicode", xml_declaration=True)

    def to_console(self) -> str:
        """Human-readable text."""
        rows = ", ".join(f"{k} {v:,} rows" for k, v in self.datasets.items())
        how = "detected" if self.version_detected else "given"
        checked = sum(len(v) for v in self.rules_checked.values())
        lines = [f"{self.path}: FOCUS {self.version} ({how}); {rows}; {checked} rules checked"]
        for f in self.findings:
            lines.append(
                f"{f.severity.upper():7} {f.rule} [{f.dataset}.{f.column}] "
                f"{f.failed_rows:,} rows: {f.message}"
            )
            for sample in f.samples[:3]:
                lines.append("          e.g. " + json.dumps(sample, default=str))
        lines.append(
            f"{self.count('error')} errors, {self.count('warning')} warnings in {self.seconds:.2f}s"
        )
        return "\n".join(lines)
