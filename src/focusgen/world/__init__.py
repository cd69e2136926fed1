"""The simulated organisation: accounts, applications, resources, commitments."""

from focusgen.world.build import build_world
from focusgen.world.model import ProviderWorld, World

__all__ = ["ProviderWorld", "World", "build_world"]
