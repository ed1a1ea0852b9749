"""What the store raises. Every message is plain words a user can be shown as is."""

from __future__ import annotations


class StoreError(Exception):
    """Base class of everything the store raises on purpose."""


class NotFound(StoreError, LookupError):
    """An assessment, action or rubric snapshot that is not there.

    The same message for a resume id that is malformed and one that is well-formed but unknown,
    so a caller learns nothing about which ids exist.
    """

    def __init__(self, message: str = "This assessment could not be found. Check the link, or start a new one."):
        super().__init__(message)
        self.message = message


class SchemaTooNew(StoreError):
    """The database was written by a newer release than this one; refusing to touch it."""


class ImportProblem(StoreError, ValueError):
    """An import file that is not ours, too large, malformed or from a newer release. Nothing was written."""

    def __init__(self, message: str, where: str = ""):
        super().__init__(f"{where}: {message}" if where else message)
        self.message = message
        self.where = where


class StoreUnavailable(StoreError):
    """The database stayed busy or unreachable through a few quick retries (a lock held too long,
    a lost or refused connection, a full disk). The original fault is chained as `__cause__`.

    `outcome_unknown` is True when the connection was lost while committing a change, so the
    change may or may not have been kept (only server databases; SQLite commits all or nothing).
    """

    BUSY = "The database is busy or unreachable just now. Please try again in a moment."
    LOST_WHILE_SAVING = ("The connection to the database was lost while saving, so this change may not have been "
                         "kept. Please check, and try again if it is missing.")

    def __init__(self, message: str = BUSY, *, outcome_unknown: bool = False):
        super().__init__(message)
        self.message = message
        self.outcome_unknown = outcome_unknown
