"""Group results (medians, spreads, role splits, ranking) for many respondents: time and peak memory.

    .venv/bin/python -m benchmarks.bench_aggregate                  # 100, 1,000, 10,000, 100,000
    .venv/bin/python -m benchmarks.bench_aggregate --quick          # 10 and 100
    .venv/bin/python -m benchmarks.bench_aggregate --sizes 1000,5000

Uses the public API of joiningforces.aggregate: `aggregate(Responses(...))` is the whole board
review picture (per principle median, quartiles and range for everyone and for each role group,
the role-group gaps, the disagreements ranked by spread with their answer distributions, and
the group `Result` for suggestions). The rubric is the default one brought to 60 statements (2.0:
one statement fewer in 11 of its 17 principles; 1.0 had one more in 11 of 12) with its 8 roles; answers are random (seeded): values
1-5, 5% "don't know", 5% left blank, roles spread over the 8 roles and 5% with none.

Figures per size: median time of `aggregate` (in-process, tracemalloc off), the peak memory it
allocates (tracemalloc, a separate call), and the same for the path from stored answer rows
(`Responses.from_rows` on one row per answer, then `aggregate`), which is what a review's
dashboard runs. Growth: time per 1,000 respondents, and t(10n) / t(n) (10 is linear). Yardstick,
timed in the same run: numpy sorting the n x 60 matrix by column, the core of any median.
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc

import numpy as np

from joiningforces.aggregate import Responses, aggregate
from joiningforces.library import default_rubric
from joiningforces.models import Rubric

from .common import cpu_yardstick, header

STATEMENTS = 60


def rubric_60() -> Rubric:
    """The default rubric with 60 statements: one more (or, for 2.0's 71, one fewer) in each
    principle in turn until there are 60, so that figures stay comparable across rubric versions."""
    base = default_rubric()
    data = base.model_dump()
    missing = STATEMENTS - len(base.statements)
    for i in range(-missing):
        principle = data["principles"][i % len(data["principles"])]
        principle["statements"] = principle["statements"][:-1]  # 4 or 5 each: at least 3 stay
    for i in range(missing):
        principle = data["principles"][i % len(data["principles"])]
        principle["statements"] = [*principle["statements"],
                                   {"id": f"bench-extra-{i + 1}", "text": f"An extra statement {i + 1}.",
                                    "reverse": i % 3 == 0}]
    rubric = Rubric.model_validate(data)
    assert len(rubric.statements) == STATEMENTS
    return rubric


def responses(rubric: Rubric, n: int, seed: int = 0) -> Responses:
    rng = np.random.default_rng(seed)
    s = len(rubric.statements)
    values = rng.integers(1, 6, size=(n, s)).astype(float)
    kind = rng.random((n, s))
    dont_know = kind < 0.05
    values[kind < 0.10] = np.nan  # don't know (first 5%) and blank (next 5%)
    role_ids = [r.id for r in rubric.roles]
    roles = np.empty(n, dtype=object)
    roles[:] = [role_ids[i] if i < len(role_ids) else None for i in rng.integers(0, len(role_ids) + 1, n)
                ] if n else []
    none = rng.random(n) < 0.05
    roles[none] = None
    return Responses(rubric, values, dont_know, roles)


def rows(resp: Responses) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """One row per answer given (as a store returns them): respondent, statement id, value (NaN:
    don't know)."""
    ids = np.array([s.id for s in resp.rubric.statements], dtype=object)
    given = ~np.isnan(resp.values) | resp.dont_know
    r, c = np.nonzero(given)
    return r, ids[c], resp.values[r, c], {i: resp.roles[i] for i in range(resp.n)}


def timed(fn, repeats: int) -> tuple[float, float]:
    """Median and best wall time of fn() in ms, after one untimed call."""
    fn()
    gc.collect()
    gc.disable()  # as timeit does: no collection pauses inside the timed calls
    try:
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000)
    finally:
        gc.enable()
    return float(np.median(times)), min(times)


def peak_mib(fn) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        fn()
        return (tracemalloc.get_traced_memory()[1] - base) / 2**20
    finally:
        tracemalloc.stop()


def repeats_for(n: int) -> int:
    return 15 if n <= 1_000 else 5 if n <= 10_000 else 3


def run(sizes: list[int]) -> list[dict]:
    rubric = rubric_60()
    out = []
    for n in sizes:
        resp = responses(rubric, n)
        agg = aggregate(resp)  # sanity: the figures are real
        assert agg.respondents > 0 and (n < 3 or agg.shown)
        r, sid, val, roles = rows(resp)
        reps = repeats_for(n)
        agg_ms, agg_best = timed(lambda: aggregate(resp), reps)
        rows_ms, rows_best = timed(lambda: aggregate(Responses.from_rows(rubric, r, sid, val, roles)), reps)
        out.append({
            "n": n,
            "aggregate_ms": agg_ms,
            "aggregate_best": agg_best,
            "aggregate_mib": peak_mib(lambda: aggregate(resp)),
            "rows": len(r),
            "from_rows_ms": rows_ms,
            "from_rows_best": rows_best,
            "from_rows_mib": peak_mib(lambda: aggregate(Responses.from_rows(rubric, r, sid, val, roles))),
            "input_mib": (resp.values.nbytes + resp.dont_know.nbytes + resp.roles.nbytes) / 2**20,
            "yardstick_ms": timed(lambda: np.sort(resp.values, axis=0), reps)[1],
        })
    return out


TARGETS = {1_000: 50.0, 100_000: 2000.0}


def report(results: list[dict]) -> None:
    print(f"   CPU yardstick (numpy sort of 1M floats + 300k-step Python loop, best of 5): {cpu_yardstick():.1f} ms")
    print("   times: median (best) of several calls; memory: peak allocated during one call (tracemalloc)")
    print(f"   {'respondents':>11} {'aggregate':>19} {'peak':>9} {'per 1k':>9} {'x prev':>6} "
          f"{'from answer rows':>19} {'peak':>9} {'rows':>10} {'sort':>9}  target")
    prev = None
    for r in results:
        per_k = r["aggregate_ms"] / r["n"] * 1000 if r["n"] else float("nan")
        growth = f"{r['aggregate_ms'] / prev['aggregate_ms']:.1f}x" if prev else ""
        target = TARGETS.get(r["n"])
        verdict = f"<= {target:.0f} ms: {'met' if r['aggregate_ms'] <= target else 'MISSED'}" if target else ""
        print(f"   {r['n']:>11,} {r['aggregate_ms']:>8.1f} ({r['aggregate_best']:>6.1f}) ms {r['aggregate_mib']:>5.1f} MiB "
              f"{per_k:>6.2f} ms {growth:>6} {r['from_rows_ms']:>8.1f} ({r['from_rows_best']:>6.1f}) ms "
              f"{r['from_rows_mib']:>5.1f} MiB {r['rows']:>10,} {r['yardstick_ms']:>6.2f} ms  {verdict}")
        prev = r
    if len(results) >= 2:
        for a, b in zip(results, results[1:]):
            slope = np.log(b["aggregate_best"] / a["aggregate_best"]) / np.log(b["n"] / a["n"])
            print(f"   growth exponent {a['n']:,} -> {b['n']:,} respondents (best times): {slope:.2f} "
                  "(1.00 = linear; below: fixed per-review costs; above: sorting, caches)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000,100000", help="respondent counts, comma-separated")
    parser.add_argument("--quick", action="store_true", help="10 and 100 respondents: a smoke run")
    args = parser.parse_args(argv)
    sizes = [10, 100] if args.quick else [int(x) for x in args.sizes.split(",")]
    header(f"Aggregation: {', '.join(f'{n:,}' for n in sizes)} respondents x {STATEMENTS} statements")
    report(run(sizes))


if __name__ == "__main__":
    main()
