"""`streamlit` with each script run timed (and, optionally, profiled): for finding where a rerun goes.

    python -m benchmarks.profiled_streamlit run app.py ...    # same arguments as `streamlit`

Environment:
    JF_RUN_LOG    a file: one JSON line per script run {"kind": "full"|"fragment", "ms": ...}
    JF_GC_FREEZE  "1": import the modules the pages use, then gc.freeze() before serving, so
                  that Streamlit's gc.collect() after every script run (runner.postScriptGC) no
                  longer walks them (an experiment: what freezing the heap once at start would give).
    JF_PROFILE    a folder: the cProfile statistics of each run, as KIND-NNNN.prof (merge them with
                  pstats.Stats(*files)). Profiling slows the runs down (about
                  1.5-2x); time without it, read the shares with it.
"""

from __future__ import annotations

import cProfile
import gc
import json
import os
import sys
import threading
import time
from pathlib import Path

from streamlit.runtime.scriptrunner import script_runner

_original = script_runner.ScriptRunner._run_script
_lock = threading.Lock()
_count: dict[str, int] = {}


def _run_script(self, rerun_data):
    kind = "fragment" if rerun_data.fragment_id_queue else "full"
    folder = os.environ.get("JF_PROFILE")
    profile = cProfile.Profile() if folder else None
    start = time.perf_counter()
    if profile:
        profile.enable()
    try:
        return _original(self, rerun_data)
    finally:
        if profile:
            profile.disable()
        ms = (time.perf_counter() - start) * 1000
        with _lock:
            if os.environ.get("JF_RUN_LOG"):
                with open(os.environ["JF_RUN_LOG"], "a") as log:
                    log.write(json.dumps({"kind": kind, "ms": ms}) + "\n")
            if profile:
                _count[kind] = _count.get(kind, 0) + 1
                profile.dump_stats(Path(folder) / f"{kind}-{_count[kind]:04d}.prof")


script_runner.ScriptRunner._run_script = _run_script

if __name__ == "__main__":
    if os.environ.get("JF_GC_FREEZE") == "1":
        sys.path.insert(0, os.getcwd())
        import altair, pandas, vl_convert  # noqa: F401, E401
        from joiningforces import aggregate, charts, exports, recommend, report, scoring, storage  # noqa: F401
        import ui  # noqa: F401
        gc.collect()
        gc.freeze()
    from streamlit.web import cli

    sys.argv = ["streamlit", *sys.argv[1:]]
    sys.exit(cli.main())
