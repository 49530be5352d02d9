"""Internal verification sampling: plain Python over plain data, no ORM.

A sampling plan asks, over its period, for:
  * at least `min_share` of each assessor's candidates sampled (all of them for assessors flagged new
    or at risk);
  * every unit, every assessment method and every site covered by at least one sampled decision;
  * both stages (interim and summative) covered where decisions exist at that stage.

`propose_sample` picks decisions that meet every requirement with as few items as it can: a greedy
set cover (each pick takes the decision that settles the most open requirements) followed by a
pruning pass that drops any pick the others make redundant, so no proposed item is superfluous; pools
of up to EXACT_POOL_LIMIT decisions are searched exhaustively, so small centres get the true minimum.
`coverage` reports what is and is not yet sampled, horizontally (a unit across candidates) and
vertically (a candidate across units).
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations

STAGES = ("interim", "summative")
EXACT_POOL_LIMIT = 16  # pools this small are searched exhaustively for the smallest sample


@dataclass(frozen=True)
class Decision:
    """One assessment decision that can be sampled (e.g. a unit signed or a criterion judgement)."""

    id: int | str
    assessor: str
    candidate: str
    unit: str
    methods: frozenset[str] = frozenset()
    site: str = ""
    stage: str = "summative"


@dataclass(frozen=True)
class SamplingPlan:
    min_share: float = 0.25
    full_sample_assessors: frozenset[str] = frozenset()
    cover_units: bool = True
    cover_methods: bool = True
    cover_sites: bool = True
    stages: frozenset[str] = frozenset(STAGES)

    def __post_init__(self):
        if not 0 <= self.min_share <= 1:
            raise ValueError("min_share must be between 0 and 1")


@dataclass
class Need:
    """One requirement of the plan: `kind` is assessor/unit/method/site/stage."""

    kind: str
    key: str
    needed: int
    have: int

    @property
    def met(self) -> bool:
        return self.have >= self.needed

    def describe(self) -> str:
        if self.kind == "assessor":
            return f"assessor {self.key}: {self.have} of {self.needed} candidates sampled"
        return (
            f"{self.kind} {self.key} not yet sampled" if not self.met else f"{self.kind} {self.key} sampled"
        )


@dataclass
class Proposal:
    items: list[Decision]
    needs: list[Need]
    unmeetable: list[str] = field(default_factory=list)

    @property
    def unmet(self) -> list[Need]:
        return [need for need in self.needs if not need.met]


def _candidates_by_assessor(decisions: Iterable[Decision]) -> dict[str, set[str]]:
    result: dict[str, set[str]] = defaultdict(set)
    for d in decisions:
        result[d.assessor].add(d.candidate)
    return result


def quota(plan: SamplingPlan, assessor: str, candidate_count: int) -> int:
    if assessor in plan.full_sample_assessors:
        return candidate_count
    return min(candidate_count, math.ceil(plan.min_share * candidate_count - 1e-9))


class _State:
    """Open requirements and what a set of chosen decisions covers."""

    def __init__(self, plan: SamplingPlan, decisions: list[Decision]):
        self.plan = plan
        self.quotas = {a: quota(plan, a, len(c)) for a, c in _candidates_by_assessor(decisions).items()}
        self.units = {d.unit for d in decisions} if plan.cover_units else set()
        self.methods = {m for d in decisions for m in d.methods} if plan.cover_methods else set()
        self.sites = {d.site for d in decisions if d.site} if plan.cover_sites else set()
        self.stages = {d.stage for d in decisions} & set(plan.stages)

    def covered(self, chosen: Iterable[Decision]):
        cands: dict[str, set[str]] = defaultdict(set)
        units, methods, sites, stages = set(), set(), set(), set()
        for d in chosen:
            cands[d.assessor].add(d.candidate)
            units.add(d.unit)
            methods |= d.methods
            if d.site:
                sites.add(d.site)
            stages.add(d.stage)
        return cands, units, methods, sites, stages

    def needs(self, chosen: Iterable[Decision]) -> list[Need]:
        cands, units, methods, sites, stages = self.covered(chosen)
        result = [
            Need("assessor", a, q, min(q, len(cands.get(a, ())))) for a, q in sorted(self.quotas.items())
        ]
        result += [Need("unit", u, 1, int(u in units)) for u in sorted(self.units)]
        result += [Need("method", m, 1, int(m in methods)) for m in sorted(self.methods)]
        result += [Need("site", s, 1, int(s in sites)) for s in sorted(self.sites)]
        result += [Need("stage", s, 1, int(s in stages)) for s in sorted(self.stages)]
        return result

    def satisfied(self, chosen) -> bool:
        return all(n.met for n in self.needs(chosen))


def _gain(d: Decision, state: _State, cands, units, methods, sites, stages) -> int:
    gain = 0
    if d.candidate not in cands[d.assessor] and len(cands[d.assessor]) < state.quotas.get(d.assessor, 0):
        gain += 1
    if d.unit in state.units and d.unit not in units:
        gain += 1
    gain += len((d.methods & state.methods) - methods)
    if d.site and d.site in state.sites and d.site not in sites:
        gain += 1
    if d.stage in state.stages and d.stage not in stages:
        gain += 1
    return gain


def propose_sample(
    plan: SamplingPlan,
    decisions: Iterable[Decision],
    *,
    already_sampled: Iterable[int | str] = (),
    progress=None,
) -> Proposal:
    """Decisions to add to what is already sampled so that the plan is met, as few as it can.

    The greedy pick is lazy: a decision's gain only falls as the sample grows, so a heap of last-known gains
    (upper bounds) finds the best one re-scoring a few decisions per pick instead of all of them, and the
    covered requirements are kept as running counts. The result is the same as re-scoring everything
    (`_propose_sample_reference`, kept for the tests). `progress(done, total)` is called now and then."""
    decisions = sorted(decisions, key=lambda d: str(d.id))
    state = _State(plan, decisions)
    done_ids = set(already_sampled)
    base = [d for d in decisions if d.id in done_ids]
    pool = [d for d in decisions if d.id not in done_ids]
    counts = _Counts(state, base)
    # ties: the larger gain, then summative decisions, then the lowest id (as the reference's scan order)
    heap = [(-counts.gain(d), d.stage != "summative", i) for i, d in enumerate(pool)]
    heapq.heapify(heap)
    chosen: list[Decision] = []
    picked: set[int] = set()
    while heap:
        _, later_stage, i = heapq.heappop(heap)
        gain = counts.gain(pool[i])
        if gain <= 0:
            continue  # nothing left for it to settle, ever (gains only fall)
        if heap and (-gain, later_stage, i) > heap[0]:
            heapq.heappush(heap, (-gain, later_stage, i))  # stale bound: another may now be better
            continue
        chosen.append(pool[i])
        picked.add(i)
        counts.add(pool[i])
        if progress is not None and len(chosen) % 100 == 0:
            progress(len(chosen), len(pool))
    # Pruning: drop picks that the rest make redundant (latest first: early picks carry most).
    for d in list(reversed(chosen)):
        if not counts.carries(d):
            counts.remove(d)
            chosen = [c for c in chosen if c is not d]
    target = _needs_met_count(state, base + chosen)
    # Small pools: search exhaustively for a smaller sample that settles as much.
    rest = [d for i, d in enumerate(pool) if i not in picked]
    if len(rest) + len(chosen) <= EXACT_POOL_LIMIT:
        chosen = _smallest(state, base, sorted(rest + chosen, key=lambda d: str(d.id)), chosen, target)
    chosen.sort(key=lambda d: str(d.id))
    needs = state.needs(base + chosen)
    return Proposal(items=chosen, needs=needs, unmeetable=[n.describe() for n in needs if not n.met])


class _Counts:
    """How many chosen decisions cover each requirement: a pick's gain, and whether it still carries anything,
    in time proportional to the decision, not to the sample."""

    def __init__(self, state: _State, chosen: Iterable[Decision]):
        self.state = state
        self.pairs: dict[tuple[str, str], int] = defaultdict(int)  # (assessor, candidate) -> decisions
        self.cands: dict[str, int] = defaultdict(int)  # assessor -> distinct candidates
        self.units: dict[str, int] = defaultdict(int)
        self.methods: dict[str, int] = defaultdict(int)
        self.sites: dict[str, int] = defaultdict(int)
        self.stages: dict[str, int] = defaultdict(int)
        for d in chosen:
            self.add(d)

    def gain(self, d: Decision) -> int:
        state, gain = self.state, 0
        if not self.pairs.get((d.assessor, d.candidate)) and self.cands.get(d.assessor, 0) < state.quotas.get(
            d.assessor, 0
        ):
            gain += 1
        if d.unit in state.units and not self.units.get(d.unit):
            gain += 1
        gain += sum(1 for m in d.methods if m in state.methods and not self.methods.get(m))
        if d.site and d.site in state.sites and not self.sites.get(d.site):
            gain += 1
        if d.stage in state.stages and not self.stages.get(d.stage):
            gain += 1
        return gain

    def carries(self, d: Decision) -> bool:
        """Would dropping `d` (chosen) leave a requirement less met?"""
        state = self.state
        if self.pairs[(d.assessor, d.candidate)] == 1 and self.cands[d.assessor] <= state.quotas.get(
            d.assessor, 0
        ):
            return True
        if d.unit in state.units and self.units[d.unit] == 1:
            return True
        if any(m in state.methods and self.methods[m] == 1 for m in d.methods):
            return True
        if d.site and d.site in state.sites and self.sites[d.site] == 1:
            return True
        return d.stage in state.stages and self.stages[d.stage] == 1

    def add(self, d: Decision, step: int = 1):
        self.pairs[(d.assessor, d.candidate)] += step
        if self.pairs[(d.assessor, d.candidate)] == (1 if step > 0 else 0):
            self.cands[d.assessor] += step
        self.units[d.unit] += step
        for m in d.methods:
            self.methods[m] += step
        if d.site:
            self.sites[d.site] += step
        self.stages[d.stage] += step

    def remove(self, d: Decision):
        self.add(d, -1)


def _propose_sample_reference(
    plan: SamplingPlan, decisions: Iterable[Decision], *, already_sampled: Iterable[int | str] = ()
) -> Proposal:
    """The generator as first written (every decision re-scored after each pick: quadratic). Kept only so that
    the tests can check `propose_sample` gives the same sample."""
    decisions = sorted(decisions, key=lambda d: str(d.id))
    state = _State(plan, decisions)
    done_ids = set(already_sampled)
    base = [d for d in decisions if d.id in done_ids]
    pool = [d for d in decisions if d.id not in done_ids]
    chosen: list[Decision] = []
    cands, units, methods, sites, stages = state.covered(base)
    while True:
        best, best_gain = None, 0
        for d in pool:
            g = _gain(d, state, cands, units, methods, sites, stages)
            # ties: prefer summative decisions, then the lowest id (deterministic)
            if g > best_gain or (
                g == best_gain
                and g > 0
                and best is not None
                and d.stage == "summative"
                and best.stage != "summative"
            ):
                best, best_gain = d, g
        if best is None:
            break
        chosen.append(best)
        pool.remove(best)
        cands, units, methods, sites, stages = state.covered(base + chosen)
    # Pruning: drop picks that the rest make redundant (latest first: early picks carry most).
    target = _needs_met_count(state, base + chosen)
    for d in list(reversed(chosen)):
        trial = [c for c in chosen if c is not d]
        if _needs_met_count(state, base + trial) == target:
            chosen = trial
    # Small pools: search exhaustively for a smaller sample that settles as much.
    if len(pool) + len(chosen) <= EXACT_POOL_LIMIT:
        chosen = _smallest(state, base, sorted(pool + chosen, key=lambda d: str(d.id)), chosen, target)
    chosen.sort(key=lambda d: str(d.id))
    needs = state.needs(base + chosen)
    return Proposal(items=chosen, needs=needs, unmeetable=[n.describe() for n in needs if not n.met])


def _smallest(state, base, pool, chosen, target):
    for size in range(len(chosen)):
        for combo in combinations(pool, size):
            if _needs_met_count(state, base + list(combo)) == target:
                return list(combo)
    return chosen


def _needs_met_count(state: _State, chosen) -> int:
    return sum(min(n.have, n.needed) for n in state.needs(chosen))


@dataclass
class Coverage:
    needs: list[Need]
    unsampled_assessors: list[str]
    unsampled_candidates: list[str]
    unsampled_units: list[str]
    unsampled_methods: list[str]
    unsampled_sites: list[str]
    # horizontal: unit -> {candidate: True (sampled) / False (decision exists, not sampled)}
    by_unit: dict[str, dict[str, bool]]
    # vertical: candidate -> {unit: True / False}
    by_candidate: dict[str, dict[str, bool]]


def coverage(plan: SamplingPlan, decisions: Iterable[Decision], sampled_ids: Iterable[int | str]) -> Coverage:
    decisions = list(decisions)
    sampled_ids = set(sampled_ids)
    state = _State(plan, decisions)
    sampled = [d for d in decisions if d.id in sampled_ids]
    cands, units, methods, sites, _ = state.covered(sampled)
    by_unit: dict[str, dict[str, bool]] = defaultdict(dict)
    by_candidate: dict[str, dict[str, bool]] = defaultdict(dict)
    for d in decisions:
        hit = d.id in sampled_ids
        by_unit[d.unit][d.candidate] = by_unit[d.unit].get(d.candidate, False) or hit
        by_candidate[d.candidate][d.unit] = by_candidate[d.candidate].get(d.unit, False) or hit
    all_assessors = sorted({d.assessor for d in decisions})
    all_candidates = sorted({d.candidate for d in decisions})
    return Coverage(
        needs=state.needs(sampled),
        unsampled_assessors=[a for a in all_assessors if not cands.get(a)],
        unsampled_candidates=[c for c in all_candidates if not any(by_candidate[c].values())],
        unsampled_units=sorted(state.units - units),
        unsampled_methods=sorted(state.methods - methods),
        unsampled_sites=sorted(state.sites - sites),
        by_unit={u: dict(sorted(v.items())) for u, v in sorted(by_unit.items())},
        by_candidate={c: dict(sorted(v.items())) for c, v in sorted(by_candidate.items())},
    )
