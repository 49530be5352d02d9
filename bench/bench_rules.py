"""Benchmark the rules-of-combination engine and the completion planner (not a test).

    python bench/bench_rules.py [--candidates 3000] [--seed 1]

Specs are built from the handbook data in tests/qualifications/rules_data.py (the same numbers as the
fixtures; tests/qualifications/test_rules_handbooks.py checks that). Each figure is printed beside a
brute-force baseline measured in the same run, as a ratio:

- verdicts: the engine (`evaluate`, per-spec lookups worked out once) against a naive evaluator that
  re-reads the spec for every rule of every candidate, over a realistic centre (thousands of candidates
  on the five seed qualifications, each with the units they have achieved so far);
- planner on 4430-04 (33 units): the exact planner against brute force over every subset. Brute force
  over all 31 optional units (2^31 subsets) cannot finish, so it runs on a 14-unit offer and the full
  figure is extrapolated from its measured cost per subset.
Targets (issue 4): one verdict well under 100 µs; the 4430-04 plan under 50 ms.
Times are CPU time of this process (time.process_time), so that other work on a shared machine does not
inflate them; both sides of every ratio are measured the same way in the same run.
"""

import argparse
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qualifications.planner import brute_force_plan, make_plan  # noqa: E402
from qualifications.rules import evaluate  # noqa: E402
from tests.qualifications.rules_data import RULES_4411, spec_4411, spec_4430_04  # noqa: E402


def naive_evaluate(spec, refs):
    """Baseline: the same readings, no precomputation; looks every unit up by scanning the spec."""
    claimed = [u for u in spec.units if u.ref in refs or u.number in refs]
    results = []
    for rule in spec.rules:
        p = rule.params
        if rule.kind == "min_total_credits":
            results.append(sum(u.credits or 0 for u in claimed) >= p["credits"])
        elif rule.kind == "min_credits_from_units":
            results.append(sum(u.credits or 0 for u in claimed if u.number in p["units"]) >= p["credits"])
        elif rule.kind == "min_credits_at_level":
            results.append(
                sum(u.credits or 0 for u in claimed if u.level == p["level"]) >= (p["credits"] or 0)
            )
        elif rule.kind == "mandatory_units":
            results.append(all(any(u.number == n for u in claimed) for n in p["units"]))
        elif rule.kind == "group_minimum":
            results.append(sum(1 for u in claimed if u.group == p["group"]) >= (p["min_units"] or 0))
        elif rule.kind == "barred_pair":
            results.append(not all(any(u.number == n for u in claimed) for n in p["units"]))
    return all(results)


def centre(specs, candidates, rng):
    """Candidates spread over the qualifications, each holding a random part of a route through it."""
    cohort = []
    for _ in range(candidates):
        spec = rng.choice(specs)
        refs = [u.ref for u in spec.units]
        achieved = rng.sample(refs, rng.randint(0, min(12, len(refs))))
        if rng.random() < 0.05:
            achieved.append("4411-102" if spec.code.startswith("4430") else "4430-401")  # an outside unit
        cohort.append((spec, achieved))
    return cohort


def timed(fn, repeat=5):
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    specs = [spec_4411(code) for code in RULES_4411] + [spec_4430_04()]
    cohort = centre(specs, args.candidates, rng)
    for spec in specs:  # per-spec lookups are built once, on first use, as in a running server
        evaluate(spec, [])

    engine = timed(lambda: [evaluate(s, refs) for s, refs in cohort])
    naive = timed(lambda: [naive_evaluate(s, set(refs)) for s, refs in cohort])
    # The same explained verdict without the per-spec precomputation (a fresh spec for every candidate).
    fresh = timed(lambda: [evaluate(replace(s), refs) for s, refs in cohort], repeat=2)
    agree = sum(evaluate(s, refs).achieved == naive_evaluate(s, set(refs)) for s, refs in cohort)
    n = len(cohort)
    print(f"Verdicts for a centre of {n} candidates on {len(specs)} qualifications (best of 5 runs)")
    print(
        f"  engine (explained verdict): {engine / n * 1e6:7.1f} µs per verdict, {n / engine:9.0f} verdicts/s"
    )
    print(f"  naive baseline (yes/no)   : {naive / n * 1e6:7.1f} µs per verdict, {n / naive:9.0f} verdicts/s")
    print(f"  engine, nothing cached    : {fresh / n * 1e6:7.1f} µs per verdict, {n / fresh:9.0f} verdicts/s")
    print(f"  ratio uncached / engine   : {fresh / engine:7.2f}x")
    print(
        f"  ratio naive / engine      : {naive / engine:7.2f}x   (the naive one explains nothing; verdicts "
        f"agreeing: {agree}/{n})"
    )
    print(f"  target: one verdict well under 100 µs -> {'met' if engine / n < 100e-6 else 'NOT MET'}")

    spec = spec_4430_04()
    full = [timed(lambda: make_plan(spec, []), repeat=1) for _ in range(7)]
    held_times = []
    numbers = [u.number for u in spec.units]
    for _ in range(200):
        held = rng.sample(numbers, rng.randint(0, 10))
        start = time.process_time()
        result = make_plan(spec, held)
        held_times.append(time.process_time() - start)
        assert result.verdict.achieved
    print("\nPlanner on 4430-04 (33 units)")
    print(f"  from nothing               : {statistics.median(full) * 1e3:7.2f} ms median of 7")
    print(
        f"  200 random achieved sets   : {statistics.median(held_times) * 1e3:7.2f} ms median, "
        f"{max(held_times) * 1e3:.2f} ms worst"
    )

    offer = ["303", "304", "403", "307", "309", "405", "406", "310", "311", "410", "313", "317", "411", "414"]
    planner_small = timed(lambda: make_plan(spec, [], offered=offer), repeat=5)
    start = time.process_time()
    expected = brute_force_plan(spec, [], offered=offer)
    brute_small = time.process_time() - start
    got = make_plan(spec, [], offered=offer)
    same = expected is not None and sorted(u.ref for u in got.add) == expected[0]
    subsets = 2 ** (len(offer) + 2)  # + 401 and 402, which brute force must also try
    per_subset = brute_small / subsets
    print(
        f"  on a 14-unit offer: planner {planner_small * 1e3:7.2f} ms, brute force {brute_small * 1e3:9.1f} ms "
        f"({subsets} subsets), ratio {brute_small / planner_small:,.0f}x, same answer: {same}"
    )
    print(
        f"  brute force over all 33 units, extrapolated: 2^33 subsets x {per_subset * 1e6:.1f} µs = "
        f"{2**33 * per_subset / 3600:,.0f} h; ratio to the planner about "
        f"{2**33 * per_subset / statistics.median(full):,.0e}x"
    )
    worst = max(max(held_times), statistics.median(full))
    print(f"  target: the 4430-04 plan under 50 ms -> {'met' if worst < 0.05 else 'NOT MET'}")


if __name__ == "__main__":
    main()
