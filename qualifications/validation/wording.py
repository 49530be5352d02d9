"""The rules of combination in plain words, as a candidate reads them."""
from __future__ import annotations


def _units_in_words(numbers):
    numbers = list(numbers)
    if len(numbers) == 1:
        return f"unit {numbers[0]}"
    return f"units {', '.join(numbers[:-1])} and {numbers[-1]}"


def rule_in_words(kind: str, params: dict, *, is_complete: bool = True) -> str:
    """One rule of combination as a sentence a candidate understands."""
    p = params if isinstance(params, dict) else {}
    credits = p.get("credits")
    amount = f"{credits} credits" if credits is not None else "a number of credits the source does not give"
    if kind == "min_total_credits":
        return f"At least {amount} in total."
    if kind == "min_credits_from_units":
        label = f" ({p['label']})" if p.get("label") else ""
        return f"At least {amount} from {_units_in_words(p.get('units') or ['?'])}{label}."
    if kind == "min_credits_at_level":
        return f"At least {amount} from units at {p.get('level') or 'a level the source does not give'}."
    if kind == "mandatory_units":
        words = _units_in_words(p.get("units") or ["?"])
        verb = "is" if len(p.get("units") or [1]) == 1 else "are"
        return f"{words[0].upper()}{words[1:]} {verb} mandatory."
    if kind == "group_minimum":
        parts = []
        if p.get("min_units") is not None:
            parts.append(f"at least {p['min_units']} unit{'s' if p['min_units'] != 1 else ''}")
        if p.get("min_credits") is not None:
            parts.append(f"at least {p['min_credits']} credits")
        if p.get("max_units") is not None:
            parts.append(f"at most {p['max_units']} units")
        if p.get("max_credits") is not None:
            parts.append(f"at most {p['max_credits']} credits")
        return f"From the optional group \u201c{p.get('group', '?')}\u201d: {' and '.join(parts) or 'any units'}."
    if kind == "barred_pair":
        units = p.get("units") or ["?", "?"]
        return f"Unit {units[0]} cannot be taken with unit {units[-1]}."
    return f"A rule of an unknown kind ({kind})."
