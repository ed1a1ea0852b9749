"""The Streamlit glue the pages share, by concern:

- `state`: this tab's rubric, answers and notes;       - `identity`: mode, actor, notebook, sign-in;
- `saving`: answers saved as given, resume links;       - `questionnaire`: one step's rating radios;
- `text`: text shown as typed, Markdown tables;         - `charts`: result charts as cached SVG;
- `downloads`: download buttons that explain failures; - `startup`: what runs before every page;
- `messages`: what a callback tells the person, shown once; - `browser`: an id this browser keeps;
- `resources`: per-process library, store, reviews;     - `links`: links to the app's pages.

Pages use `ui.<name>`; the names are gathered here.
"""

from .browser import browser_id
from .charts import chart_svg, static_chart
from .downloads import EXPORT_WAIT, download_button, export_problem
from .identity import (
    HELD_LINKS,
    NOTEBOOK_PARAM,
    actor,
    may_back_up,
    may_save_to_library,
    mode,
    notebook,
    notebook_link,
    ready_to_keep,
    replace_notebook_key,
    review_identity,
    where_you_are,
)
from .messages import NOTICES, show, tell
from .links import PAGE_PATHS, app_link, key_for
from .questionnaire import option_label, options, questionnaire_step
from .resources import library, reviews, store, warm_up_reports
from .saving import (
    RESUME_PARAM,
    SAVED_PARAM,
    Saved,
    guarded,
    link_for,
    open_assessment,
    record_answer,
    record_note,
    resume_link,
    save,
    save_action_status,
    save_all,
    save_problem,
    store_unavailable,
    write_everything,
)
from .startup import every_run, run_through_app
from .state import (
    DONT_KNOW,
    SAVED_MARKS,
    add_session_rubric,
    answers,
    choose_rubric,
    current_rubric,
    details,
    notes,
    rubric_problems,
    rubric_text,
    rubrics,
    token_for,
)
from .text import FOCUS_STYLE, PRESENT_STYLE, markdown_table, plain, table
