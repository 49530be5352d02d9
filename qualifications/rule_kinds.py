"""The kinds of rule of combination: one class per kind, carrying everything the kind means.

Plain Python, no Django inside (like qualifications/rules.py, which imports this module). Each class holds:
- `kind` (the value stored in Rule.kind) and `label` (its Rule.Kind label);
- `params`: its parameters, name -> (type, required), which catalogue validation checks
  (qualifications/validation/checks.py knows the types: credits, count, level, str, units, pair);
- `params_problems(params)`: checks across parameters beyond their types (e.g. a minimum above a maximum);
- `needs_credits(params)`, `needs_levels`, `makes_mandatory`, `forbids`: what validation and the planner ask;
- `members(params, compiled)`: the units of the qualification the rule is about;
- `checker(params, members, compiled)`: a function claimed -> (met, message), with everything static worked
  out once (`qualifications.rules.evaluate` calls it);
- `plan(model, params, member_idx, credit_weights)`: the rule as the planner's constraints (counters,
  mandatory units, barred pairs; qualifications/planner.py `_Model`);
- `wording(params)`: the rule as a sentence a candidate understands (`validation.rule_in_words`).

`RULE_KINDS` maps each kind to its class; Rule.Kind (the model field's choices) is made from it, so adding a kind
is one class registered there. django-oscar's offer conditions are the model.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

MIN_TOTAL_CREDITS = "min_total_credits"
MIN_CREDITS_FROM_UNITS = "min_credits_from_units"
MIN_CREDITS_AT_LEVEL = "min_credits_at_level"
MANDATORY_UNITS = "mandatory_units"
GROUP_MINIMUM = "group_minimum"
BARRED_PAIR = "barred_pair"


def level_words(level: str) -> str:
    """'Level 4' -> 'level 4', as a sentence says it."""
    return level[:1].lower() + level[1:] if level else "an unrecorded level"


def number_key(number: str):
    """Sort unit numbers naturally: '9' < '10', '001' < '101'."""
    return tuple(
        (0, int(part), part) if part.isdigit() else (1, 0, part) for part in re.findall(r"\d+|\D+", number)
    )


def numbers_text(numbers: Iterable[str], *, conjunction: str = "and") -> str:
    """'401 and 402', '310, 311, 312 and 410'."""
    items = list(numbers)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _units_in_words(numbers):
    numbers = list(numbers)
    if len(numbers) == 1:
        return f"unit {numbers[0]}"
    return f"units {', '.join(numbers[:-1])} and {numbers[-1]}"


def _amount(params: Mapping) -> str:
    credits = params.get("credits")
    return f"{credits} credits" if credits is not None else "a number of credits the source does not give"


def _at_least(need: int, has: int, unknown: list[str], what: str) -> tuple[bool | None, str]:
    """A 'needs at least N credits <what>' check with unknown credit values taken into account."""
    if has >= need:
        return True, f"has {has} credits{what} (needs at least {need})"
    if unknown:
        return None, (
            f"needs at least {need} credits{what}, has {has} that are known: the credit value of "
            f"{numbers_text(sorted(unknown, key=number_key))} is not recorded, so this cannot be decided"
        )
    return False, f"needs at least {need} credits{what}, has {has}"


def _sum_over(claimed: Mapping, refs: frozenset[str] | None) -> tuple[int, list[str]]:
    """Known credits of the claimed units in `refs` (all claimed units when None), and the unknown ones."""
    has, unknown = 0, []
    for ref, unit in claimed.items():
        if refs is None or ref in refs:
            if unit.credits is None:
                unknown.append(unit.number)
            else:
                has += unit.credits
    return has, unknown


def _named_units(params: Mapping, compiled) -> tuple:
    """The member units a rule names by number (or ref); names unknown to the qualification are ignored here
    (validate_catalogue reports them)."""
    named = [compiled.by_number.get(str(n)) or compiled.by_ref.get(str(n)) for n in params.get("units") or ()]
    return tuple(u for u in named if u is not None)


class RuleKind:
    """One kind of rule of combination (see the module docstring). Subclasses override what differs."""

    kind: str = ""
    label: str = ""
    params: dict[str, tuple[str, bool]] = {}
    needs_levels = False  # the rule counts credits at a level (units need a level)
    makes_mandatory = False  # the units it names are mandatory
    forbids = False  # it forbids a combination rather than asking for something

    @classmethod
    def needs_credits(cls, params: Mapping) -> bool:
        """Whether the rule counts credits (so units without a credit value are worth a warning)."""
        return False

    @classmethod
    def params_problems(cls, params: Mapping) -> list[str]:
        """Problems across well-typed parameters (validation reports them as malformed parameters)."""
        return []

    @classmethod
    def members(cls, params: Mapping, compiled) -> tuple:
        return tuple(compiled.units)

    @classmethod
    def barred_pairs(cls, members: tuple) -> list[tuple]:
        """Pairs of member units that cannot both be claimed (the group check leaves their partners out)."""
        return []

    @classmethod
    def checker(cls, params: Mapping, members: tuple, compiled):
        raise NotImplementedError

    @classmethod
    def plan(cls, model, params: Mapping, member_idx: list[int], credit_weights: dict[int, int]) -> None:
        raise NotImplementedError

    @classmethod
    def wording(cls, params: Mapping) -> str:
        raise NotImplementedError


class _CreditsRule(RuleKind):
    """At least N credits over some units."""

    @classmethod
    def needs_credits(cls, params: Mapping) -> bool:
        return True

    @classmethod
    def what(cls, params: Mapping, numbers: list[str]) -> str:
        """' at level 4', ' from optional units': what the credits are counted over, as the message says it."""
        raise NotImplementedError

    @classmethod
    def unmet_message(cls, need: int, has: int, what: str, message: str) -> str:
        return message

    @classmethod
    def checker(cls, params, members, compiled):
        need = params.get("credits") or 0
        over = cls.over(members)
        what = cls.what(params, [u.number for u in members])

        def credits_rule(claimed):
            has, unknown = _sum_over(claimed, over)
            met, message = _at_least(need, has, unknown, what)
            if met is False:
                message = cls.unmet_message(need, has, what, message)
            return met, message

        return credits_rule

    @classmethod
    def over(cls, members) -> frozenset[str] | None:
        return frozenset(u.ref for u in members)

    @classmethod
    def plan(cls, model, params, member_idx, credit_weights):
        weights = {i: credit_weights[i] for i in member_idx if i in credit_weights}
        model.add_counter(weights, params.get("credits"), None, True, None, cls.kind)


class MinTotalCredits(_CreditsRule):
    kind = MIN_TOTAL_CREDITS
    label = "Minimum total credits"
    params = {"credits": ("credits", True)}

    @classmethod
    def what(cls, params, numbers):
        return ""

    @classmethod
    def over(cls, members):
        return None

    @classmethod
    def plan(cls, model, params, member_idx, credit_weights):
        model.add_counter(dict(credit_weights), params.get("credits"), None, True, None, "total")

    @classmethod
    def wording(cls, params):
        return f"At least {_amount(params)} in total."


class MinCreditsFromUnits(_CreditsRule):
    kind = MIN_CREDITS_FROM_UNITS
    label = "Minimum credits from a set of units"
    params = {"credits": ("credits", True), "units": ("units", True), "label": ("str", False)}

    @classmethod
    def members(cls, params, compiled):
        return _named_units(params, compiled)

    @classmethod
    def what(cls, params, numbers):
        label = params.get("label") or f"units {numbers_text(numbers, conjunction='or')}"
        if label.split(" ", 1)[0] in ("Optional", "Mandatory"):
            label = label[:1].lower() + label[1:]
        return f" from {label}"

    @classmethod
    def wording(cls, params):
        label = f" ({params['label']})" if params.get("label") else ""
        return f"At least {_amount(params)} from {_units_in_words(params.get('units') or ['?'])}{label}."


class MinCreditsAtLevel(_CreditsRule):
    kind = MIN_CREDITS_AT_LEVEL
    label = "Minimum credits at a level"
    params = {"credits": ("credits", True), "level": ("level", True)}
    needs_levels = True

    @classmethod
    def members(cls, params, compiled):
        return tuple(u for u in compiled.units if u.level == params.get("level"))

    @classmethod
    def what(cls, params, numbers):
        return f" at {level_words(params.get('level') or '')}"

    @classmethod
    def unmet_message(cls, need, has, what, message):
        return f"needs {need} credits{what}, has {has}"

    @classmethod
    def wording(cls, params):
        return f"At least {_amount(params)} from units at {params.get('level') or 'a level the source does not give'}."


class MandatoryUnits(RuleKind):
    kind = MANDATORY_UNITS
    label = "Mandatory units"
    params = {"units": ("units", True)}
    makes_mandatory = True

    @classmethod
    def members(cls, params, compiled):
        return _named_units(params, compiled)

    @classmethod
    def checker(cls, params, members, compiled):
        numbers = [u.number for u in members]
        noun = "mandatory unit" if len(members) == 1 else "mandatory units"
        met = f"{noun} {numbers_text(numbers)} claimed"

        def mandatory(claimed):
            missing = [u.number for u in members if u.ref not in claimed]
            if not missing:
                return True, met
            if len(missing) == 1:
                return False, f"mandatory unit {missing[0]} is missing"
            return False, f"mandatory units {numbers_text(missing)} are missing"

        return mandatory

    @classmethod
    def plan(cls, model, params, member_idx, credit_weights):
        model.mandatory.update(member_idx)

    @classmethod
    def wording(cls, params):
        words = _units_in_words(params.get("units") or ["?"])
        verb = "is" if len(params.get("units") or [1]) == 1 else "are"
        return f"{words[0].upper()}{words[1:]} {verb} mandatory."


class GroupMinimum(RuleKind):
    kind = GROUP_MINIMUM
    label = "Optional group minimum"
    params = {
        "group": ("str", True),
        "min_units": ("count", False),
        "min_credits": ("count", False),
        "max_units": ("count", False),
        "max_credits": ("count", False),
    }

    @classmethod
    def needs_credits(cls, params):
        return params.get("min_credits") is not None or params.get("max_credits") is not None

    @classmethod
    def params_problems(cls, params):
        problems = []
        for low_name, high_name in (("min_units", "max_units"), ("min_credits", "max_credits")):
            low, high = params.get(low_name), params.get(high_name)
            if low is not None and high is not None and low > high:
                problems.append(f"{low_name} {low} is more than {high_name} {high}")
        return problems

    @classmethod
    def members(cls, params, compiled):
        return tuple(compiled.group_units.get(params.get("group"), ()))

    @classmethod
    def checker(cls, params, members, compiled):
        return lambda claimed: cls.check(params, members, claimed, compiled)

    @classmethod
    def check(cls, params, members, claimed, compiled) -> tuple[bool | None, str]:
        name = params.get("group") or ""
        held = [u for u in members if u.ref in claimed]
        if len(held) == 1 and params.get("min_units") == 1 and cls._only_min_units(params):
            return True, f"optional group {name}: {held[0].number} claimed"
        credits, unknown = _sum_over({u.ref: u for u in held}, None)
        problems: list[str] = []
        undecided: list[str] = []
        cls._check_min_units(params, name, members, held, claimed, compiled, problems)
        cls._check_min_credits(params, name, credits, unknown, problems, undecided)
        max_units = params.get("max_units")
        if max_units is not None and len(held) > max_units:
            problems.append(
                f"at most {_plural(max_units, 'unit')} from optional group {name} may be claimed, has "
                f"{len(held)} ({numbers_text([u.number for u in held])})"
            )
        cls._check_max_credits(params, name, credits, unknown, problems, undecided)
        if problems:
            return False, "; ".join(problems)
        if undecided:
            return None, "; ".join(undecided)
        if held:
            return True, f"optional group {name}: {numbers_text([u.number for u in held])} claimed"
        return True, f"optional group {name}: nothing required"

    @staticmethod
    def _only_min_units(params: Mapping) -> bool:
        return (
            not params.get("min_credits")
            and params.get("max_units") is None
            and params.get("max_credits") is None
        )

    @staticmethod
    def _check_min_units(params, name, members, held, claimed, compiled, problems) -> None:
        count = len(held)
        min_units = params.get("min_units") or 0
        if count >= min_units:
            return
        # Units still open to choose: not claimed, not barred against a claimed unit.
        barred = set()
        for u in claimed.values():
            barred |= compiled.barred_partners.get(u.ref, set())
        open_numbers = [u.number for u in members if u.ref not in claimed and u.ref not in barred]
        if count == 0 and min_units == 1:
            choice = f": choose one of {numbers_text(open_numbers, conjunction='or')}" if open_numbers else ""
            problems.append(f"no unit from optional group {name}{choice}")
        else:
            choice = f": choose from {numbers_text(open_numbers, conjunction='or')}" if open_numbers else ""
            problems.append(
                f"needs at least {_plural(min_units, 'unit')} from optional group {name}, has {count}{choice}"
            )

    @staticmethod
    def _check_min_credits(params, name, credits, unknown, problems, undecided) -> None:
        min_credits = params.get("min_credits")
        if min_credits:
            met, message = _at_least(min_credits, credits, unknown, f" from optional group {name}")
            if met is False:
                problems.append(message)
            elif met is None:
                undecided.append(message)

    @staticmethod
    def _check_max_credits(params, name, credits, unknown, problems, undecided) -> None:
        max_credits = params.get("max_credits")
        if max_credits is not None:
            if credits > max_credits:
                problems.append(
                    f"at most {max_credits} credits from optional group {name} may be claimed, has {credits}"
                )
            elif unknown:
                undecided.append(
                    f"at most {max_credits} credits from optional group {name} may be claimed: the "
                    f"credit value of {numbers_text(unknown)} is not recorded, so this cannot be decided"
                )

    @classmethod
    def plan(cls, model, params, member_idx, credit_weights):
        model.add_counter(
            dict.fromkeys(member_idx, 1),
            params.get("min_units"),
            params.get("max_units"),
            False,
            params.get("group"),
            "group units",
        )
        model.add_counter(
            {i: credit_weights[i] for i in member_idx if i in credit_weights},
            params.get("min_credits"),
            params.get("max_credits"),
            True,
            None,
            "group credits",
        )

    @classmethod
    def wording(cls, params):
        parts = []
        if params.get("min_units") is not None:
            parts.append(f"at least {params['min_units']} unit{'s' if params['min_units'] != 1 else ''}")
        if params.get("min_credits") is not None:
            parts.append(f"at least {params['min_credits']} credits")
        if params.get("max_units") is not None:
            parts.append(f"at most {params['max_units']} units")
        if params.get("max_credits") is not None:
            parts.append(f"at most {params['max_credits']} credits")
        return f"From the optional group \u201c{params.get('group', '?')}\u201d: {' and '.join(parts) or 'any units'}."


class BarredPair(RuleKind):
    kind = BARRED_PAIR
    label = "Barred combination"
    params = {"units": ("pair", True)}
    forbids = True

    @classmethod
    def members(cls, params, compiled):
        return _named_units(params, compiled)

    @classmethod
    def barred_pairs(cls, members):
        return [tuple(members)] if len(members) == 2 else []

    @classmethod
    def checker(cls, params, members, compiled):
        if len(members) != 2:
            return lambda claimed: (True, "")
        (a, b), (na, nb) = (u.ref for u in members), (u.number for u in members)
        unmet = f"{na} and {nb} cannot both be claimed"
        met = f"{na} and {nb} are not both claimed"
        return lambda claimed: (False, unmet) if a in claimed and b in claimed else (True, met)

    @classmethod
    def plan(cls, model, params, member_idx, credit_weights):
        if len(member_idx) == 2:
            model.barred.append((member_idx[0], member_idx[1]))

    @classmethod
    def wording(cls, params):
        units = params.get("units") or ["?", "?"]
        return f"Unit {units[0]} cannot be taken with unit {units[-1]}."


RULE_KINDS: dict[str, type[RuleKind]] = {
    cls.kind: cls
    for cls in (
        MinTotalCredits,
        MinCreditsFromUnits,
        MinCreditsAtLevel,
        MandatoryUnits,
        GroupMinimum,
        BarredPair,
    )
}


def rule_kind(kind: str) -> type[RuleKind] | None:
    """The class of a kind, or None for a kind this system does not know."""
    return RULE_KINDS.get(kind)
