"""The assessment methods, the one vocabulary (plain Python): what an assessor records on a mapping
(`assessment.models.Method` is built from METHODS), what an evidence requirement of the catalogue may name
(validation accepts exactly the wordings that normalise to a method here) and what coverage counts.

The 2006 action plan's eleven "Evidences assessed by" boxes (`assessment.models.PlanMethod`) are that form's
own list in the seed's words, not this vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterable

# (name, label), in the order the forms offer them.
METHODS = (
    ("observation", "Observation"),
    ("questioning", "Questioning"),
    ("product_evidence", "Product evidence"),
    ("witness_testimony", "Witness testimony"),
    ("professional_discussion", "Professional discussion"),
    ("rpl", "Recognition of prior learning"),
    ("candidate_statement", "Candidate statement"),
    ("expert_witness", "Expert witness"),
)
METHOD_NAMES = frozenset(name for name, _ in METHODS)

# How handbook wording of a method maps onto the names above.
METHOD_SYNONYMS = {
    "observation": "observation",
    "observed": "observation",
    "o": "observation",
    "questioning": "questioning",
    "question": "questioning",
    "q&a": "questioning",
    "q": "questioning",
    "product": "product_evidence",
    "product evidence": "product_evidence",
    "product_evidence": "product_evidence",
    "pe": "product_evidence",
    "witness": "witness_testimony",
    "witness testimony": "witness_testimony",
    "witness_testimony": "witness_testimony",
    "wt": "witness_testimony",
    "professional discussion": "professional_discussion",
    "professional_discussion": "professional_discussion",
    "pd": "professional_discussion",
    "expert witness": "expert_witness",
    "expert_witness": "expert_witness",
    "rpl": "rpl",
    "recognition of prior learning": "rpl",
    "recognition_of_prior_learning": "rpl",
    "candidate statement": "candidate_statement",
    "candidate_statement": "candidate_statement",
    "statement": "candidate_statement",
}


def normalise_method(text: str) -> str:
    text = (text or "").strip().lower()
    return METHOD_SYNONYMS.get(text, text.replace(" ", "_"))


def methods_of(text: str) -> tuple[str, ...]:
    """The methods a requirement counts: "observation,witness_testimony" -> both, normalised."""
    return tuple(normalise_method(part) for part in (text or "").split(",") if part.strip())


def is_known_method(text: str) -> bool:
    """A wording the catalogue may use: empty (any method), or one that normalises to a method name."""
    return not (text or "").strip() or normalise_method(text) in METHOD_NAMES


def methods_in_words(methods: Iterable[str]) -> str:
    return " or ".join(m.replace("_", " ") for m in methods)
