"""Emit Django fixtures (natural keys) for the qualification catalogue.

The builders in this folder parse the seed handbooks and call these methods; `write()` produces a
JSON file that `python manage.py loaddata` accepts and that loads idempotently (natural keys, no pks).
Objects are written in dependency order whatever order they were added in.
"""

import json
import re
from pathlib import Path

# What an evidence requirement asks of the assessor, from its printed words (kept exactly as printed):
# the sentence that states where evidence may come from (real job / RWE / simulation) is a "setting"
# (enforced by the unit's setting rules); a sentence that says what evidence "must" show, or what the
# candidate "needs to" or "should" do, is "evidence" (evidenced or confirmed before sign-off); the rest ("You may
# collect ...", "may be formal or informal") is "guidance". Sub-items take their parent's kind.
SETTING_WORDS = re.compile(r"realistic working environment|\bsimulation\b", re.IGNORECASE)
MUST_WORDS = re.compile(r"\b(must|needs? to|should)\b", re.IGNORECASE)


def requirement_kind(text: str) -> str:
    if SETTING_WORDS.search(text) and ("real job" in text or "based on a real" in text):
        return "setting"
    if MUST_WORDS.search(text):
        return "evidence"
    return "guidance"


ORDER = [
    "qualifications.qualification",
    "qualifications.unit",
    "qualifications.optionalgroup",
    "qualifications.qualificationunit",
    "qualifications.rule",
    "qualifications.learningoutcome",
    "qualifications.assessmentcriterion",
    "qualifications.rangeitem",
    "qualifications.evidencerequirement",
    "qualifications.evidenceguiderow",
]


def knowledge_simulation_from(note: str, simulation_allowed) -> bool | None:
    """May knowledge evidence come from simulation, by the unit's printed rule? "Simulation is not allowed for
    (any) performance evidence" bars performance evidence only; "... for any evidence" bars all of it."""
    if simulation_allowed:
        return True
    if re.search(r"Simulation is not allowed for (any )?performance evidence", note):
        return True
    if "Simulation is not allowed for any evidence" in note:
        return False
    return None


class FixtureBuilder:
    def __init__(self):
        self.objects: dict[str, list[dict]] = {model: [] for model in ORDER}

    def _add(self, model, fields):
        self.objects[model].append({"model": model, "fields": fields})

    def qualification(
        self,
        *,
        code,
        title,
        level,
        accreditation_number="",
        glh=None,
        tqt=None,
        registration_period_months=None,
        awarding_body="City & Guilds",
        source="",
        source_notes="",
        defects="",
        rules_stated=True,
        rwe_allowed=None,
        simulation_allowed=None,
        evidence_context_note="",
        evidence_context_source="",
        last_registration_date=None,
        last_certification_date=None,
        dates_source="",
    ):
        self._add(
            "qualifications.qualification",
            {
                "code": code,
                "title": title,
                "level": level,
                "accreditation_number": accreditation_number,
                "glh": glh,
                "tqt": tqt,
                "registration_period_months": registration_period_months,
                "awarding_body": awarding_body,
                "source": source,
                "source_notes": source_notes,
                "defects": defects,
                "rules_stated": rules_stated,
                "rwe_allowed": rwe_allowed,
                "simulation_allowed": simulation_allowed,
                "evidence_context_note": evidence_context_note,
                "evidence_context_source": evidence_context_source,
                "last_registration_date": last_registration_date,
                "last_certification_date": last_certification_date,
                "dates_source": dates_source,
            },
        )

    def unit(
        self,
        *,
        ref,
        scheme,
        number,
        title,
        level="",
        credits=None,
        glh=None,
        accreditation_number="",
        nos_code="",
        aim="",
        assessment="",
        notes="",
        defects="",
        has_criteria_text=True,
        rwe_allowed=None,
        simulation_allowed=None,
        evidence_context_note="",
        knowledge_simulation_allowed=None,
        staged_drills_allowed=False,
        evidence_context_source="",
    ):
        if knowledge_simulation_allowed is None and evidence_context_note:
            knowledge_simulation_allowed = knowledge_simulation_from(
                evidence_context_note, simulation_allowed
            )
        self._add(
            "qualifications.unit",
            {
                "ref": ref,
                "scheme": scheme,
                "number": number,
                "title": title,
                "level": level,
                "credits": credits,
                "glh": glh,
                "accreditation_number": accreditation_number,
                "nos_code": nos_code,
                "aim": aim,
                "assessment": assessment,
                "notes": notes,
                "defects": defects,
                "has_criteria_text": has_criteria_text,
                "rwe_allowed": rwe_allowed,
                "simulation_allowed": simulation_allowed,
                "evidence_context_note": evidence_context_note,
                "knowledge_simulation_allowed": knowledge_simulation_allowed,
                "staged_drills_allowed": staged_drills_allowed,
                "evidence_context_source": evidence_context_source,
            },
        )

    def group(self, *, qualification, name, order):
        self._add(
            "qualifications.optionalgroup", {"qualification": [qualification], "name": name, "order": order}
        )

    def membership(self, *, qualification, unit_ref, status, group=None, order=0):
        self._add(
            "qualifications.qualificationunit",
            {
                "qualification": [qualification],
                "unit": [unit_ref],
                "status": status,
                "group": [qualification, group] if group else None,
                "order": order,
            },
        )

    def rule(self, *, qualification, order, kind, params, text="", is_complete=True, incomplete_reason=""):
        self._add(
            "qualifications.rule",
            {
                "qualification": [qualification],
                "order": order,
                "kind": kind,
                "params": params,
                "text": text,
                "is_complete": is_complete,
                "incomplete_reason": incomplete_reason,
            },
        )

    def outcome(self, *, unit_ref, number, title, kind):
        self._add(
            "qualifications.learningoutcome",
            {"unit": [unit_ref], "number": number, "title": title, "kind": kind},
        )

    def criterion(self, *, unit_ref, outcome_number, number, ref, text, kind, guidance="", defect=""):
        self._add(
            "qualifications.assessmentcriterion",
            {
                "unit": [unit_ref],
                "outcome": [unit_ref, outcome_number],
                "number": number,
                "ref": ref,
                "text": text,
                "kind": kind,
                "guidance": guidance,
                "defect": defect,
            },
        )

    def range_item(
        self,
        *,
        unit_ref,
        ref,
        text,
        order,
        parent_ref=None,
        outcome_number=None,
        min_count=None,
        min_count_source="",
    ):
        self._add(
            "qualifications.rangeitem",
            {
                "unit": [unit_ref],
                "ref": ref,
                "text": text,
                "order": order,
                "parent": [unit_ref, parent_ref] if parent_ref else None,
                "outcome": [unit_ref, outcome_number] if outcome_number is not None else None,
                "min_count": min_count,
                "min_count_source": min_count_source,
            },
        )

    def evidence_requirement(
        self,
        *,
        unit_ref,
        ref,
        text,
        order,
        parent_ref=None,
        min_count=None,
        method="",
        criteria=(),
        kind=None,
    ):
        if kind is None:
            parent = next(
                (
                    o["fields"]
                    for o in self.objects["qualifications.evidencerequirement"]
                    if parent_ref and o["fields"]["unit"] == [unit_ref] and o["fields"]["ref"] == parent_ref
                ),
                None,
            )
            kind = parent["kind"] if parent else ("evidence" if parent_ref else requirement_kind(text))
        self._add(
            "qualifications.evidencerequirement",
            {
                "unit": [unit_ref],
                "ref": ref,
                "text": text,
                "order": order,
                "parent": [unit_ref, parent_ref] if parent_ref else None,
                "min_count": min_count,
                "method": method,
                "criteria": list(criteria),
                "kind": kind,
            },
        )

    def guide_row(self, *, unit_ref, order, criteria_refs, evidence, defect=""):
        self._add(
            "qualifications.evidenceguiderow",
            {
                "unit": [unit_ref],
                "order": order,
                "criteria_refs": criteria_refs,
                "evidence": evidence,
                "defect": defect,
            },
        )

    def write(self, path):
        out = []
        for model in ORDER:
            objs = self.objects[model]
            if model in ("qualifications.rangeitem", "qualifications.evidencerequirement"):
                # parents before children so natural-key parents resolve on load
                objs = sorted(objs, key=lambda o: o["fields"]["parent"] is not None)
            out.extend(objs)
        Path(path).write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        return len(out)
