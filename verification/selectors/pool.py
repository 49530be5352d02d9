"""The sampling pool: the plan's sampleable decisions (their keys), the people behind them and the full-sample flags."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from accounts.competence.selectors import full_sampling_reasons
from assessment.models import EvidenceMapping, Registration, UnitAssessment
from assessment.participants import unit_assessments_assessed_by

from .. import sampling
from ..models import AssessorFlag, CandidateSite, SampleItem, SamplingPlan, Stage


@dataclass
class Pool:
    """The plan's decisions as plain data, plus what is needed to show them."""

    plan: SamplingPlan
    decisions: list[sampling.Decision]
    plain_plan: sampling.SamplingPlan
    unit_assessments: dict[int, UnitAssessment]
    sampled_ids: set[str]
    people: dict[str, str]  # assessor / candidate key -> display name
    flagged: dict[str, str]  # assessor key -> flag label
    own: list[sampling.Decision] = field(
        default_factory=list
    )  # the verifier's own assessments: never offered

    @property
    def all_decisions(self) -> list[sampling.Decision]:
        """Offered and own together: what the plan's coverage is measured on."""
        return self.decisions + self.own


def decision_key(unit_assessment_id: int, stage: str) -> str:
    return f"{unit_assessment_id}:{stage}"


def parse_decision_key(key: str) -> tuple[int, str]:
    ua_id, stage = key.split(":", 1)
    return int(ua_id), stage


def plan_pool(plan: SamplingPlan, verifier=None, registration_ids=None, flags=None) -> Pool:
    """Every sampleable decision of the plan: signed units (summative; a transferred unit only once the assessor
    here confirmed it, as theirs) and units in progress with assessment decisions (interim), of the plan's
    qualification at its centre, inside its period. Seven queries (two
    read the competence
    records: trainees and newly qualified assessors are sampled in full).

    For a `verifier` (the internal verifier who samples), the units they took part in assessing are left out:
    the generator never offers anybody their own assessments (five queries more).

    `registration_ids`: only the decisions of these registrations (a page of the grid, the decisions being
    accepted); each registration's decisions are the same as in the whole pool. `flags`: who is sampled in full,
    when the caller has read it already.
    """
    start, end = plan.period_start, plan.period_end
    scope = Q() if registration_ids is None else Q(registration_id__in=list(registration_ids))
    uas = list(
        UnitAssessment.objects.filter(
            scope,
            registration__centre_id=plan.centre_id,
            registration__qualification_id=plan.qualification_id,
        )
        .exclude(registration__status=Registration.Status.WITHDRAWN)
        .select_related(
            "unit", "registration__candidate", "registration__assessor", "signed_by", "transfer_confirmed_by"
        )
        .order_by("registration_id", "unit__number")
    )
    own_ids = unit_assessments_assessed_by(verifier, uas) if verifier is not None else set()
    reg_ids = {ua.registration_id for ua in uas}
    # The database reduces the mappings to what the pool needs: the distinct methods per unit, and the units with
    # a decision inside the period (never every mapping row; .order_by() drops the model's ordering and its joins).
    registrations = (
        Registration.objects.filter(centre_id=plan.centre_id, qualification_id=plan.qualification_id)
        .exclude(status=Registration.Status.WITHDRAWN)
        .values("pk")
    )
    if registration_ids is not None:
        registrations = registrations.filter(pk__in=list(registration_ids))
    mappings = EvidenceMapping.objects.filter(registration__in=registrations).order_by()
    methods: dict[tuple[int, int], set[str]] = defaultdict(set)
    for reg_id, unit_id, method in mappings.values_list("registration_id", "unit_id", "method").distinct():
        methods[(reg_id, unit_id)].add(method)
    interim_in_period = set(
        mappings.filter(
            assessed_at__gte=_day_start(start), assessed_at__lt=_day_start(end + timedelta(days=1))
        )
        .values_list("registration_id", "unit_id")
        .distinct()
    )
    sites = dict(
        CandidateSite.objects.filter(registration_id__in=reg_ids).values_list("registration_id", "site")
    )
    flags = _full_sample_flags(plan) if flags is None else flags
    items = SampleItem.objects.filter(plan=plan)
    if registration_ids is not None:
        items = items.filter(unit_assessment__registration_id__in=list(registration_ids))
    sampled = set(items.values_list("unit_assessment_id", "stage"))
    decisions, people, by_id = [], {}, {}
    for ua in uas:
        reg = ua.registration
        key = (reg.pk, ua.unit_id)
        candidate = f"r{reg.pk}"
        people[candidate] = str(reg.candidate)
        stages = []
        # A transferred unit (signed at a sending centre) is left out until the assessor here confirms it; from
        # then on it is the confirming assessor's decision, made when they confirmed it.
        decided_at = ua.transfer_confirmed_at or ua.signed_at
        if (
            plan.summative
            and ua.status == UnitAssessment.Status.SIGNED
            and not ua.transfer_pending
            and decided_at
            and start <= timezone.localtime(decided_at).date() <= end
        ):
            stages.append((Stage.SUMMATIVE.value, ua.signed_by or ua.transfer_confirmed_by))
        if plan.interim and ua.status == UnitAssessment.Status.OPEN and key in interim_in_period:
            stages.append((Stage.INTERIM.value, reg.assessor))
        if (ua.pk, Stage.SUMMATIVE.value) in sampled and not any(s == Stage.SUMMATIVE for s, _ in stages):
            stages.append((Stage.SUMMATIVE.value, ua.signed_by or reg.assessor))  # sampled, then referred
        if (ua.pk, Stage.INTERIM.value) in sampled and not any(s == Stage.INTERIM for s, _ in stages):
            stages.append((Stage.INTERIM.value, reg.assessor))
        for stage, assessor in stages:
            people[assessor.username] = str(assessor)
            decisions.append(
                sampling.Decision(
                    id=decision_key(ua.pk, stage),
                    assessor=assessor.username,
                    candidate=candidate,
                    unit=ua.unit.ref,
                    methods=frozenset(methods[key]),
                    site=sites.get(reg.pk, ""),
                    stage=stage,
                )
            )
        by_id[ua.pk] = ua
    plain = sampling.SamplingPlan(
        min_share=plan.min_share_percent / 100,
        full_sample_assessors=frozenset(flags),
        cover_units=plan.cover_units,
        cover_methods=plan.cover_methods,
        cover_sites=plan.cover_sites,
        stages=frozenset(plan.stages),
    )
    own = [d for d in decisions if parse_decision_key(d.id)[0] in own_ids]
    offered = [d for d in decisions if parse_decision_key(d.id)[0] not in own_ids]
    return Pool(plan, offered, plain, by_id, {decision_key(u, s) for u, s in sampled}, people, flags, own)


def _day_start(day: date) -> datetime:
    """Midnight starting `day` in the site's time zone: a period of local dates as a range of instants."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _full_sample_flags(plan) -> dict[str, str]:
    """{assessor username: why every candidate of theirs is sampled} at the plan's centre."""
    flags = {
        f.assessor.username: f.get_flag_display()
        for f in AssessorFlag.objects.filter(centre_id=plan.centre_id).select_related("assessor")
    }
    for username, reason in full_sampling_reasons(plan.centre_id).items():  # trainees and newly qualified
        flags.setdefault(username, reason)
    return flags
