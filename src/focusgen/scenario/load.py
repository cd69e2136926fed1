"""Load a Scenario from YAML/JSON files and option overrides, with clear errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from focusgen.scenario.errors import ScenarioError, explain
from focusgen.scenario.model import Scenario
from focusgen.yamltext import YamlError, load_yaml


def read_config(path: str | Path) -> dict[str, Any]:
    """Read a scenario file (YAML or JSON) into a dict."""
    file = Path(path)
    if not file.is_file():
        raise ScenarioError(f"--config={str(path)!r}: no such file")
    try:
        text = file.read_text()
        data = json.loads(text) if file.suffix == ".json" else load_yaml(text)
    except (json.JSONDecodeError, YamlError) as error:
        raise ScenarioError(f"--config={str(path)!r}: not valid YAML/JSON ({error})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ScenarioError(f"--config={str(path)!r}: must hold a mapping of scenario fields")
    return data


def load_scenario(config: str | Path | dict[str, Any] | None = None, **overrides: Any) -> Scenario:
    """Build a Scenario from a file or dict, then apply keyword overrides (None = unset)."""
    data: dict[str, Any] = {}
    if isinstance(config, dict):
        data.update(config)
    elif config is not None:
        data.update(read_config(config))
    output = dict(data.get("output") or {})
    for key in ("path", "format", "layout", "extensions", "compression"):
        value = overrides.pop(f"output_{key}", None)
        if value is not None:
            output[key] = value
    if output:
        data["output"] = output
    data.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Scenario.model_validate(data)
    except ValidationError as error:
        raise explain(error) from None
