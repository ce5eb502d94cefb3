"""Where the reports read from: a read replica of the database when one is configured (DATABASE_REPLICA_URL).

The summary dashboard and the UNECE report read a year of inquiries at a time. With a replica, those reads go there
and the primary is left to the inbox, the forms and every write. A replica runs a moment behind the primary, which
is fine for figures of a month or a year; pages that change data, or show what was just changed, read the primary.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Model

REPLICA = "replica"

# The alias reads go to inside reporting_reads(); None elsewhere (the default routing: the primary).
_reads_from: ContextVar[str | None] = ContextVar("portal_reads_from", default=None)


def reporting_database() -> str:
    """The database alias that reports read from: "replica" when DATABASE_REPLICA_URL is set, else "default"."""
    return REPLICA if REPLICA in settings.DATABASES else "default"


@contextmanager
def reporting_reads() -> Iterator[str]:
    """Send the reads made inside the block to reporting_database(); writes still go to the primary."""
    token = _reads_from.set(reporting_database())
    try:
        yield _reads_from.get() or "default"
    finally:
        _reads_from.reset(token)


def reads_from_reporting_database[**P, R](view: Callable[P, R]) -> Callable[P, R]:
    """For a view that only reads (a report page): its queries, and its template's, use reporting_database()."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with reporting_reads():
            return view(*args, **kwargs)

    return wrapper


class ReportingRouter:
    """Installed with DATABASE_REPLICA_URL. Reads inside reporting_reads() go to the replica, unless they are made
    in a transaction; every other read, every write (also of a row read from the replica) and every migration go to
    the primary."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        alias = _reads_from.get()
        if alias is not None and transaction.get_connection().in_atomic_block:
            return "default"  # a read in a transaction (a service, select_for_update) must see the primary's rows
        return alias

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db != REPLICA
