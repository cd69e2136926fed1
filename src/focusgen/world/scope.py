"""Resolve a Scope (provider, service, account, team, ...) to a mask over a world's lines."""

from __future__ import annotations

import numpy as np

from focusgen.engine import kernels as pc
from focusgen.providers.conventions import ENVIRONMENTS
from focusgen.scenario.timeline_spec import Scope
from focusgen.world.model import ProviderWorld


def scope_mask(pw: ProviderWorld, scope: Scope) -> np.ndarray:
    """Lines of the provider world that a scope selects (all False if the provider differs)."""
    lines = pw.lines
    mask = np.ones(len(lines), dtype=bool)
    if scope.provider is not None and scope.provider.lower() != pw.provider:
        return np.zeros(len(lines), dtype=bool)
    if scope.service is not None:
        mask &= pw.services.name[lines.service] == scope.service
    if scope.category is not None:
        mask &= pw.services.category[lines.service] == scope.category
    if scope.account is not None:
        mask &= (pw.org.sub_name[lines.sub] == scope.account) | (
            pw.org.sub_id[lines.sub] == scope.account
        )
    resource_app = pw.resources.app[lines.resource]
    if scope.application is not None:
        mask &= pw.org.app_name[resource_app] == scope.application
    if scope.team is not None:
        mask &= pw.org.app_team[resource_app] == scope.team
    if scope.environment is not None:
        mask &= np.array(ENVIRONMENTS)[pw.resources.env[lines.resource]] == scope.environment
    if scope.resource is not None:
        named = pc.equal(pw.resources.id, scope.resource).to_numpy(zero_copy_only=False)
        mask &= named[lines.resource]
    return mask
