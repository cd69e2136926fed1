"""Random id tokens and template filling: numpy and Arrow forms agree, templates fill right."""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from focusgen.providers.idgen import (
    digit_text,
    digit_tokens,
    fill,
    hex_text,
    hex_tokens,
    uuid_text,
    uuid_tokens,
)

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$")


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 40), width=st.integers(1, 40))
def test_arrow_tokens_are_the_numpy_tokens_of_the_same_draws(seed, n, width):
    def pair(numpy_form, arrow_form, *args):
        a = numpy_form(np.random.default_rng(seed), n, *args).tolist()
        b = arrow_form(np.random.default_rng(seed), n, *args)
        assert b.type == pa.string() and b.to_pylist() == a
        return a

    hexes = pair(hex_tokens, hex_text, width)
    assert all(len(h) == width and set(h) <= set("0123456789abcdef") for h in hexes)
    digits = pair(digit_tokens, digit_text, width + 1)
    assert all(len(d) == width + 1 and d.isdigit() and d[0] != "0" for d in digits)
    uuids = pair(uuid_tokens, uuid_text)
    assert all(UUID4.match(u) for u in uuids)


def test_fill_joins_pieces_once_per_placeholder_in_template_order():
    calls = []

    def thunk(name, value):
        def make():
            calls.append(name)
            return value

        return make

    values = {
        "region": thunk("region", np.array(["us-east-1", "eu-west-1"])),
        "n": thunk("n", np.array([7, 12])),
        "hex8": thunk("hex8", pa.array(["0a1b2c3d", "4e5f6a7b"])),
    }
    out = fill("arn:{region}:x/{hex8}-{n}/{hex8}", values, 2)
    assert out.to_pylist() == [
        "arn:us-east-1:x/0a1b2c3d-7/0a1b2c3d",
        "arn:eu-west-1:x/4e5f6a7b-12/4e5f6a7b",
    ]
    assert calls == ["region", "hex8", "n"]  # each made once, in first-use order
    assert fill("fixed-name", values, 3).to_pylist() == ["fixed-name"] * 3
    with pytest.raises(KeyError, match=r"\{zone\}"):
        fill("x/{zone}", values, 2)
