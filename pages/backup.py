"""Back up or restore the whole database: for the person at a local app's keyboard and for
administrators only (`access.allowed`); app.py lists this page for them alone, and the page checks
again, since anyone can type its address."""

from datetime import date

import streamlit as st

import ui
from joiningforces.storage import MAX_IMPORT_BYTES, ImportProblem, NotFound, StoreUnavailable

ui.run_through_app()

notebook = ui.notebook()
st.title("Backup")
if not notebook.may_back_up():
    st.warning("This page is not available here. Each person's notebook is private; backups of the whole "
               "database are made by whoever runs this app.", icon=":material/lock:")
    st.stop()


def import_backup() -> None:
    upload = st.session_state.get("notebook-upload")
    if upload is None:
        return
    try:
        summary = ui.notebook().import_database(upload.getvalue())
    except (ImportProblem, StoreUnavailable) as problem:  # one transaction: nothing half-imported
        ui.tell("backup", f"Nothing was imported: {ui.plain(str(problem))}")
    except NotFound:
        ui.tell("backup", "Nothing was imported: this is not allowed here.")
    else:
        ui.tell("backup", str(summary), "success")


st.write("Save every notebook in this database as one file, to keep a backup or move it to another machine. "
         "The file holds everyone's answers and notes: keep it as safe as the database itself.")
ui.download_button(st, "Download the backup (JSON)", data=notebook.export_database,
                   file_name=f"joiningforces-notebook-{date.today():%Y-%m-%d}.json", mime="application/json",
                   key="download-notebook", icon=":material/download:")
st.file_uploader("Restore from a backup file", type=["json"], key="notebook-upload", on_change=import_backup,
                 max_upload_size=MAX_IMPORT_BYTES // 2**20)
ui.show("backup")
