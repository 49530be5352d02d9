"""What the internal verifier's agreement covers (audit.signatures): the assessment decisions sampled (the unit's,
or the one decision agreed), each with the evidence it relied on; rebuilt from the database for the check."""

from assessment.signing import decisions_content
from audit.signatures import Kind, register_content

from .models import VerificationDecision


def agreement_content(decision: VerificationDecision) -> dict:
    ua = decision.unit_assessment
    mapping_ids = [decision.mapping_id] if decision.mapping_id else None
    return decisions_content(ua, mapping_ids) | {
        "round": decision.unit_round,
        "stage": decision.item.stage,
        "outcome": decision.outcome,
    }


def _rebuild(signature):
    decision = (
        VerificationDecision.objects.select_related(
            "item",
            "unit_assessment__registration__candidate",
            "unit_assessment__registration__qualification",
            "unit_assessment__unit",
        )
        .filter(pk=int(signature.object_id))
        .first()
    )
    if decision is None:
        return None
    content = decisions_content(
        decision.unit_assessment, [d["mapping"] for d in signature.content.get("decisions", [])]
    )
    return content | {"round": decision.unit_round, "stage": decision.item.stage, "outcome": decision.outcome}


def register() -> None:
    register_content(Kind.IV_AGREEMENT, _rebuild)
