"""Scenario validation, presets and overrides, file loading, clear errors."""

from __future__ import annotations

import pytest

from focusgen import ScenarioError, load_scenario
from focusgen.scenario.presets import distribution_names, profile_names


def test_presets_exist_by_name():
    assert profile_names() == ["startup", "enterprise", "data-heavy", "ml-ai"]
    assert distribution_names() == ["balanced", "compute-heavy", "storage-heavy", "network-heavy"]


def test_profile_fields_can_be_overridden_one_by_one():
    base = load_scenario(None, profile="startup")
    tuned = load_scenario({"profile": "startup", "settings": {"tag_coverage": 0.99}})
    assert base.profile_settings.tag_coverage == 0.6
    assert tuned.profile_settings.tag_coverage == 0.99
    assert tuned.profile_settings.commitment_coverage == base.profile_settings.commitment_coverage


def test_distribution_weights_can_be_overridden():
    scenario = load_scenario(
        {"distribution": "storage-heavy", "category_weights": {"Networking": 99}}
    )
    assert scenario.service_category_weights["Networking"] == 99
    assert scenario.service_category_weights["Storage"] == 45


def test_providers_accept_lists_strings_and_weights():
    assert list(load_scenario(None, providers="aws, gcp").providers) == ["aws", "gcp"]
    assert load_scenario({"providers": {"aws": 3, "oci": 1}}).providers == {"aws": 3.0, "oci": 1.0}


def test_yaml_and_json_files_with_option_overrides(tmp_path):
    (tmp_path / "s.yaml").write_text("providers: [azure]\nmonths: 6\nseed: 9\n")
    (tmp_path / "s.json").write_text('{"providers": ["oci"], "granularity": "hourly"}')
    from_yaml = load_scenario(tmp_path / "s.yaml", months=2)
    assert from_yaml.months == 2 and from_yaml.seed == 9
    assert load_scenario(tmp_path / "s.json").granularity == "hourly"


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"providers": "aws,alibaba"}, ["providers", "'alibaba'", "aws, azure, gcp, oci, ibm"]),
        ({"months": 37}, ["months", "37", "36"]),
        ({"rows": 5}, ["rows", "5", "100"]),
        ({"focus_version": "1.5"}, ["focus_version", "1.5", "1.0, 1.1, 1.2, 1.3, 1.4"]),
        ({"start": "26-01"}, ["start", "26-01", "YYYY-MM"]),
        ({"currency": "ABC"}, ["currency", "ABC", "USD"]),
        ({"profile": "huge"}, ["profile", "huge", "startup"]),
        ({"granularity": "weekly"}, ["granularity", "weekly", "hourly"]),
        ({"rows": 1000, "monthly_spend": 10}, ["rows or monthly_spend"]),
        ({"colour": "blue"}, ["unknown field", "colour"]),
    ],
)
def test_bad_input_names_field_value_and_allowed(options, words):
    with pytest.raises(ScenarioError) as error:
        load_scenario(None, **options)
    message = str(error.value)
    assert "\n" not in message
    for word in words:
        assert word in message


def test_bad_files_are_explained(tmp_path):
    (tmp_path / "bad.yaml").write_text("providers: [aws\n")
    with pytest.raises(ScenarioError, match="not valid YAML"):
        load_scenario(tmp_path / "bad.yaml")
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenario(tmp_path / "missing.yaml")
