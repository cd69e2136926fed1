"""Promotional credits: a share of a credited sub-account's bill, as rows or inside usage rows."""

from __future__ import annotations

import numpy as np

from focusgen.providers.conventions import CREDITS_IN_USAGE
from focusgen.world.model import ProviderWorld

CREDIT_SHARE_OF_BILL = 0.3


def credits_in_usage(pw: ProviderWorld) -> bool:
    """Does the provider fold credits into the usage rows they apply to (Google Cloud)?"""
    return pw.provider in CREDITS_IN_USAGE


def usage_credits(pw: ProviderWorld, sub: np.ndarray, billed: np.ndarray) -> np.ndarray:
    """Per usage row, the (negative) promotional credit folded into it; 0 where none."""
    credited = pw.org.sub_credited[sub] & (billed > 0)
    return np.where(credited, -np.round(billed * CREDIT_SHARE_OF_BILL, 10), 0.0)
