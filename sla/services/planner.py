"""Planner settings for the sweeps' claiming statements (PostgreSQL only)."""

from contextlib import contextmanager

from django.db import connection

_PATHS_WITHOUT_ORDER = ("enable_seqscan", "enable_bitmapscan", "enable_sort")


def _set_paths(value: str) -> str:
    return "; ".join(f"SET LOCAL {name} = {value}" for name in _PATHS_WITHOUT_ORDER)


@contextmanager
def ordered_index_scans():
    """Plan the claims of this transaction on ordered index scans, whatever the planner guesses.

    Row-level security adds a predicate whose selectivity the planner cannot know, so with
    many rows due it may pick a full scan and a sort for every batch. A sweep's partial index
    returns the due rows in deadline order and stops at LIMIT, which is always the right path
    for a claim; SET LOCAL keeps the choice to the current transaction, and leaving the block
    restores the defaults.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(_set_paths("off"))
        try:
            yield
        finally:
            cursor.execute(_set_paths("on"))
