"""Catalogue fixture files (Django's loaddata format, natural keys): each file checked, the set checked
across files, and the order to load them in."""

from __future__ import annotations

from dataclasses import dataclass

from .problems import BAD_SHAPE, MISSING_FIELD, Problem, _Checker, _label

FIXTURE_MODELS = {
    # model: (fields that must be present and not empty, natural key fields)
    "qualifications.qualification": (("code", "title", "level"), ("code",)),
    "qualifications.unit": (("ref", "scheme", "number", "title"), ("ref",)),
    "qualifications.optionalgroup": (("qualification", "name"), ("qualification", "name")),
    "qualifications.qualificationunit": (("qualification", "unit", "status"), ("qualification", "unit")),
    "qualifications.rule": (("qualification", "order", "kind", "params"), ("qualification", "order")),
    "qualifications.learningoutcome": (("unit", "number", "title", "kind"), ("unit", "number")),
    "qualifications.assessmentcriterion": (
        ("unit", "outcome", "number", "ref", "text", "kind"),
        ("unit", "ref"),
    ),
    "qualifications.rangeitem": (("unit", "ref", "text"), ("unit", "ref")),
    "qualifications.evidencerequirement": (("unit", "ref", "text"), ("unit", "ref")),
    "qualifications.evidenceguiderow": (("unit", "order", "evidence"), ("unit", "order")),
}
FIXTURE_CONFLICT = "fixture_conflict"
FIXTURE_UNKNOWN_REFERENCE = "fixture_unknown_reference"


def _key_part(value):
    if isinstance(value, list):
        return value[0] if len(value) == 1 else tuple(value)
    return value


@dataclass
class FixtureFile:
    """What one fixture file defines and references (filled by check_fixture_objects)."""

    name: str
    objects: list
    qualifications: set
    units: set
    referenced_qualifications: set
    referenced_units: set


def check_fixture_objects(name: str, objects) -> tuple[FixtureFile | None, list[Problem]]:
    """Check a fixture file's objects: known models, required fields, no natural key twice."""
    c = _Checker()
    if not isinstance(objects, list):
        c.error(BAD_SHAPE, name, 'must hold a JSON list of objects like {"model": ..., "fields": {...}}')
        return None, c.problems
    info = FixtureFile(name, objects, set(), set(), set(), set())
    keys = {}
    for position, obj in enumerate(objects, start=1):
        where = f"{name} object {position}"
        if not isinstance(obj, dict) or not isinstance(obj.get("fields"), dict) or "model" not in obj:
            c.error(BAD_SHAPE, where, 'must be an object with "model" and "fields"')
            continue
        model = obj["model"]
        if model not in FIXTURE_MODELS:
            c.error(BAD_SHAPE, where, f"model {_label(model)} is not a catalogue model")
            continue
        fields = obj["fields"]
        required, key_fields = FIXTURE_MODELS[model]
        missing = [f for f in required if fields.get(f) in (None, "", [])]
        if missing:
            c.error(
                MISSING_FIELD,
                f"{where} ({model})",
                f"the field{'s' if len(missing) > 1 else ''} {', '.join(repr(m) for m in missing)} "
                f"{'are' if len(missing) > 1 else 'is'} missing",
            )
            continue
        key = tuple(_key_part(fields[f]) for f in key_fields)
        label = f"{where} ({model} {' '.join(str(k) for k in key)})"
        if (model, key) in keys:
            c.error(FIXTURE_CONFLICT, label, f"defines the same record as object {keys[(model, key)]}")
            continue
        keys[(model, key)] = position
        if model == "qualifications.qualification":
            info.qualifications.add(fields["code"])
        elif model == "qualifications.unit":
            info.units.add(fields["ref"])
        if isinstance(fields.get("qualification"), list) and fields["qualification"]:
            info.referenced_qualifications.add(fields["qualification"][0])
        if isinstance(fields.get("unit"), list) and fields["unit"]:
            info.referenced_units.add(fields["unit"][0])
    return info, c.problems


def check_fixture_set(files: list[FixtureFile], *, existing_codes=(), existing_refs=()) -> list[Problem]:
    """Across files: a record defined differently in two files, references nothing defines."""
    c = _Checker()
    defined = {}
    for f in files:
        for position, obj in enumerate(f.objects, start=1):
            model = obj["model"]
            key = tuple(_key_part(obj["fields"][k]) for k in FIXTURE_MODELS[model][1])
            first = defined.get((model, key))
            if first is None:
                defined[(model, key)] = (f.name, position, obj["fields"])
            elif first[0] != f.name and first[2] != obj["fields"]:
                differing = sorted(k for k in obj["fields"] if obj["fields"][k] != first[2].get(k))
                c.error(
                    FIXTURE_CONFLICT,
                    f"{f.name} object {position} ({model} {' '.join(map(str, key))})",
                    f"differs from {first[0]} object {first[1]} ({', '.join(differing)}); "
                    "a record may only be defined differently in one file",
                )
    codes = set(existing_codes).union(*(f.qualifications for f in files))
    refs = set(existing_refs).union(*(f.units for f in files))
    for f in files:
        for code in sorted(f.referenced_qualifications - codes):
            c.error(
                FIXTURE_UNKNOWN_REFERENCE, f.name, f"refers to qualification {code}, which no fixture defines"
            )
        for ref in sorted(f.referenced_units - refs):
            c.error(FIXTURE_UNKNOWN_REFERENCE, f.name, f"refers to unit {ref}, which no fixture defines")
    return c.problems


PREFERRED_FIXTURE_ORDER = ["4411.json", "2006-L3.json", "4430-04.json", "4430-02.json"]


def fixture_load_order(files: list[FixtureFile]) -> list[FixtureFile]:
    """Files that refer to units or qualifications another file defines load after that file.

    Ties keep the handbook order (4411, 2006-L3, 4430-04, 4430-02), then the rest by name.
    """

    def rank(f):
        base = f.name.rsplit("/", 1)[-1]
        return (
            PREFERRED_FIXTURE_ORDER.index(base)
            if base in PREFERRED_FIXTURE_ORDER
            else len(PREFERRED_FIXTURE_ORDER),
            base,
        )

    pending = sorted(files, key=rank)
    ordered = []
    while pending:
        for f in pending:
            needs = (f.referenced_units - f.units, f.referenced_qualifications - f.qualifications)
            blocked = any(
                (needs[0] & other.units) or (needs[1] & other.qualifications)
                for other in pending
                if other is not f
            )
            if not blocked:
                break
        else:
            f = pending[0]  # a cycle: loaddata resolves forward references inside one transaction anyway
        pending.remove(f)
        ordered.append(f)
    return ordered
