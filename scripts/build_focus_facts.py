"""Compile the package's FOCUS column facts from the shared spec digest (a dev-time step).

Run from the repository root: ``python scripts/build_focus_facts.py``. The output,
``src/focusgen/focus/columns.json``, is committed; the package never reads ../shared.
"""

from __future__ import annotations

import json
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1].parent / "shared" / "focus" / "columns.json"
TARGET = Path(__file__).resolve().parents[1] / "src" / "focusgen" / "focus" / "columns.json"


def compact(column: dict) -> dict:
    """Keep the facts the dialect and the validator use."""
    allowed = column.get("allowed_values")
    out = {
        "name": column["name"],
        "type": column["type"],
        "level": column["feature_level"],
        "nullable": bool(column["nullable"]),
    }
    if allowed:
        if isinstance(allowed[0], dict):
            out["allowed"] = [a["value"] for a in allowed]
            out["parents"] = {a["value"]: a["parent"] for a in allowed}
        else:
            out["allowed"] = list(allowed)
    return out


def main() -> None:
    raw = json.loads(SOURCE.read_text())
    facts = {
        version: {dataset: [compact(c) for c in cols] for dataset, cols in datasets.items()}
        for version, datasets in raw.items()
        if not version.startswith("_")
    }
    TARGET.write_text(json.dumps(facts, indent=1, sort_keys=False) + "\n")
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
