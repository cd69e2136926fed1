"""Executors: run chunk tasks in-process, across local processes, or on a Dask cluster."""
