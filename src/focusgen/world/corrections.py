"""Which charges of a closed billing period get corrected in the next one, and by how much."""

from __future__ import annotations

import numpy as np

CORRECTED_PER_MILLE = 40


def correction_pairs(tax_pairs: np.ndarray, months: int) -> np.ndarray:
    """Rows ``(month_applied, sub, service, per_mille, credit_reversal)`` of the corrections.

    A stable hash of (month, sub-account, service) picks about 4% of the charged pairs of
    each closed billing period; the correction lands in the following billing period.
    """
    if not len(tax_pairs):
        return np.zeros((0, 5), dtype=np.int64)
    month, sub, service = (tax_pairs[:, i].astype(np.int64) for i in range(3))
    mixed = (month * 2654435761 + sub * 40503 + service * 2246822519 + 97) % 4294967291
    mixed = (mixed * 2654435761) % 4294967291
    chosen = (mixed % 1000 < CORRECTED_PER_MILLE) & (month < months - 1)
    fraction = 50 + (mixed // 1000) % 250  # 5%..30% of the month's cost, in per mille
    reversal = (mixed // 7) % 3 == 0
    return np.stack([month + 1, sub, service, fraction, reversal.astype(np.int64)], axis=1)[chosen]


SLA_PER_MILLE = 15


def sla_credit_pairs(tax_pairs: np.ndarray) -> np.ndarray:
    """Rows ``(month, sub, service, per_mille)`` of SLA credits for a service's outage.

    A second stable hash picks about 1.5% of the charged (month, sub-account, service)
    pairs; the credit is 10%..30% of that service's cost in that sub-account and month.
    """
    if not len(tax_pairs):
        return np.zeros((0, 4), dtype=np.int64)
    month, sub, service = (tax_pairs[:, i].astype(np.int64) for i in range(3))
    mixed = (month * 1597334677 + sub * 3812015801 + service * 2654435761 + 11) % 4294967291
    mixed = (mixed * 40503) % 4294967291
    chosen = mixed % 1000 < SLA_PER_MILLE
    per_mille = 100 + (mixed // 1000) % 200
    return np.stack([month, sub, service, per_mille], axis=1)[chosen]
