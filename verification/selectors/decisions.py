"""Decisions and referrals: the sample items' states, referrals and their answers, the blockers they raise,
the internal verifier's signatures and the sampling record."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet

from accounts.models import Role
from accounts.selectors import centres_of
from assessment.hooks import ReferralMark
from assessment.models import EvidenceMapping
from audit.signatures import Kind as SignatureKind
from audit.signatures import signatures_of

from ..models import CertificationClaim, SampleItem, Stage, VerificationDecision
from .visibility import decisions_visible_to, sample_items_visible_to


@dataclass
class ItemState:
    item: SampleItem
    decisions: list[VerificationDecision] = field(default_factory=list)

    @property
    def latest(self) -> VerificationDecision | None:
        """The latest decision on the whole unit (decisions on single assessment decisions do not count)."""
        return next((d for d in self.decisions if d.mapping_id is None), None)

    @property
    def open_referral(self) -> VerificationDecision | None:
        return next((d for d in self.decisions if d.is_open_referral), None)

    @property
    def status(self) -> str:
        """The sampled unit's stored status (services.sample_item_transition): waiting / referred / agreed."""
        return self.item.status

    @property
    def status_label(self) -> str:
        return self.item.get_status_display()


def item_states(items, *, fresh: bool = False) -> list[ItemState]:
    """Items with their decisions, newest first (one query for all the decisions). `fresh`: the items were just
    read (a page of a list), so their stored status need not be read again."""
    items = list(items)
    if not fresh:
        # The stored status, read now: the objects given may predate the latest decision.
        statuses = dict(SampleItem.objects.filter(pk__in=[i.pk for i in items]).values_list("pk", "status"))
        for item in items:
            item.status = statuses.get(item.pk, item.status)
    by_item = defaultdict(list)
    for d in (
        VerificationDecision.objects.filter(item__in=items)
        .select_related(
            "verifier",
            "assessor",
            "referral_closed_by",
            "mapping__criterion",
            "mapping__range_item",
            "answered_by",
            "answer_evidence",
        )
        .order_by("-decided_at", "-id")
    ):
        by_item[d.item_id].append(d)
    return [ItemState(item, by_item[item.pk]) for item in items]


@dataclass
class MappingState:
    """One assessment decision of a sampled unit with the internal verifier's decisions on it, newest first."""

    mapping: EvidenceMapping
    decisions: list[VerificationDecision] = field(default_factory=list)

    @property
    def label(self) -> str:
        return mapping_label(self.mapping)

    @property
    def latest(self) -> VerificationDecision | None:
        return self.decisions[0] if self.decisions else None

    @property
    def open_referral(self) -> VerificationDecision | None:
        return next((d for d in self.decisions if d.is_open_referral), None)

    @property
    def status_label(self) -> str:
        if self.open_referral:
            return (
                "Referred back by IV: answered, waiting for the IV"
                if not self.open_referral.is_unanswered
                else "Referred back by IV"
            )
        if self.latest is not None and self.latest.outcome == VerificationDecision.Outcome.AGREED:
            return "Agreed"
        return "Not verified"


def item_mappings(item) -> QuerySet[EvidenceMapping]:
    """The assessment decisions of a sampled unit (what the internal verifier may agree or refer back one by one)."""
    ua = item.unit_assessment
    return (
        EvidenceMapping.objects.filter(registration_id=ua.registration_id, unit_id=ua.unit_id)
        .select_related("evidence", "criterion", "range_item", "assessed_by")
        .order_by("criterion__outcome__number", "criterion__number", "range_item__order", "assessed_at", "id")
    )


def mapping_states(item) -> list[MappingState]:
    """Every assessment decision of the sampled unit with the IV's decisions on it (two queries)."""
    mappings = list(item_mappings(item))
    by_mapping = defaultdict(list)
    for d in (
        VerificationDecision.objects.filter(item=item, mapping__in=mappings)
        .select_related("verifier", "referral_closed_by")
        .order_by("-decided_at", "-id")
    ):
        by_mapping[d.mapping_id].append(d)
    return [MappingState(m, by_mapping[m.pk]) for m in mappings]


def open_referrals_for(user) -> QuerySet[VerificationDecision]:
    return decisions_visible_to(user).filter(
        outcome=VerificationDecision.Outcome.REFERRED, referral_closed_at__isnull=True
    )


def decisions_waiting_for(user, *, limit: int | None = None) -> list[ItemState]:
    """Sampled units of the registrations the user internally verifies that still need a decision (the first
    `limit` of them: the stored status is filtered by the database)."""
    items = sample_items_visible_to(user).filter(
        unit_assessment__registration__internal_verifier=user,
        status=SampleItem.Status.WAITING,
        unit_assessment__registration__centre__in=centres_of(user, roles=[Role.INTERNAL_VERIFIER]),
    )
    if limit is not None:
        items = items.order_by("created_at", "id")[:limit]
    return [s for s in item_states(items) if s.status == "waiting"]


def referrals_for_assessor(user) -> QuerySet[VerificationDecision]:
    """Referrals not yet closed on the units an assessor assesses, soonest due first (open ones are theirs to
    answer; answered ones wait for the internal verifier)."""
    if not user.is_authenticated:
        return VerificationDecision.objects.none()
    return (
        VerificationDecision.objects.filter(
            outcome=VerificationDecision.Outcome.REFERRED,
            referral_closed_at__isnull=True,
            unit_assessment__registration__assessor=user,
            unit_assessment__registration__centre__in=centres_of(user, roles=[Role.ASSESSOR]),
        )
        .select_related(
            "unit_assessment__unit",
            "unit_assessment__registration__candidate",
            "verifier",
            "mapping__criterion",
            "mapping__range_item",
        )
        .order_by("referral_status", "due_on", "id")
    )


def referral_answer_url(referral) -> str:
    """Where the assessor answers a referral."""
    from django.urls import reverse

    return reverse("verification:referral_answer", args=[referral.pk])


def referral_what(referral) -> str:
    """'1.2 · E12 (observation), open' / 'the whole unit, answered'."""
    what = mapping_label(referral.mapping) if referral.mapping_id else "the whole unit"
    state = "answered" if referral.referral_status == VerificationDecision.ReferralStatus.ANSWERED else "open"
    return f"{what}, {state}"


def referral_marks(registration_ids) -> list:
    """The assessment app's hook: every referral not yet closed on these registrations (one query)."""
    return [
        ReferralMark(
            referral_id=pk,
            registration_id=reg_id,
            unit_id=unit_id,
            mapping_id=mapping_id,
            criterion_id=criterion_id,
            status=status,
            due_on=due_on,
            action_points=action_points,
            url=referral_answer_url_for(pk),
        )
        for pk, reg_id, unit_id, mapping_id, criterion_id, status, due_on, action_points in VerificationDecision.objects.filter(
            unit_assessment__registration_id__in=list(registration_ids),
            outcome=VerificationDecision.Outcome.REFERRED,
        )
        .exclude(referral_status=VerificationDecision.ReferralStatus.CLOSED)
        .order_by("due_on", "id")
        .values_list(
            "pk",
            "unit_assessment__registration_id",
            "unit_assessment__unit_id",
            "mapping_id",
            "mapping__criterion_id",
            "referral_status",
            "due_on",
            "action_points",
        )
    ]


def referral_answer_url_for(pk: int) -> str:
    from django.urls import reverse

    return reverse("verification:referral_answer", args=[pk])


def sign_off_blockers(unit_assessment_ids) -> dict[int, list[str]]:
    """The assessment app's hook: a unit is not signed off while a referral on it is unanswered (one query
    for any number of units)."""
    rows = VerificationDecision.objects.filter(
        unit_assessment_id__in=list(unit_assessment_ids),
        outcome=VerificationDecision.Outcome.REFERRED,
        referral_status=VerificationDecision.ReferralStatus.OPEN,
    ).select_related("mapping__criterion", "mapping__range_item")
    result: dict[int, list[str]] = {}
    for r in rows:
        result.setdefault(r.unit_assessment_id, []).append(
            f"The internal verifier referred back {mapping_label(r.mapping) if r.mapping_id else 'the unit'}: "
            f"answer the referral first."
        )
    return result


def reinstate_blockers(registration) -> list[str]:
    """The assessment app's hook: an exit claim closed the registration for good."""
    if CertificationClaim.objects.filter(
        registration=registration,
        kind=CertificationClaim.Kind.EXIT,
        status=CertificationClaim.Status.SUBMITTED,
    ).exists():
        return ["an exit claim closed it (the candidate left with unit certification)."]
    return []


@dataclass(frozen=True)
class IVSignature:
    """What the recording form and the summary of unit achievement print for one unit."""

    sampled: bool
    verifier: str = ""
    decided_at: object = None
    outcome: str = ""
    code: str = ""  # the agreement's verification code (audit.signatures)


def iv_signatures_for(registration) -> dict[int, IVSignature]:
    """{unit id: IVSignature} for every unit of the registration that was sampled (two queries).

    A unit is "sampled by IV: yes" once sampled at any stage; the signature is the latest agreement on the
    whole signed unit (summative stage). Agreeing a unit still in progress (interim) or a single assessment
    decision is not a signature on the unit's achievement: the sampling record prints those.
    """
    items = SampleItem.objects.filter(unit_assessment__registration=registration).values_list(
        "unit_assessment__unit_id", flat=True
    )
    result = {unit_id: IVSignature(sampled=True) for unit_id in items}
    for d in (
        VerificationDecision.objects.filter(
            unit_assessment__registration=registration,
            outcome=VerificationDecision.Outcome.AGREED,
            mapping__isnull=True,
            item__stage=Stage.SUMMATIVE,
        )
        .select_related("verifier", "unit_assessment")
        .order_by("decided_at", "id")
    ):
        result[d.unit_assessment.unit_id] = d
    agreements = [d for d in result.values() if isinstance(d, VerificationDecision)]
    codes = signatures_of(agreements, kinds=[SignatureKind.IV_AGREEMENT])
    for d in agreements:
        signature = codes.get((SignatureKind.IV_AGREEMENT, d.pk))
        result[d.unit_assessment.unit_id] = IVSignature(
            True,
            str(d.verifier),
            d.decided_at,
            d.get_outcome_display(),
            signature.display_code if signature else "",
        )
    return result


def mapping_label(mapping) -> str:
    """How a form names one assessment decision: '1.2 · E12 (observation)'."""
    if mapping is None:
        return ""
    target = mapping.target_label
    return f"{target} · E{mapping.evidence_id} ({mapping.get_method_display().lower()})"


@dataclass(frozen=True)
class RecordDecision:
    """One verification decision as the sampling record prints it."""

    outcome: str  # "Agreed" / "Referred back"
    verifier: str
    decided_at: object
    comments: str
    action_points: str
    mapping: str  # '' for a decision on the whole unit
    closed_at: object = None
    closed_by: str = ""
    closure_note: str = ""


@dataclass(frozen=True)
class RecordEntry:
    """One sampled unit at one stage: a row of the internal verification sampling record."""

    unit_id: int
    stage: str  # "Interim" / "Summative"
    sampled_on: object
    assessor: str  # who made the sampled assessment decision
    assessed_on: object  # summative: date signed off; interim: the latest decision before sampling
    decisions: tuple[RecordDecision, ...]

    @property
    def last(self) -> RecordDecision | None:
        return self.decisions[-1] if self.decisions else None

    @property
    def unit_decisions(self) -> tuple[RecordDecision, ...]:
        return tuple(d for d in self.decisions if not d.mapping)


def sampling_record_for(registration) -> dict[int, list[RecordEntry]]:
    """{unit id: [RecordEntry, ...]} for every sampled unit of the registration, stages in order, each with its
    decisions oldest first (three queries)."""
    items = list(
        SampleItem.objects.filter(unit_assessment__registration=registration)
        .select_related("unit_assessment", "assessor")
        .order_by("unit_assessment__unit_id", "created_at", "id")
    )
    decisions = defaultdict(list)
    for d in (
        VerificationDecision.objects.filter(item__in=items)
        .select_related("verifier", "referral_closed_by", "mapping__criterion", "mapping__range_item")
        .order_by("decided_at", "id")
    ):
        decisions[d.item_id].append(
            RecordDecision(
                outcome=d.get_outcome_display(),
                verifier=str(d.verifier),
                decided_at=d.decided_at,
                comments=d.comments,
                action_points=d.action_points,
                mapping=mapping_label(d.mapping),
                closed_at=d.referral_closed_at,
                closed_by=str(d.referral_closed_by or ""),
                closure_note=d.closure_note,
            )
        )
    last_mapped = defaultdict(list)
    for unit_id, at in EvidenceMapping.objects.filter(registration=registration).values_list(
        "unit_id", "assessed_at"
    ):
        last_mapped[unit_id].append(at)
    result = defaultdict(list)
    for item in items:
        ua = item.unit_assessment
        if item.stage == Stage.SUMMATIVE:
            assessed_on = ua.signed_at
        else:
            before = [at for at in last_mapped[ua.unit_id] if at <= item.created_at]
            assessed_on = max(before) if before else None
        result[ua.unit_id].append(
            RecordEntry(
                unit_id=ua.unit_id,
                stage=item.get_stage_display(),
                sampled_on=item.created_at,
                assessor=str(item.assessor),
                assessed_on=assessed_on,
                decisions=tuple(decisions[item.pk]),
            )
        )
    return dict(result)
