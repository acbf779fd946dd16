"""Batch runs: the runner, worker processes, a Dask cluster, the progress display."""
