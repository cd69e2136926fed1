"""FOCUS versions as data, and the projection of canonical batches onto one version."""
