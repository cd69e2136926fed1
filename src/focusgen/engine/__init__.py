"""The charge engine: timeline, chunk planning, usage, pricing, commitments, other charges."""
