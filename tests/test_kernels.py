"""The engine's compute functions match pyarrow.compute, and a run never loads the latter."""

from __future__ import annotations

import subprocess
import sys

import pyarrow as pa
import pyarrow.compute as arrow_pc
import pytest

from focusgen.engine import kernels

TEXT = pa.array(['{"a":"x","b":"y"}', None, "plain"])
NUMBERS = pa.array([1.25, None, -3.5, 2.0])
WHEN = pa.array([1_700_000_000_000_000, None], pa.timestamp("us", tz="UTC"))

CASES = [
    ("add", (NUMBERS, 1.5), {}),
    ("and_", (pa.array([True, False, None]), pa.array([True, True, True])), {}),
    ("binary_join_element_wise", (TEXT, "-", TEXT, ""), {}),
    ("binary_length", (TEXT,), {}),
    ("binary_replace_slice", (TEXT,), {"start": 0, "stop": 0, "replacement": ">"}),
    ("coalesce", (NUMBERS, 0.0), {}),
    ("count_distinct", (NUMBERS,), {}),
    ("dictionary_encode", (TEXT,), {}),
    ("divide", (NUMBERS, 2.0), {}),
    ("drop_null", (NUMBERS,), {}),
    ("equal", (TEXT, "plain"), {}),
    ("extract_regex", (TEXT, r'"a":"(?P<v>[^"]+)"'), {}),
    ("filter", (NUMBERS, pa.array([True, False, True, None])), {}),
    ("if_else", (pa.array([True, False, None]), "yes", "no"), {}),
    ("index_in", (TEXT,), {"value_set": pa.array(["plain"])}),
    ("invert", (pa.array([True, None]),), {}),
    ("is_null", (NUMBERS,), {}),
    ("is_valid", (NUMBERS,), {}),
    ("less", (NUMBERS, 1.5), {}),
    ("match_substring", (TEXT, "a"), {}),
    ("multiply", (NUMBERS, NUMBERS), {}),
    ("not_equal", (NUMBERS, 2.0), {}),
    ("or_", (pa.array([True, False, None]), pa.array([False, False, True])), {}),
    ("replace_substring", (TEXT, '","', "|"), {}),
    ("round", (NUMBERS, 1), {}),
    ("strftime", (WHEN,), {"format": "%Y-%m-%dT%H:%M:%SZ"}),
    ("subtract", (NUMBERS, NUMBERS), {}),
    ("sum", (NUMBERS,), {}),
    ("unique", (TEXT,), {}),
    ("cast", (NUMBERS, pa.string()), {}),
    ("take", (TEXT, pa.array([2, 0, None])), {}),
    ("fill_null", (NUMBERS, 0), {}),
]


@pytest.mark.parametrize(("name", "args", "kwargs"), CASES, ids=[c[0] for c in CASES])
def test_each_function_gives_what_pyarrow_compute_gives(name, args, kwargs):
    ours = getattr(kernels, name)(*args, **kwargs)
    theirs = getattr(arrow_pc, name)(*args, **kwargs)
    assert ours.equals(theirs)


def test_unknown_functions_and_stray_options_are_refused():
    with pytest.raises(AttributeError, match="no function 'shift'"):
        kernels.shift  # noqa: B018
    with pytest.raises(TypeError, match="equal takes no options"):
        kernels.equal(NUMBERS, NUMBERS, 3)
    with pytest.raises(pa.ArrowInvalid):
        kernels.cast(pa.array([1.5]), pa.int64())  # safe casts refuse truncation
    assert kernels.cast(pa.array([1.5]), pa.int64(), safe=False).to_pylist() == [1]


def test_a_run_never_loads_pyarrow_compute_or_numpy_ma(tmp_path):
    # pyarrow.compute builds ~300 wrappers as it loads (~25 ms of every start), numpy.ma
    # takes ~8 ms and numpy.char ~1 ms; blocking them makes any use of them, or of calls
    # that load them (Arrow methods, pa.array(ndarray), plain np.unique), fail the run.
    code = (
        "import sys\n"
        "for name in ('pyarrow.compute', 'numpy.ma', 'numpy.char'):\n"
        "    sys.modules[name] = None\n"
        "from focusgen import generate, load_scenario\n"
        "cases = [\n"
        "    dict(providers='aws', rows=30000, granularity='hourly', output_format='parquet'),\n"
        "    dict(providers='aws,azure,gcp,oci', rows=20000, focus_version='1.4',\n"
        "         output_format='csv.gz', output_layout='provider'),\n"
        "    dict(providers='aws,azure,gcp,oci,snowflake', rows=20000, granularity='native',\n"
        "         output_layout='native', output_format='parquet'),\n"
        "    dict(providers='oci,ibm,llm', rows=10000, focus_version='1.0',\n"
        "         output_format='jsonl'),\n"
        "]\n"
        "for i, case in enumerate(cases):\n"
        f"    scenario = load_scenario(None, output_path=r'{tmp_path}/run' + str(i), **case)\n"
        "    generate(scenario, workers=1 + i % 2)\n"
        "print('dateutil' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    # Nor dateutil (~4 ms), which Arrow loads to infer a Python value's type: the engine
    # gives every value its type.
    assert done.stdout.strip() == "False"
