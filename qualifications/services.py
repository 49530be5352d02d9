"""Writes to the catalogue: loading the fixtures, importing a catalogue file, recording admin corrections.

Every write is all or nothing: the data is validated before it is written and the whole catalogue is
validated again afterwards, inside the same transaction, so an error leaves nothing half-saved.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction

from audit.actions import Action
from audit.services import audit_record

from .models import (
    AssessmentCriterion,
    EvidenceGuideRow,
    EvidenceRequirement,
    LearningOutcome,
    OptionalGroup,
    Qualification,
    QualificationUnit,
    RangeItem,
    Rule,
    Unit,
)
from .selectors import catalogue_problems
from .validation import (
    BAD_SHAPE,
    ERROR,
    QUALIFICATION_FIELDS,
    UNIT_FIELDS,
    Problem,
    check_catalogue,
    check_fixture_objects,
    check_fixture_set,
    errors,
    fixture_load_order,
    normalise_catalogue,
    warnings,
)

NOTHING_WRITTEN = "Nothing was written: the catalogue is as it was before."
NO_FIXTURES = "No catalogue fixtures found in {folder}."


class CatalogueInvalid(Exception):
    """The data would leave the catalogue invalid; `problems` says what and where."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class LoadResult:
    loaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


# --- fixtures ---------------------------------------------------------------------------------------


def _read_fixture(path: Path, label: str):
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(ERROR, BAD_SHAPE, label, f"cannot be read: {exc}")]
    try:
        objects = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [
            Problem(
                ERROR,
                BAD_SHAPE,
                label,
                f"is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
            )
        ]
    return check_fixture_objects(label, objects)


@transaction.atomic
def catalogue_load(*, paths, reload: bool = False, actor="load_catalogue", base=None) -> LoadResult:
    """Load catalogue fixture files in dependency order, all or nothing, then validate the catalogue.

    A file whose qualifications are all in the database already is skipped unless reload=True, so that
    corrections made in the admin survive `bin/run`; reload=True puts the fixtures' data back.
    """
    paths = [Path(p) for p in paths]
    labels = {p: (str(p.relative_to(base)) if base and p.is_relative_to(base) else p.name) for p in paths}
    files, problems = [], []
    by_label = {}
    for path in paths:
        info, found = _read_fixture(path, labels[path])
        problems.extend(found)
        if info is not None:
            files.append(info)
            by_label[info.name] = path
    if not errors(problems):
        existing_codes = set(Qualification.objects.values_list("code", flat=True))
        problems.extend(
            check_fixture_set(
                files,
                existing_codes=existing_codes,
                existing_refs=set(Unit.objects.values_list("ref", flat=True)),
            )
        )
    if errors(problems):
        raise CatalogueInvalid(errors(problems))
    result = LoadResult()
    for info in fixture_load_order(files):
        if not reload and info.qualifications and info.qualifications <= existing_codes:
            result.skipped.append(info.name)
            continue
        try:
            call_command("loaddata", str(by_label[info.name]), verbosity=0)
        except Exception as exc:  # noqa: BLE001 - any loaddata failure is reported against its file
            raise CatalogueInvalid(
                [Problem(ERROR, BAD_SHAPE, info.name, f"could not be loaded: {exc}")]
            ) from exc
        result.loaded.append(info.name)
    after = catalogue_problems()
    if errors(after):
        raise CatalogueInvalid(errors(after))
    result.warnings = warnings(after)
    if result.loaded:
        audit_record(
            actor=actor, action=Action.CATALOGUE_LOADED, details={"files": result.loaded, "reload": reload}
        )
    return result


# --- import -------------------------------------------------------------------------------------------


def _parents_first(items):
    """Items ordered so that every parent comes before its children (validation ruled out cycles)."""
    done, ordered, pending = set(), [], list(items)
    while pending:
        ready = [i for i in pending if i["parent"] is None or i["parent"] in done]
        if not ready:
            raise CatalogueInvalid(
                [Problem(ERROR, BAD_SHAPE, f"item {pending[0]['ref']}", "its parents form a loop")]
            )
        for item in ready:
            done.add(item["ref"])
            ordered.append(item)
            pending.remove(item)
    return ordered


class _Writer:
    """Upserts by natural key; never deletes (evidence and assessments may point at catalogue rows)."""

    def __init__(self, data):
        refs = {u["ref"] for q in data["qualifications"] for u in q["units"]} | {
            u["ref"] for u in data["units"]
        }
        codes = {q["code"] for q in data["qualifications"]}
        self.counts = {"created": 0, "updated": 0}
        self.qualifications = {q.code: q for q in Qualification.objects.filter(code__in=codes)}
        self.units = {u.ref: u for u in Unit.objects.filter(ref__in=refs)}
        self.groups = {
            (g.qualification_id, g.name): g
            for g in OptionalGroup.objects.filter(qualification__code__in=codes)
        }
        self.memberships = {
            (m.qualification_id, m.unit_id): m
            for m in QualificationUnit.objects.filter(qualification__code__in=codes)
        }
        self.rules = {
            (r.qualification_id, r.order): r for r in Rule.objects.filter(qualification__code__in=codes)
        }
        unit_ids = [u.pk for u in self.units.values()]
        self.outcomes = {
            (o.unit_id, o.number): o for o in LearningOutcome.objects.filter(unit_id__in=unit_ids)
        }
        self.criteria = {
            (c.unit_id, c.ref): c for c in AssessmentCriterion.objects.filter(unit_id__in=unit_ids)
        }
        self.range = {(r.unit_id, r.ref): r for r in RangeItem.objects.filter(unit_id__in=unit_ids)}
        self.requirements = {
            (r.unit_id, r.ref): r for r in EvidenceRequirement.objects.filter(unit_id__in=unit_ids)
        }
        self.guide = {(g.unit_id, g.order): g for g in EvidenceGuideRow.objects.filter(unit_id__in=unit_ids)}

    def upsert(self, store, key, model, values, record):
        obj = store.get(key)
        if obj is None:
            obj = model(**values)
            changed = True
            self.counts["created"] += 1
        else:
            changed = False
            for name, value in values.items():
                f = model._meta.get_field(name)
                current = getattr(obj, f.attname)
                new = (value.pk if value is not None else None) if f.is_relation else value
                if current != new:
                    setattr(obj, name, value)
                    changed = True
            if changed:
                self.counts["updated"] += 1
        if changed:
            relations = [f.name for f in model._meta.fields if f.is_relation]
            try:
                obj.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)
            except ValidationError as exc:
                messages = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
                raise CatalogueInvalid([Problem(ERROR, BAD_SHAPE, record, messages)]) from exc
            obj.save()
            store[key] = obj
        return obj

    def unit(self, u):
        unit = self.upsert(self.units, u["ref"], Unit, {n: u[n] for n in UNIT_FIELDS}, f"unit {u['ref']}")
        outcomes = {}
        for o in u["outcomes"]:
            outcome = self.upsert(
                self.outcomes,
                (unit.pk, o["number"]),
                LearningOutcome,
                {"unit": unit, "number": o["number"], "title": o["title"], "kind": o["kind"]},
                f"unit {u['ref']} outcome {o['number']}",
            )
            outcomes[o["number"]] = outcome
            for cr in o["criteria"]:
                self.upsert(
                    self.criteria,
                    (unit.pk, cr["ref"]),
                    AssessmentCriterion,
                    {
                        "unit": unit,
                        "outcome": outcome,
                        "number": cr["number"],
                        "ref": cr["ref"],
                        "text": cr["text"],
                        "kind": cr["kind"],
                        "guidance": cr["guidance"],
                        "defect": cr["defect"],
                    },
                    f"unit {u['ref']} criterion {cr['ref']}",
                )
        # parents before children, whatever order the file lists them in
        for item in _parents_first(u["range"]):
            self.upsert(
                self.range,
                (unit.pk, item["ref"]),
                RangeItem,
                {
                    "unit": unit,
                    "ref": item["ref"],
                    "text": item["text"],
                    "order": item["order"],
                    "parent": self.range[(unit.pk, item["parent"])] if item["parent"] else None,
                    "outcome": outcomes.get(item["outcome"]) if item["outcome"] is not None else None,
                    "min_count": item["min_count"],
                    "min_count_source": item["min_count_source"],
                },
                f"unit {u['ref']} range item {item['ref']}",
            )
        for item in _parents_first(u["evidence_requirements"]):
            self.upsert(
                self.requirements,
                (unit.pk, item["ref"]),
                EvidenceRequirement,
                {
                    "unit": unit,
                    "ref": item["ref"],
                    "text": item["text"],
                    "order": item["order"],
                    "parent": self.requirements[(unit.pk, item["parent"])] if item["parent"] else None,
                    "min_count": item["min_count"],
                    "method": item["method"],
                    "criteria": item["criteria"],
                    "kind": item["kind"],
                },
                f"unit {u['ref']} evidence requirement {item['ref']}",
            )
        for row in u["evidence_guide"]:
            self.upsert(
                self.guide,
                (unit.pk, row["order"]),
                EvidenceGuideRow,
                {
                    "unit": unit,
                    "order": row["order"],
                    "criteria_refs": row["criteria_refs"],
                    "evidence": row["evidence"],
                    "defect": row["defect"],
                },
                f"unit {u['ref']} evidence guide row {row['order']}",
            )
        return unit

    def qualification(self, q, written_units):
        qualification = self.upsert(
            self.qualifications,
            q["code"],
            Qualification,
            {n: q[n] for n in QUALIFICATION_FIELDS},
            f"qualification {q['code']}",
        )
        groups = {}
        for g in q["groups"]:
            groups[g["name"]] = self.upsert(
                self.groups,
                (qualification.pk, g["name"]),
                OptionalGroup,
                {"qualification": qualification, "name": g["name"], "order": g["order"]},
                f"qualification {q['code']} group {g['name']}",
            )
        for r in q["rules"]:
            self.upsert(
                self.rules,
                (qualification.pk, r["order"]),
                Rule,
                {
                    "qualification": qualification,
                    "order": r["order"],
                    "kind": r["kind"],
                    "params": r["params"],
                    "text": r["text"],
                    "is_complete": r["is_complete"],
                    "incomplete_reason": r["incomplete_reason"],
                },
                f"qualification {q['code']} rule {r['order']}",
            )
        for u in q["units"]:
            unit = written_units.get(u["ref"]) or self.unit(u)
            written_units[u["ref"]] = unit
            self.upsert(
                self.memberships,
                (qualification.pk, unit.pk),
                QualificationUnit,
                {
                    "qualification": qualification,
                    "unit": unit,
                    "status": u["status"],
                    "group": groups[u["group"]] if u["group"] else None,
                    "order": u["order"],
                },
                f"qualification {q['code']} unit {u['ref']}",
            )


@transaction.atomic
def catalogue_import(*, data, actor="import_catalogue") -> dict:
    """Import an export-shaped catalogue: validated first, written, the whole catalogue validated again.

    Adds and updates by natural key (qualification code, unit ref, criterion ref...); never deletes.
    Raises CatalogueInvalid (and writes nothing) on any error. Returns counts and the warnings.
    """
    normalised, problems = normalise_catalogue(data)
    if normalised is None:
        raise CatalogueInvalid(problems)
    problems = check_catalogue(normalised)
    if errors(problems):
        raise CatalogueInvalid(errors(problems))
    writer = _Writer(normalised)
    written_units = {}
    for q in normalised["qualifications"]:
        writer.qualification(q, written_units)
    for u in normalised["units"]:
        if u["ref"] not in written_units:
            written_units[u["ref"]] = writer.unit(u)
    after = catalogue_problems()
    if errors(after):
        raise CatalogueInvalid(errors(after))
    codes = [q["code"] for q in normalised["qualifications"]]
    audit_record(
        actor=actor, action=Action.CATALOGUE_IMPORTED, details={"qualifications": codes, **writer.counts}
    )
    return {
        "qualifications": codes,
        "units": len(written_units),
        **writer.counts,
        "warnings": warnings(after),
    }


# --- corrections in the admin -----------------------------------------------------------------------


def catalogue_change_record(*, actor, obj, action: str, changes: dict, known_errors=()) -> None:
    """After an admin change (inside its transaction): validate the catalogue, then write the audit row.

    Raises CatalogueInvalid when the change introduces an error (errors already there before the change,
    `known_errors` as strings, do not block it); the caller's transaction then rolls back.
    """
    known = set(known_errors)
    new_errors = [p for p in errors(catalogue_problems()) if str(p) not in known]
    if new_errors:
        raise CatalogueInvalid(new_errors)
    audit_record(actor=actor, action=action, obj=obj, details={"changes": changes})
