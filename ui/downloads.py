"""Download buttons that say why a file could not be made."""

from __future__ import annotations

import errno
import threading


from joiningforces.storage import StoreError

from .messages import show, tell
from .text import plain


EXPORT_WAIT = 10.0  # seconds the rerun after a download click waits to learn whether the file was made



class _Making:
    """A download button's file being made (one button in one script run), and what went wrong."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.problem: str | None = None



def download_button(where, label: str, data, *, key: str, **kwargs) -> None:
    """`where.download_button(label, data, ...)` that says clearly when its file could not be made.

    With `data` a callable, the file is made only when the button is pressed. Streamlit (1.67)
    calls it on another thread and, if it raises, the browser shows just "Failed to generate file
    for download" under the button for five seconds: the reason never reaches the page. So the
    callable's outcome goes to the button's on_click callback, which runs first in the rerun the
    click starts and waits (at most EXPORT_WAIT) for the file; a failure then shows as a warning
    under the button saying why (a full disk, the database unavailable...). Data given as bytes or
    text is passed on as it is.
    """
    if not callable(data):
        where.download_button(label, data=data, key=key, on_click="ignore", **kwargs)
        return
    making = _Making()

    def make():
        try:
            return data()
        except Exception as exc:
            making.problem = export_problem(label, exc)
            raise  # Streamlit sends no file and logs the traceback
        finally:
            making.done.set()

    where.download_button(label, data=make, key=key, on_click=_download_clicked, args=(key, making), **kwargs)
    show(key, where)



def _download_clicked(key: str, making: _Making) -> None:
    making.done.wait(EXPORT_WAIT)
    if making.problem:
        tell(key, making.problem, "warning")



def export_problem(label: str, exc: BaseException) -> str:
    """What to tell someone whose download could not be made."""
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        why = "The server has run out of disk space. Please try again later."
    elif isinstance(exc, OSError):
        why = f"The server could not write it ({exc.strerror or type(exc).__name__}). Please try again in a moment."
    elif isinstance(exc, StoreError):  # StoreUnavailable: the database busy or unreachable, and so on
        why = getattr(exc, "message", None) or str(exc)
    else:
        why = "Something went wrong on the server (it has been logged). Please try again in a moment."
    return (f"The file “{plain(label)}” could not be made. {why} Nothing was downloaded; if this keeps "
            "happening, tell whoever runs this app.")
