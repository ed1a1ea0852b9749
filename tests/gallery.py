"""Rubrics of every shape a trainer may write, for the chart gallery: 1 to 60 principles, scales of
1–5, 1–7 and 0–10, 1 to 12 groupings, titles short and long, in English, Welsh and Polish."""

from __future__ import annotations

import json

from joiningforces.loader import load_rubric
from joiningforces.models import Rubric

TITLES = [
    "Trust and no surprises",
    "Shared purpose and the bigger picture",
    "Respect for what each partner brings, whatever its size",
    "Learning rather than control",
    "Sharing risk, reward and resources fairly between large and small organisations",
    "Decision by consent",
    "Ymddiriedaeth rhwng partneriaid",
    "Współpraca i zaufanie między partnerami",
    "The voices of the people we serve and the front line",
    "Accountability",
    "Naming and rebalancing power",
    "Embracing disagreement",
    "Shared leadership at every level of every partner organisation",
    "Cydweithio er budd y gymuned leol",
    "Independent convenor",
    "Sustaining the alliance for the long term",
]
GROUPINGS = [
    "Putting relationships first", "Joining forces", "Sharing and building power", "Listening to each other",
    "Environmental sustainability", "Gwerthoedd a diwylliant", "Zarządzanie i odpowiedzialność",
    "Resources", "Communication", "Leadership", "Community", "Accountability and governance",
]
SCALES = {"1-5": range(1, 6), "1-7": range(1, 8), "0-10": range(0, 11)}


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def gallery_rubric(principles: int, scale: str, groupings: int) -> Rubric:
    """A valid rubric with `principles` principles spread over `groupings` groupings, no bands
    (so the bands come from the scale), each title whole and different."""
    values = SCALES[scale]
    parts = [f'id = "gallery-{principles}-{scale}-{groupings}"', 'title = "Gallery"', 'version = "1"',
             'description = "A rubric for the chart gallery."', "[scale]"]
    parts += [f'[[scale.points]]\nvalue = {v}\nlabel = "{v}"' for v in values]
    parts.append('[[sources]]\nid = "notes"\ntitle = "Notes"\norganisation = "Trainers"')
    for g in range(groupings):
        parts.append(f'[[elements]]\nid = "g{g}"\ntitle = {_q(GROUPINGS[g])}\ndescription = "A grouping."')
    for i in range(principles):
        title = TITLES[i % len(TITLES)] + ("" if i < len(TITLES) else f" ({i // len(TITLES) + 1})")
        parts.append(f'[[principles]]\nid = "p{i}"\ntitle = {_q(title)}\nelement = "g{i % groupings}"\n'
                     f'description = "Good."\nsource = "notes"')
        parts += [f'[[principles.statements]]\nid = "s{i}-{j}"\ntext = "A statement."' for j in range(2)]
    helps = ", ".join(f'"p{i}"' for i in range(principles))
    parts.append(f'[[practices]]\nid = "practice"\nname = "A practice"\nwhat = "What."\nwhy = "Why."\n'
                 f'first_steps = ["One.", "Two."]\nhelps = [{helps}]\nsource = "notes"')
    return load_rubric("\n\n".join(parts) + "\n")


def varied_answers(rubric: Rubric) -> dict[str, int | None]:
    """Answers that make a jagged shape, from the bottom to the top of the scale, one don't-know."""
    values = [p.value for p in rubric.scale.points]
    answers = {}
    for k, statement in enumerate(rubric.statements):
        answers[statement.id] = values[(k * 3 + k // 2) % len(values)]
    if len(rubric.statements) > 6:
        answers[rubric.statements[3].id] = None
    return answers
