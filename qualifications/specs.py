"""From the catalogue (ORM) to the engine's plain data (qualifications/rules.py), in a constant number of
queries: one for the qualification (none when given one), one for its units, one for its rules."""

from __future__ import annotations

from collections.abc import Iterable

from qualifications.models import Qualification, QualificationUnit, Rule, Unit
from qualifications.rules import QualificationSpec, RuleSpec, UnitInfo, UnitSpec

UNKNOWN_QUALIFICATION = "Unknown qualification {code!r}: no qualification with that code is in the catalogue."
UNKNOWN_UNIT = (
    "Unknown unit {token!r}: it is neither a unit of {code} (by its number, e.g. 401, or reference, e.g. "
    "4430-401) nor a unit reference anywhere in the catalogue (e.g. 4411-102)."
)


def qualification_spec(qualification: Qualification | str) -> QualificationSpec:
    """The engine's view of one qualification. Raises Qualification.DoesNotExist for an unknown code."""
    if not isinstance(qualification, Qualification):
        qualification = Qualification.objects.get(code=str(qualification).strip())
    memberships = (
        QualificationUnit.objects.filter(qualification=qualification)
        .select_related("unit", "group")
        .order_by("order", "unit__number")
    )
    units = []
    groups: dict[str, int] = {}
    for membership in memberships:
        unit, group = membership.unit, membership.group
        if group is not None:
            groups.setdefault(group.name, group.order)
        units.append(
            UnitSpec(
                number=unit.number,
                ref=unit.ref,
                title=unit.title,
                level=unit.level,
                credits=unit.credits,
                glh=unit.glh,
                status=membership.status,
                group=group.name if group else None,
                assessable=unit.has_criteria_text,
            )
        )
    rules = tuple(
        RuleSpec(
            order=rule.order,
            kind=rule.kind,
            params=dict(rule.params or {}),
            text=rule.text,
            is_complete=rule.is_complete,
            incomplete_reason=rule.incomplete_reason,
        )
        for rule in Rule.objects.filter(qualification=qualification).order_by("order")
    )
    return QualificationSpec(
        code=qualification.code,
        title=qualification.title,
        level=qualification.level,
        rules_stated=qualification.rules_stated,
        units=tuple(units),
        rules=rules,
        groups=tuple(sorted(groups, key=lambda name: (groups[name], name))),
    )


def resolve_units(
    spec: QualificationSpec, tokens: Iterable[str]
) -> tuple[list[str], list[UnitInfo], list[str]]:
    """Read unit tokens as a centre would type them, in one query at most.

    Returns (refs of the qualification's own units, catalogue units outside it, tokens found nowhere).
    "401" and "4430-401" name a unit of the qualification; any other catalogue ref ("4411-102") is an
    outside unit. Commas separate tokens too ("401,402").
    """
    own: list[str] = []
    others: list[str] = []
    for raw in tokens:
        for token in str(raw).replace(",", " ").split():
            unit = spec.resolve(token)
            if unit is not None:
                if unit.ref not in own:
                    own.append(unit.ref)
            elif token not in others:
                others.append(token)
    found = {}
    if others:
        found = {u.ref: u for u in Unit.objects.filter(ref__in=others)}
    outside = [
        UnitInfo(ref=ref, title=found[ref].title, level=found[ref].level, credits=found[ref].credits)
        for ref in others
        if ref in found
    ]
    unknown = [token for token in others if token not in found]
    return own, outside, unknown


def resolve_unit(spec: QualificationSpec, token: str) -> str | None:
    """The catalogue ref a token names ("401", "4430-401", or another qualification's "4411-102"), else None."""
    own, outside, _ = resolve_units(spec, [token])
    if own:
        return own[0]
    if outside:
        return outside[0].ref
    return None
