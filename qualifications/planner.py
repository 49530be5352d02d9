"""The completion planner: the cheapest way to finish a qualification, worked out exactly.

Plain Python, no Django inside. `plan()` (through `make_plan()`) takes the units
a candidate has achieved, and optionally those in progress or chosen, and returns:

- `add`: the further units to achieve. Among every set of units that, with what is held, satisfies each
  rule, the planner picks by, in order: fewest credits added; fewest guided learning hours added; most
  credits of the achieved units claimed (nothing achieved is left out unless a rule forces it); fewest
  units added; then the lowest unit numbers (a fixed tie-break, so the answer never changes between runs).
- `claim`: which achieved units to claim. Every achieved unit is claimed unless a barred pair or a group
  maximum forces one out; when it does, the planner keeps the choice that needs the least further work
  (then the most credits held). In-progress and chosen units are commitments: they stay in the plan
  (`committed`), and an achieved unit barred against one of them is dropped with the reason.

Units whose credit value the source lost are never proposed (nothing could be counted on them).
A rule the sources left incomplete cannot be planned for: the plan meets every other rule, says so in
`reason`, and its verdict is "cannot decide". A qualification without stated rules has no plan.

How: a dynamic programme over the units (in group order, barred partners next to each other), whose
state is each rule's progress capped at what the rule needs (credits so far, credits at a level,
units per group, ...) plus which later units a barred pair has ruled out. Each state keeps its cheapest
route under the objective above, so the answer is exact. States that can no longer satisfy a rule, or
that cannot beat the best answer found by a quick first pass, are dropped as they appear.
`brute_force_plan()` tries every subset: the tests and the benchmark check the planner against it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from qualifications.rules import (
    RULE_INCOMPLETE_DEFAULT_REASON,
    RULES_NOT_STATED,
    Plan,
    QualificationSpec,
    UnitSpec,
    evaluate,
    numbers_text,
    rule_kind,
)

NO_PLAN_RULES_NOT_STATED = "No completion plan: " + RULES_NOT_STATED
NO_PLAN_BARRED_COMMITTED = (
    "No completion plan: {a} and {b} cannot both be claimed, but {a} is {why_a} and {b} is {why_b}"
)
NO_PLAN_IMPOSSIBLE = (
    "No set of further units satisfies every rule of {code} together with the units {held}: {detail}"
)
PLAN_INCOMPLETE_RULES = (
    "This plan meets every rule that can be checked, but {count} cannot be checked, so the result cannot be "
    "decided: {reasons}"
)
DROPPED_BARRED = "{unit} is not claimed: it cannot be taken with {other}, which is {why}"
DROPPED_CHOICE = "{unit} is not claimed: {why}"
NOTE_UNKNOWN_CREDITS = "Units {numbers} are not proposed: their credit values are not recorded"
NOTE_UNKNOWN_GLH = (
    "Guided learning hours are not recorded for {numbers}: the GLH total counts only the recorded hours, and "
    "the choice between equally cheap units could not weigh them"
)
UNKNOWN_UNIT = "{token} is not a unit of {code}"

INF = float("inf")


class _Counter:
    """Progress towards one requirement: a weighted sum over some units, with a minimum and/or maximum."""

    __slots__ = ("weights", "minimum", "maximum", "cap", "is_credits", "group", "label")

    def __init__(self, weights, minimum, maximum, is_credits, group, label):
        self.weights = weights  # {unit index: weight}
        self.minimum = minimum or 0
        self.maximum = maximum
        self.cap = (maximum + 1) if maximum is not None else self.minimum
        self.is_credits = is_credits
        self.group = group
        self.label = label


class _Model:
    """What the planner needs from a spec, worked out once per spec."""

    def __init__(self, spec: QualificationSpec):
        compiled = spec._compiled
        self.units = compiled.units
        self.n = len(self.units)
        self.index = {u.ref: i for i, u in enumerate(self.units)}
        self.counters: list[_Counter] = []
        self.mandatory: set[int] = set()
        self.barred: list[tuple[int, int]] = []
        self.unchecked: list[str] = []  # reasons of rules the planner cannot plan for
        credit_weights = {i: u.credits for i, u in enumerate(self.units) if u.credits}
        for rule, members in zip(spec.rules, compiled.rule_units, strict=True):
            if not rule.is_complete:
                self.unchecked.append(rule.incomplete_reason or RULE_INCOMPLETE_DEFAULT_REASON)
                continue
            kind = rule_kind(rule.kind)
            if kind is None:
                self.unchecked.append(f"rule {rule.order} is of an unknown kind ({rule.kind})")
                continue
            kind.plan(self, rule.params or {}, [self.index[u.ref] for u in members], credit_weights)
        self.partners: dict[int, set[int]] = {}
        for a, b in self.barred:
            self.partners.setdefault(a, set()).add(b)
            self.partners.setdefault(b, set()).add(a)
        self.group_pos = {g: k for k, g in enumerate(compiled.group_order)}

    def add_counter(self, weights, minimum, maximum, is_credits, group, label):
        """A requirement of a rule (its kind's `plan()` calls this); nothing when it asks for nothing."""
        if not minimum and maximum is None:
            return
        self.counters.append(_Counter(weights, minimum, maximum, is_credits, group, label))


def _model(spec: QualificationSpec) -> _Model:
    compiled = spec._compiled
    model = getattr(compiled, "planner_model", None)
    if model is None:
        model = compiled.planner_model = _Model(spec)
    return model


def _resolve(spec: QualificationSpec, tokens: Iterable[str]) -> tuple[list[UnitSpec], list[str]]:
    own, outside, seen = [], [], set()
    for token in tokens:
        unit = spec.resolve(token)
        if unit is None:
            if token not in outside:
                outside.append(token)
        elif unit.ref not in seen:
            seen.add(unit.ref)
            own.append(unit)
    return own, outside


NOT_ASSESSABLE_HOW = (
    "add their learning outcomes and assessment criteria with `python manage.py import_catalogue "
    "FILE` (the awarding body's unit in the catalogue's JSON shape)"
)
NO_ASSESSABLE_ROUTE = (
    "No route to {code} is made only of units that can be assessed here: every route needs units whose content "
    "(learning outcomes, assessment criteria) is not in the catalogue. A route through {numbers} would meet the "
    "rules once their content is imported: " + NOT_ASSESSABLE_HOW + "."
)


def plan(
    spec: QualificationSpec,
    achieved: Iterable[str],
    *,
    chosen: Iterable[str] = (),
    in_progress: Iterable[str] = (),
) -> Plan:
    """The cheapest further units that achieve `spec` (see `make_plan()`), made only of units that can be
    assessed (their content is in the catalogue) whenever such a route exists. Where none exists the plan is
    not feasible and says so, naming the units a route would need, instead of proposing them."""
    achieved, chosen, in_progress = list(achieved), list(chosen), list(in_progress)
    if all(u.assessable for u in spec.units):
        return make_plan(spec, achieved, chosen=chosen, in_progress=in_progress)
    offered = [u.ref for u in spec.units if u.assessable]
    result = make_plan(spec, achieved, chosen=chosen, in_progress=in_progress, offered=offered)
    if result.feasible:
        return result
    anyway = make_plan(spec, achieved, chosen=chosen, in_progress=in_progress)
    if not anyway.feasible:
        return anyway
    needed = [u.number for u in anyway.add if not u.assessable]
    result.reason = NO_ASSESSABLE_ROUTE.format(code=spec.code, numbers=numbers_text(needed))
    return result


def make_plan(
    spec: QualificationSpec,
    achieved: Iterable[str],
    *,
    chosen: Iterable[str] = (),
    in_progress: Iterable[str] = (),
    offered: Iterable[str] | None = None,
) -> Plan:
    """The exact completion plan (see the module docstring). `offered` limits the units that may be added."""
    model = _model(spec)
    held_units, outside = _resolve(spec, achieved)
    committed_units, committed_outside = _resolve(spec, [*in_progress, *chosen])
    outside += [ref for ref in committed_outside if ref not in outside]
    held = {model.index[u.ref] for u in held_units}
    committed = {model.index[u.ref] for u in committed_units} - held
    offered_idx = None
    if offered is not None:
        offered_units, _ = _resolve(spec, offered)
        offered_idx = {model.index[u.ref] for u in offered_units}
    units = model.units

    def refs(indices):
        return [units[i].ref for i in sorted(indices)]

    def infeasible(reason, claim=()):
        claim_refs = refs(claim)
        verdict = evaluate(spec, claim_refs + refs(committed), outside=outside)
        return Plan(
            feasible=False,
            reason=reason,
            add=[],
            claim=claim_refs,
            added_credits=0,
            added_glh=0,
            verdict=verdict,
            committed=refs(committed),
            outside_units=list(outside),
        )

    if not spec.rules_stated:
        return infeasible(NO_PLAN_RULES_NOT_STATED.format(code=spec.code), held)

    forced = model.mandatory | committed
    for a, b in model.barred:
        if a in forced and b in forced:
            return infeasible(
                NO_PLAN_BARRED_COMMITTED.format(
                    a=units[a].number,
                    b=units[b].number,
                    why_a=_why(model, a, committed, held),
                    why_b=_why(model, b, committed, held),
                ),
                held - {a, b},
            )
    excluded: set[int] = set()
    dropped_reasons = []
    for i in sorted(forced):
        for j in sorted(model.partners.get(i, ())):
            excluded.add(j)
            if j in held:
                dropped_reasons.append(
                    DROPPED_BARRED.format(
                        unit=units[j].number, other=units[i].number, why=_why(model, i, committed, held)
                    )
                )
    free = held - forced - excluded
    unknown = sorted(
        i for i in range(model.n) if units[i].credits is None and i not in held and i not in forced
    )
    paid = {
        i
        for i in range(model.n)
        if i not in held
        and i not in forced
        and i not in excluded
        and units[i].credits is not None
        and (offered_idx is None or i in offered_idx)
    }
    result = _search(model, forced, free, paid, held)
    notes = []
    if unknown:
        notes.append(NOTE_UNKNOWN_CREDITS.format(numbers=numbers_text([units[i].number for i in unknown])))
    if result is None:
        detail = _impossible_detail(spec, model, forced, free | paid)
        held_text = numbers_text([units[i].number for i in sorted(held | committed)]) or "held (none)"
        return infeasible(
            NO_PLAN_IMPOSSIBLE.format(code=spec.code, held=held_text, detail=detail), held - excluded
        )
    chosen_idx = result | forced
    add_idx = sorted(chosen_idx - held - committed)
    claim_idx = sorted(chosen_idx & held)
    for i in sorted(free - chosen_idx):
        dropped_reasons.append(
            DROPPED_CHOICE.format(unit=units[i].number, why=_drop_reason(model, i, chosen_idx))
        )
    add = [units[i] for i in add_idx]
    no_glh = [u.number for u in add if u.glh is None]
    if no_glh:
        notes.append(NOTE_UNKNOWN_GLH.format(numbers=numbers_text(no_glh)))
    verdict = evaluate(spec, refs(claim_idx) + refs(committed) + [u.ref for u in add], outside=outside)
    reason = ""
    if model.unchecked:
        reason = PLAN_INCOMPLETE_RULES.format(
            count="1 rule" if len(model.unchecked) == 1 else f"{len(model.unchecked)} rules",
            reasons="; ".join(model.unchecked),
        )
    return Plan(
        feasible=True,
        reason=reason,
        add=add,
        claim=refs(claim_idx),
        added_credits=sum(u.credits or 0 for u in add),
        added_glh=sum(u.glh or 0 for u in add),
        verdict=verdict,
        committed=refs(committed),
        dropped=refs(held - set(claim_idx)),
        dropped_reasons=dropped_reasons,
        outside_units=list(outside),
        notes=notes,
    )


def _why(model: _Model, i: int, committed: set[int], held: set[int]) -> str:
    if i in model.mandatory:
        return "mandatory"
    if i in committed:
        return "in progress or chosen"
    return "achieved"


def _drop_reason(model: _Model, i: int, chosen: set[int]) -> str:
    others = [model.units[j].number for j in sorted(model.partners.get(i, ())) if j in chosen]
    if others:
        return f"it cannot be taken with {numbers_text(others)}, which the plan keeps"
    return "claiming it would break a maximum of its optional group"


def _impossible_detail(spec, model: _Model, forced: set[int], candidates: set[int]) -> str:
    """Name the first requirement that even every remaining unit together cannot meet."""
    pool = forced | candidates
    verdict = evaluate(spec, [model.units[i].ref for i in sorted(pool)])
    problems = [r.message for r in verdict.unmet if r.met is False and not _forbids(r.rule)]
    if problems:
        return "; ".join(problems)
    return "the barred pairs and group maximums leave no combination that meets the rules"


def _forbids(kind: str) -> bool:
    cls = rule_kind(kind)
    return cls is not None and cls.forbids


def _order(model: _Model, decision: set[int]) -> list[int]:
    """Decision order: units of one group together (so an uncovered group is seen early), barred partners
    next to each other (so at most a few 'ruled out' flags are live in a state)."""
    units = model.units

    def key(i):
        partners = [j for j in model.partners.get(i, ()) if j in decision]
        anchor = min([i, *partners])
        group = units[i].group
        return (model.group_pos.get(group, len(model.group_pos)) if group else -1, anchor, i)

    return sorted(decision, key=key)


class _Tables:
    """What the search over one decision order precomputes (see `_search`)."""

    __slots__ = (
        "k",
        "m",
        "start",
        "mins",
        "contribs",
        "later",
        "costs",
        "suf_all",
        "suf_free",
        "credit_mins",
        "group_mins",
        "cheapest",
        "ratio",
    )


def _search(
    model: _Model, forced: set[int], free: set[int], paid: set[int], held: set[int]
) -> set[int] | None:
    """The exact optimum over subsets of free ∪ paid (added to `forced`), or None when nothing works."""
    n = model.n
    order = _order(model, free | paid)
    t = _tables(model, forced, free, paid, order)
    if t is None or any(t.start[j] + t.suf_all[j][0] < t.mins[j] for j in range(t.k)):
        return None
    greedy = _greedy_bound(model, order, t.costs, t.contribs, t.later, t.start, t.mins, paid)
    # Try the tightest credit budget first: the root lower bound, then one more credit at a time up to the
    # greedy answer (whose GLH also bounds the last try). Usually the first try succeeds and prunes hardest.
    root = _lower_bound(t, t.start, 0)
    if root == INF:
        return None
    if greedy is None:
        best = _run(t, None)
    else:
        best = None
        for budget in range(int(root), greedy[0] + 1):
            best = _run(t, (budget, greedy[1] if budget == greedy[0] else INF))
            if best is not None:
                break
    if best is None:
        return None
    pm = -best[4]
    return {i for i in range(n) if pm >> (n - 1 - i) & 1} - forced


def _tables(
    model: _Model, forced: set[int], free: set[int], paid: set[int], order: list[int]
) -> _Tables | None:
    """The search's tables over `order`, or None when the forced units already break a maximum."""
    counters = model.counters
    t = _Tables()
    t.k = k = len(counters)
    n = model.n
    units = model.units
    t.start = start = [0] * k
    for j, c in enumerate(counters):
        value = sum(c.weights.get(i, 0) for i in forced)
        if c.maximum is not None and value > c.maximum:
            return None
        start[j] = min(value, c.cap)
    t.m = m = len(order)
    pos = {i: p for p, i in enumerate(order)}
    # Per decision position: contributions, cost vector, and later barred partners (as position bits).
    t.contribs = contribs = []
    t.later = later = []
    t.costs = costs = []
    for p, i in enumerate(order):
        contribs.append(
            tuple((j, c.weights[i], c.cap, c.maximum) for j, c in enumerate(counters) if i in c.weights)
        )
        bits = 0
        for q in model.partners.get(i, ()):
            if q in pos and pos[q] > p:
                bits |= 1 << pos[q]
        later.append(bits)
        u = units[i]
        pref = 1 << (n - 1 - i)  # lower numbers weigh more in the final tie-break
        if i in paid:
            costs.append((u.credits or 0, u.glh or 0, 0, 1, -pref))
        else:
            costs.append((0, 0, -(u.credits or 0), 0, -pref))
    # Suffix sums from position p on: all contributions (feasibility) and free ones (bound).
    t.suf_all = suf_all = [[0] * (m + 1) for _ in range(k)]
    t.suf_free = suf_free = [[0] * (m + 1) for _ in range(k)]
    for p in range(m - 1, -1, -1):
        i = order[p]
        for j, c in enumerate(counters):
            w = c.weights.get(i, 0)
            suf_all[j][p] = suf_all[j][p + 1] + w
            suf_free[j][p] = suf_free[j][p + 1] + (w if i in free else 0)
    t.credit_mins = [j for j, c in enumerate(counters) if c.is_credits and c.minimum]
    # Group unit counts: each unit still missing from a group costs at least that group's cheapest
    # remaining paid unit; groups are disjoint, so these add up.
    t.group_mins = group_mins = [j for j, c in enumerate(counters) if not c.is_credits and c.minimum]
    t.cheapest = cheapest = {j: [INF] * (m + 1) for j in group_mins}
    for p in range(m - 1, -1, -1):
        i = order[p]
        for j in group_mins:
            here = units[i].credits if (i in paid and i in counters[j].weights) else INF
            cheapest[j][p] = min(cheapest[j][p + 1], here)
    t.mins = [c.minimum for c in counters]
    # Fewest GLH per credit among the paid units from position p on: a completion adding d credits costs at
    # least ratio[p] * d hours.
    ratio = [INF] * (m + 1)
    for p in range(m - 1, -1, -1):
        i = order[p]
        u = units[i]
        here = (u.glh or 0) / u.credits if (i in paid and u.credits) else INF
        ratio[p] = min(ratio[p + 1], here)
    t.ratio = [0 if r == INF else r for r in ratio]
    return t


def _lower_bound(t: _Tables, values, p):
    """Fewest further credits any completion from position p needs (admissible)."""
    mins, suf_free, cheapest = t.mins, t.suf_free, t.cheapest
    best = 0
    for j in t.credit_mins:
        gap = mins[j] - values[j] - suf_free[j][p]
        if gap > best:
            best = gap
    groups = 0
    for j in t.group_mins:
        gap = mins[j] - values[j] - suf_free[j][p]
        if gap > 0:
            groups += gap * cheapest[j][p]
    return max(best, groups)


def _feasible(t: _Tables, values, p, touched):
    mins, suf_all = t.mins, t.suf_all
    for j, *_ in touched:
        if values[j] + suf_all[j][p] < mins[j]:
            return False
    return True


def _take(state, contrib):
    """The counters' values after taking a unit (capped), or None when that breaks a maximum."""
    values = list(state[:-1])
    for j, w, cap, maximum in contrib:
        v = values[j] + w
        if maximum is not None and v > maximum:
            return None
        values[j] = v if v < cap else cap
    return values


def _run(t: _Tables, upper):
    """The DP, dropping states that cannot finish within upper = (credits, GLH); None if nothing fits."""
    mins, ratio, k = t.mins, t.ratio, t.k
    states = {(*t.start, 0): (0, 0, 0, 0, 0)}
    for p in range(t.m):
        bit = 1 << p
        contrib = t.contribs[p]
        dc, dg, dh, dn, dpm = t.costs[p]
        banned_later = t.later[p]
        nxt: dict = {}
        get = nxt.get
        for state, value in states.items():
            forb = state[-1]
            # Leave the unit out.
            if forb & bit:
                key = (*state[:-1], forb & ~bit)
            else:
                key = state
            if _feasible(t, state, p + 1, contrib):
                old = get(key)
                if old is None or value < old:
                    nxt[key] = value
            if forb & bit:
                continue
            # Take the unit.
            values = _take(state, contrib)
            if values is None:
                continue
            new_value = (value[0] + dc, value[1] + dg, value[2] + dh, value[3] + dn, value[4] + dpm)
            if upper is not None:
                lb = _lower_bound(t, values, p + 1)
                bound = new_value[0] + lb
                if bound > upper[0] or (
                    bound == upper[0] and new_value[1] + ratio[p + 1] * lb > upper[1] + 1e-9
                ):
                    continue
            key = (*values, (forb | banned_later) & ~bit)
            old = get(key)
            if old is None or new_value < old:
                nxt[key] = new_value
        states = nxt
    best = None
    for state, value in states.items():
        if all(state[j] >= mins[j] for j in range(k)) and (best is None or value < best):
            best = value
    return best


def _greedy_bound(model, order, costs, contribs, later, start, mins, paid):
    """A quick feasible answer (credits, GLH) to prune the exact search with, or None."""
    values = list(start)
    taken_bits = 0
    banned = 0
    credits = glh = 0
    # Take every free (held) unit that fits first: they cost nothing.
    for p, i in enumerate(order):
        if i not in paid and not banned >> p & 1 and _fits(values, contribs[p]):
            _apply(values, contribs[p])
            banned |= later[p]
            taken_bits |= 1 << p
    for _ in range(len(order)):
        deficit = [j for j in range(len(values)) if values[j] < mins[j]]
        if not deficit:
            return (credits, glh)
        best = None
        for p, i in enumerate(order):
            if (
                i not in paid
                or taken_bits >> p & 1
                or banned >> p & 1
                or _partner_taken(model, order, p, taken_bits)
            ):
                continue
            if not _fits(values, contribs[p]):
                continue
            gain = sum(
                min(w, mins[j] - values[j]) / max(mins[j], 1)
                for j, w, _, _ in contribs[p]
                if values[j] < mins[j]
            )
            if gain <= 0:
                continue
            c, g = costs[p][0], costs[p][1]
            score = (-gain / max(c, 1), c, g, p)
            if best is None or score < best[0]:
                best = (score, p)
        if best is None:
            return None
        p = best[1]
        _apply(values, contribs[p])
        banned |= later[p]
        taken_bits |= 1 << p
        credits += costs[p][0]
        glh += costs[p][1]
    return None


def _partner_taken(model, order, p, taken_bits):
    i = order[p]
    for q, other in enumerate(order):
        if taken_bits >> q & 1 and other in model.partners.get(i, ()):
            return True
    return False


def _fits(values, contrib):
    return all(maximum is None or values[j] + w <= maximum for j, w, _, maximum in contrib)


def _apply(values, contrib):
    for j, w, cap, _ in contrib:
        values[j] = min(values[j] + w, cap)


def selection_problems(spec: QualificationSpec, chosen_refs: Iterable[str]) -> list[str]:
    """[] when the units chosen at registration can still lead to the qualification, else the reasons."""
    chosen_refs = list(chosen_refs)
    problems = [UNKNOWN_UNIT.format(token=t, code=spec.code) for t in _resolve(spec, chosen_refs)[1]]
    result = make_plan(spec, (), chosen=chosen_refs)
    if not result.feasible:
        problems.append(result.reason)
    return problems


def plan_key(spec: QualificationSpec, added: Iterable[UnitSpec], claimed: Iterable[UnitSpec]) -> tuple:
    """The planner's objective for a candidate answer (smaller is better)."""
    compiled = spec._compiled
    n = len(compiled.units)
    rank = {u.ref: i for i, u in enumerate(compiled.units)}
    added, claimed = list(added), list(claimed)
    pm = sum(1 << (n - 1 - rank[u.ref]) for u in [*added, *claimed])
    return (
        sum(u.credits or 0 for u in added),
        sum(u.glh or 0 for u in added),
        -sum(u.credits or 0 for u in claimed),
        len(added),
        -pm,
    )


def brute_force_plan(
    spec: QualificationSpec,
    achieved: Iterable[str],
    *,
    chosen: Iterable[str] = (),
    in_progress: Iterable[str] = (),
    offered: Iterable[str] | None = None,
):
    """Every subset of the offered units × every subset of the achieved ones, judged by `evaluate`.

    Returns (add refs, claim refs, key) of the best answer under the planner's objective, or None.
    Exponential: for tests and the benchmark only. Rules the sources left incomplete are ignored, as the
    planner ignores them.
    """
    held, _ = _resolve(spec, achieved)
    committed, _ = _resolve(spec, [*in_progress, *chosen])
    held_refs = {u.ref for u in held}
    committed = [u for u in committed if u.ref not in held_refs]
    taken = held_refs | {u.ref for u in committed}
    if offered is None:
        pool = [u for u in spec._compiled.units if u.ref not in taken and u.credits is not None]
    else:
        offered_units, _ = _resolve(spec, offered)
        pool = [u for u in offered_units if u.ref not in taken and u.credits is not None]
    # Mandatory units that are not held must be added whatever the offer.
    mandatory_missing = [
        u for u in spec._compiled.units if u.status == "mandatory" and u.ref not in taken and u not in pool
    ]
    pool += [u for u in mandatory_missing if _named_mandatory(spec, u)]
    best = None
    for h_size in range(len(held) + 1):
        for claim in itertools.combinations(held, h_size):
            for size in range(len(pool) + 1):
                for add in itertools.combinations(pool, size):
                    key = plan_key(spec, add, claim)
                    if best is not None and key >= best[2]:
                        continue
                    verdict = evaluate(spec, [u.ref for u in (*claim, *committed, *add)])
                    if _achieved_ignoring_incomplete(spec, verdict):
                        best = (sorted(u.ref for u in add), sorted(u.ref for u in claim), key)
    return best


def _named_mandatory(spec: QualificationSpec, unit: UnitSpec) -> bool:
    compiled = spec._compiled
    return any(
        getattr(rule_kind(rule.kind), "makes_mandatory", False) and unit in members
        for rule, members in zip(spec.rules, compiled.rule_units, strict=True)
    )


def _achieved_ignoring_incomplete(spec: QualificationSpec, verdict) -> bool:
    if not spec.rules_stated:
        return False
    incomplete_orders = {r.order for r in spec.rules if not r.is_complete}
    return all(r.met is True or r.order in incomplete_orders for r in verdict.rules)
