"""`joiningforces serve` and `joiningforces backup`: running the app hardened from any folder, and
backing up or restoring the whole database from the command line (never from a page, unless the
person is the local one or an administrator: see `access.py`).

The hardening settings are the ones shipped in `.streamlit/config.toml`; Streamlit reads that file
only from the folder it is started in, so `serve` passes them as flags too, and a test checks that
the two agree.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .storage.notebook import MAX_IMPORT_BYTES

# Setting -> value, as Streamlit's command-line flags take them.
HARDENED = {
    "server.address": "127.0.0.1",             # the laptop default: nobody else can reach it
    "server.maxUploadSize": str(MAX_IMPORT_BYTES // 2**20),  # MB: the largest upload the app accepts
    "server.enableXsrfProtection": "true",
    "client.showErrorDetails": "none",          # no traceback or server path in a browser
    "browser.gatherUsageStats": "false",
}


def app_path() -> Path:
    """app.py of this checkout (the package is installed from it, editable)."""
    here = Path(__file__).resolve()
    for folder in here.parents:
        if (folder / "app.py").is_file() and (folder / "pages").is_dir():
            return folder / "app.py"
    raise FileNotFoundError("app.py was not found next to the joiningforces package; run `serve` from a "
                            "checkout installed with `pip install -e .`.")


def streamlit_command(address: str | None = None, port: int | None = None) -> list[str]:
    settings = dict(HARDENED)
    if address:
        settings["server.address"] = address
    command = [sys.executable, "-m", "streamlit", "run", str(app_path())]
    command += [f"--{key}={value}" for key, value in settings.items()]
    if port:
        command.append(f"--server.port={port}")
    return command


def serve(args) -> int:
    command = streamlit_command(args.address, args.port)
    os.chdir(Path(command[4]).parent)  # so .streamlit/config.toml (the theme) is read as well
    os.execv(command[0], command)
    return 0  # pragma: no cover - execv does not return


def backup(args) -> int:
    from .storage import ImportProblem, Store, StoreError

    try:
        with Store(args.database) as store:
            if args.action == "export":
                text = store.export_notebook()
                if args.file == "-":
                    sys.stdout.write(text)
                else:
                    Path(args.file).write_text(text, encoding="utf-8")
                    print(f"Backed up the whole database to {args.file}.", file=sys.stderr)
                return 0
            data = sys.stdin.buffer.read(MAX_IMPORT_BYTES + 1) if args.file == "-" else Path(args.file).read_bytes()
            print(store.import_notebook(data))
            return 0
    except ImportProblem as problem:
        print(f"Nothing was imported: {problem}", file=sys.stderr)
    except (StoreError, OSError) as problem:
        print(f"The backup could not be {'made' if args.action == 'export' else 'restored'}: {problem}",
              file=sys.stderr)
    return 1


def add_commands(commands) -> None:
    server = commands.add_parser("serve", help="run the app with the hardened settings, from any folder")
    server.add_argument("--address", help="listen on this address (default 127.0.0.1: this computer only; "
                                          "0.0.0.0 serves the network, behind TLS and preferably sign-in)")
    server.add_argument("--port", type=int)
    server.set_defaults(run=serve)
    saver = commands.add_parser("backup", help="back up or restore the whole database (JSON)")
    saver.add_argument("action", choices=["export", "import"])
    saver.add_argument("file", help="the backup file; - for standard output or input")
    saver.add_argument("--database", help="an SQLAlchemy URL (default: $JOININGFORCES_DATABASE_URL, else "
                                          "the SQLite file in $JOININGFORCES_DATA_DIR)")
    saver.set_defaults(run=backup)
