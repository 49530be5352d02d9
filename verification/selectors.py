"""Reads for verification. The `*_visible_to(user)` querysets are the only place that decides who sees what.

Internal verifiers and centre admins see the sampling of the centres where they hold that role; external
verifiers see only the registrations of their active grants (`ev_registrations_visible_to`), and nothing
else in the system.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from accounts.competence.selectors import full_sampling_reasons
from accounts.models import Role, User
from accounts.selectors import centres_of
from assessment.hooks import ReferralMark
from assessment.models import EvidenceMapping, Method, Registration, UnitAssessment
from assessment.participants import unit_assessments_assessed_by, unit_assessors
from audit.signatures import Kind as SignatureKind
from audit.signatures import signatures_of
from qualifications.models import Unit
from qualifications.rules import STATUS_WORDS, evaluate
from qualifications.selectors import qualification_is_certifiable
from qualifications.specs import qualification_spec

from . import sampling
from .models import (
    AssessorFlag,
    CandidateSite,
    CertificationClaim,
    ExternalAccessGrant,
    ExternalAccessLog,
    SampleItem,
    SamplingPlan,
    Stage,
    VerificationDecision,
)

IV_OR_ADMIN = [Role.INTERNAL_VERIFIER, Role.CENTRE_ADMIN]


# --- visibility -------------------------------------------------------------------------------------
def plans_visible_to(user) -> QuerySet[SamplingPlan]:
    return SamplingPlan.objects.filter(centre__in=centres_of(user, roles=IV_OR_ADMIN)).select_related(
        "centre", "qualification", "created_by")


def sample_items_visible_to(user) -> QuerySet[SampleItem]:
    return SampleItem.objects.filter(plan__centre__in=centres_of(user, roles=IV_OR_ADMIN)).select_related(
        "plan__qualification", "plan__centre", "unit_assessment__unit", "unit_assessment__registration__candidate",
        "unit_assessment__registration__assessor", "unit_assessment__registration__internal_verifier",
        "unit_assessment__signed_by", "assessor",
    )


def decisions_visible_to(user) -> QuerySet[VerificationDecision]:
    return VerificationDecision.objects.filter(
        item__plan__centre__in=centres_of(user, roles=IV_OR_ADMIN)
    ).select_related("unit_assessment__unit", "unit_assessment__registration__candidate", "verifier", "assessor",
                     "item", "referral_closed_by")


def flags_visible_to(user) -> QuerySet[AssessorFlag]:
    return AssessorFlag.objects.filter(centre__in=centres_of(user, roles=IV_OR_ADMIN)).select_related(
        "assessor", "set_by", "centre")


def grants_visible_to(user) -> QuerySet[ExternalAccessGrant]:
    """Grants a centre admin manages."""
    return ExternalAccessGrant.objects.filter(
        centre__in=centres_of(user, roles=[Role.CENTRE_ADMIN])
    ).select_related("external_verifier", "granted_by", "revoked_by", "sample__plan__qualification")


def external_verifiers_known_to(centres) -> QuerySet:
    """The external verifiers these centres already work with: granted access before, or holding the
    external verifier role there. Not every external verifier in the system."""
    granted = ExternalAccessGrant.objects.filter(centre__in=centres).values("external_verifier_id")
    member = Q(memberships__centre__in=centres, memberships__role=Role.EXTERNAL_VERIFIER)
    return User.objects.filter(Q(pk__in=granted) | member).distinct().order_by("last_name", "first_name",
                                                                                "username")


def claims_visible_to(user) -> QuerySet[CertificationClaim]:
    return CertificationClaim.objects.filter(
        centre__in=centres_of(user, roles=[Role.CENTRE_ADMIN])
    ).select_related("registration__candidate", "registration__qualification", "claimed_by", "centre")


def sites_visible_to(user) -> QuerySet[CandidateSite]:
    return CandidateSite.objects.filter(registration__centre__in=centres_of(user, roles=IV_OR_ADMIN))


# --- external verifier --------------------------------------------------------------------------------
def active_grants_for(user) -> QuerySet[ExternalAccessGrant]:
    """The user's grants that are neither revoked nor expired, in centres where they are an external verifier."""
    if not user.is_authenticated:
        return ExternalAccessGrant.objects.none()
    return ExternalAccessGrant.objects.filter(
        external_verifier=user, revoked_at__isnull=True, expires_on__gte=timezone.localdate(),
        centre__in=centres_of(user, roles=[Role.EXTERNAL_VERIFIER]),
    )


def _whole_registration_ids(grants):
    """Registrations named by the candidates grants among `grants`, each at its own grant's centre only."""
    through = ExternalAccessGrant.registrations.through
    return through.objects.filter(
        externalaccessgrant__in=grants.filter(scope=ExternalAccessGrant.Scope.CANDIDATES),
        registration__centre_id=F("externalaccessgrant__centre_id"),
    ).values("registration_id")


def _sampled_items(grants):
    """The sampled units of the sample grants among `grants` (each sample only at its own grant's centre)."""
    covering = grants.filter(scope=ExternalAccessGrant.Scope.SAMPLE, sample_id=OuterRef("sample_id"),
                             centre_id=OuterRef("unit_assessment__registration__centre_id"))
    return SampleItem.objects.filter(Exists(covering))


def _granted_registrations_q(user) -> Q:
    grants = active_grants_for(user)
    return Q(pk__in=_whole_registration_ids(grants)) | Q(
        pk__in=_sampled_items(grants).values("unit_assessment__registration_id"))


def ev_registrations_visible_to(user) -> QuerySet[Registration]:
    """The registrations an external verifier may read now: those of their active grants."""
    if not user.is_authenticated:
        return Registration.objects.none()
    return Registration.objects.filter(_granted_registrations_q(user)).select_related(
        "candidate", "qualification", "centre", "assessor", "internal_verifier")


def grant_for_registration(user, registration) -> ExternalAccessGrant | None:
    """The active grant through which an external verifier reads this registration (for the access log)."""
    grants = active_grants_for(user).filter(centre_id=registration.centre_id)
    whole = grants.filter(pk__in=grants.filter(registrations=registration).values("pk")).first()
    if whole is not None:
        return whole
    sampled = _sampled_items(grants).filter(unit_assessment__registration=registration).values("sample_id")
    return grants.filter(scope=ExternalAccessGrant.Scope.SAMPLE, sample_id__in=sampled).first()


def ev_granted_registration_ids(user) -> set[int]:
    return set(ev_registrations_visible_to(user).values_list("pk", flat=True))


def ev_evidence_condition(user) -> Q | None:
    """The evidence app's reader (registered in VerificationConfig.ready()): what an external verifier's active
    grants let them read. A candidates grant: the candidate's evidence at the granting centre. A sample grant:
    only the evidence mapped into the sampled units (of that registration), nothing else of the portfolio."""
    if not user.is_authenticated or Role.EXTERNAL_VERIFIER not in user.role_set:
        return None
    grants = active_grants_for(user)
    whole = Registration.objects.filter(pk__in=_whole_registration_ids(grants), candidate_id=OuterRef("candidate_id"),
                                        centre_id=OuterRef("centre_id"))
    sampled = _sampled_items(grants).filter(unit_assessment__registration_id=OuterRef("registration_id"),
                                            unit_assessment__unit_id=OuterRef("unit_id"))
    mapped = EvidenceMapping.objects.filter(Exists(sampled), evidence_id=OuterRef("pk"),
                                            registration__centre_id=OuterRef("centre_id"))
    return Q(Exists(whole)) | Q(Exists(mapped))


@dataclass(frozen=True)
class EvScope:
    """What one external verifier may read of one registration: the grant it comes through (for the log) and
    the units (None: the whole registration; a set: only these sampled units and the evidence mapped into them)."""

    grant: ExternalAccessGrant
    unit_ids: frozenset[int] | None

    @property
    def whole(self) -> bool:
        return self.unit_ids is None

    def covers_unit(self, unit_id) -> bool:
        return self.unit_ids is None or int(unit_id) in self.unit_ids


def ev_scope_for(user, registration) -> EvScope | None:
    """The user's access to `registration` now (None: none). A candidates grant gives the whole registration;
    sample grants give the union of their sampled units of it."""
    grants = list(active_grants_for(user).filter(centre_id=registration.centre_id).order_by("granted_at", "id"))
    through = ExternalAccessGrant.registrations.through
    named = set(through.objects.filter(externalaccessgrant__in=[g.pk for g in grants if g.scope == g.Scope.CANDIDATES],
                                       registration_id=registration.pk).values_list("externalaccessgrant_id", flat=True))
    for grant in grants:
        if grant.pk in named:
            return EvScope(grant, None)
    first, units = None, set()
    for grant in grants:
        if grant.scope != grant.Scope.SAMPLE:
            continue
        sampled = set(SampleItem.objects.filter(sample_id=grant.sample_id, unit_assessment__registration=registration)
                      .values_list("unit_assessment__unit_id", flat=True))
        if sampled:
            first = first or grant
            units |= sampled
    return EvScope(first, frozenset(units)) if first else None


def ev_grant_for_evidence(user, item) -> tuple[ExternalAccessGrant, int] | None:
    """(grant, registration id) through which `user` reads evidence `item` now, for the access log; None when no
    active grant covers it (the person reads it in another role, or not at all)."""
    if not user.is_authenticated or Role.EXTERNAL_VERIFIER not in user.role_set:
        return None
    grants = list(active_grants_for(user).filter(centre_id=item.centre_id).order_by("granted_at", "id"))
    through = ExternalAccessGrant.registrations.through
    for grant in grants:
        if grant.scope == grant.Scope.CANDIDATES:
            row = through.objects.filter(externalaccessgrant=grant, registration__candidate_id=item.candidate_id,
                                         registration__centre_id=item.centre_id).values_list("registration_id",
                                                                                             flat=True).first()
        else:
            sampled = SampleItem.objects.filter(sample_id=grant.sample_id,
                                                unit_assessment__registration_id=OuterRef("registration_id"),
                                                unit_assessment__unit_id=OuterRef("unit_id"))
            row = EvidenceMapping.objects.filter(Exists(sampled), evidence_id=item.pk,
                                                 registration__centre_id=grant.centre_id).values_list(
                "registration_id", flat=True).first()
        if row is not None:
            return grant, row
    return None


@dataclass
class EvUnitReview:
    """One granted unit as the external verifier reviews it: every assessment decision with its evidence
    (shown inline where the EV may read the item), the internal verifier's decisions and open referrals."""

    unit_assessment: UnitAssessment
    mappings: list[EvidenceMapping]     # each carries `.shown`: the EV may read its evidence (shown inline)
    decisions: list[VerificationDecision]
    referred_mappings: set[int]

    @property
    def evidence_shown(self) -> list[int]:
        return sorted({m.evidence_id for m in self.mappings if m.shown})


def ev_unit_review(user, registration, unit_id) -> EvUnitReview | None:
    """The unit page of a granted registration (the caller checked the grant covers the unit). Evidence the EV
    cannot read through evidence_visible_to (a deleted item) is named, not shown. Constant queries."""
    from evidence.selectors import evidence_visible_to

    ua = UnitAssessment.objects.select_related("unit", "signed_by").filter(
        registration=registration, unit_id=unit_id).first()
    if ua is None:
        return None
    mappings = list(EvidenceMapping.objects.filter(registration=registration, unit_id=unit_id).select_related(
        "evidence", "criterion", "range_item", "requirement", "assessed_by"))
    readable = set(evidence_visible_to(user).filter(pk__in={m.evidence_id for m in mappings}).values_list(
        "pk", flat=True)) if mappings else set()
    for m in mappings:
        m.shown = m.evidence_id in readable
    decisions = list(VerificationDecision.objects.filter(unit_assessment=ua).select_related("verifier"))
    referred = {d.mapping_id for d in decisions if d.outcome == VerificationDecision.Outcome.REFERRED
                and d.mapping_id and d.referral_status != VerificationDecision.ReferralStatus.CLOSED}
    return EvUnitReview(ua, mappings, decisions, referred)


def ev_evidence_trail(user, item) -> list[tuple[str, str]] | None:
    """Breadcrumbs to an evidence item for an external verifier: their dashboard, then the registration their
    grant reads it through; None when no grant covers it."""
    from django.urls import reverse

    found = ev_grant_for_evidence(user, item)
    if found is None:
        return None
    registration = Registration.objects.select_related("candidate", "qualification").get(pk=found[1])
    return [("External verification", reverse("verification:ev_home")),
            (f"{registration.candidate} — {registration.qualification.code}",
             reverse("verification:ev_registration", args=[registration.pk]))]


def access_log_for(grant) -> QuerySet[ExternalAccessLog]:
    return ExternalAccessLog.objects.filter(grant=grant).select_related("user")


# --- who assessed a unit (the own-assessment rule) ------------------------------------------------------
def assessors_of(unit_assessment) -> set[int]:
    """Everyone who ever took part in the assessment decisions of this unit (assessment.participants: the
    registration's assessor, every signer and countersigner, the whole mapping decision history, records)."""
    return unit_assessors(unit_assessment)


# --- sampling pool --------------------------------------------------------------------------------------
@dataclass
class Pool:
    """The plan's decisions as plain data, plus what is needed to show them."""

    plan: SamplingPlan
    decisions: list[sampling.Decision]
    plain_plan: sampling.SamplingPlan
    unit_assessments: dict[int, UnitAssessment]
    sampled_ids: set[str]
    people: dict[str, str]       # assessor / candidate key -> display name
    flagged: dict[str, str]      # assessor key -> flag label
    own: list[sampling.Decision] = field(default_factory=list)  # the verifier's own assessments: never offered

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
    """Every sampleable decision of the plan: signed units (summative) and units in progress with assessment
    decisions (interim), of the plan's qualification at its centre, inside its period. Seven queries (two
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
            scope, registration__centre_id=plan.centre_id, registration__qualification_id=plan.qualification_id,
        ).exclude(registration__status=Registration.Status.WITHDRAWN)
        .select_related("unit", "registration__candidate", "registration__assessor", "signed_by")
        .order_by("registration_id", "unit__number")
    )
    own_ids = unit_assessments_assessed_by(verifier, uas) if verifier is not None else set()
    reg_ids = {ua.registration_id for ua in uas}
    # The database reduces the mappings to what the pool needs: the distinct methods per unit, and the units with
    # a decision inside the period (never every mapping row; .order_by() drops the model's ordering and its joins).
    registrations = Registration.objects.filter(
        centre_id=plan.centre_id, qualification_id=plan.qualification_id).exclude(
        status=Registration.Status.WITHDRAWN).values("pk")
    if registration_ids is not None:
        registrations = registrations.filter(pk__in=list(registration_ids))
    mappings = EvidenceMapping.objects.filter(registration__in=registrations).order_by()
    methods: dict[tuple[int, int], set[str]] = defaultdict(set)
    for reg_id, unit_id, method in mappings.values_list("registration_id", "unit_id", "method").distinct():
        methods[(reg_id, unit_id)].add(method)
    interim_in_period = set(mappings.filter(assessed_at__gte=_day_start(start), assessed_at__lt=_day_start(
        end + timedelta(days=1))).values_list("registration_id", "unit_id").distinct())
    sites = dict(CandidateSite.objects.filter(registration_id__in=reg_ids).values_list("registration_id", "site"))
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
        if plan.summative and ua.status == UnitAssessment.Status.SIGNED and ua.signed_at \
                and start <= timezone.localtime(ua.signed_at).date() <= end:
            stages.append((Stage.SUMMATIVE.value, ua.signed_by))
        if plan.interim and ua.status == UnitAssessment.Status.OPEN and key in interim_in_period:
            stages.append((Stage.INTERIM.value, reg.assessor))
        if (ua.pk, Stage.SUMMATIVE.value) in sampled and not any(s == Stage.SUMMATIVE for s, _ in stages):
            stages.append((Stage.SUMMATIVE.value, ua.signed_by or reg.assessor))  # sampled, then referred
        if (ua.pk, Stage.INTERIM.value) in sampled and not any(s == Stage.INTERIM for s, _ in stages):
            stages.append((Stage.INTERIM.value, reg.assessor))
        for stage, assessor in stages:
            people[assessor.username] = str(assessor)
            decisions.append(sampling.Decision(
                id=decision_key(ua.pk, stage), assessor=assessor.username, candidate=candidate,
                unit=ua.unit.ref, methods=frozenset(methods[key]), site=sites.get(reg.pk, ""), stage=stage,
            ))
        by_id[ua.pk] = ua
    plain = sampling.SamplingPlan(
        min_share=plan.min_share_percent / 100,
        full_sample_assessors=frozenset(flags),
        cover_units=plan.cover_units, cover_methods=plan.cover_methods, cover_sites=plan.cover_sites,
        stages=frozenset(plan.stages),
    )
    own = [d for d in decisions if parse_decision_key(d.id)[0] in own_ids]
    offered = [d for d in decisions if parse_decision_key(d.id)[0] not in own_ids]
    return Pool(plan, offered, plain, by_id, {decision_key(u, s) for u, s in sampled}, people, flags, own)


def _day_start(day: date) -> datetime:
    """Midnight starting `day` in the site's time zone: a period of local dates as a range of instants."""
    return timezone.make_aware(datetime.combine(day, time.min))

# --- the plan's coverage, counted by the database ----------------------------------------------------------
def _pool_sql(plan) -> tuple[str, list]:
    """A CTE `pool` of the plan's sampleable decisions, one row per (unit assessment, stage): the same decisions
    as plan_pool (signed units signed inside the period, open units with an assessment decision inside it, and
    whatever was sampled since), with `sampled` 1 or 0. Everything is reduced by the database: no mapping row
    reaches Python."""
    ua, reg = UnitAssessment._meta.db_table, Registration._meta.db_table
    item, mapping = SampleItem._meta.db_table, EvidenceMapping._meta.db_table
    start, end = _day_start(plan.period_start), _day_start(plan.period_end + timedelta(days=1))
    params: list = [plan.centre_id, plan.qualification_id, Registration.Status.WITHDRAWN, plan.pk]
    summative = f"ua.id IN (SELECT unit_assessment_id FROM sampled WHERE stage = '{Stage.SUMMATIVE.value}')"  # noqa: S608 - table names and constants only
    if plan.summative:
        summative = f"(ua.status = %s AND ua.signed_at >= %s AND ua.signed_at < %s) OR {summative}"
        params += [UnitAssessment.Status.SIGNED, start, end]
    interim = f"ua.id IN (SELECT unit_assessment_id FROM sampled WHERE stage = '{Stage.INTERIM.value}')"  # noqa: S608 - table names and constants only
    interim_params: list = []
    if plan.interim:
        interim = (f"(ua.status = %s AND EXISTS (SELECT 1 FROM {mapping} m WHERE m.registration_id = ua.registration_id"  # noqa: S608 - table names and constants only
                   f" AND m.unit_id = ua.unit_id AND m.assessed_at >= %s AND m.assessed_at < %s)) OR {interim}")
        interim_params = [UnitAssessment.Status.OPEN, start, end]
    sql = f"""
        WITH regs AS (SELECT id, assessor_id FROM {reg} WHERE centre_id = %s AND qualification_id = %s
                      AND status <> %s),
        sampled AS (SELECT unit_assessment_id, stage FROM {item} WHERE plan_id = %s),
        pool AS (
          SELECT ua.id AS ua_id, '{Stage.SUMMATIVE.value}' AS stage, COALESCE(ua.signed_by_id, r.assessor_id)
                 AS assessor_id, ua.registration_id AS reg_id, ua.unit_id AS unit_id,
                 CASE WHEN EXISTS (SELECT 1 FROM sampled s WHERE s.unit_assessment_id = ua.id
                                   AND s.stage = '{Stage.SUMMATIVE.value}') THEN 1 ELSE 0 END AS sampled
          FROM {ua} ua JOIN regs r ON r.id = ua.registration_id WHERE {summative}
          UNION ALL
          SELECT ua.id, '{Stage.INTERIM.value}', r.assessor_id, ua.registration_id, ua.unit_id,
                 CASE WHEN EXISTS (SELECT 1 FROM sampled s WHERE s.unit_assessment_id = ua.id
                                   AND s.stage = '{Stage.INTERIM.value}') THEN 1 ELSE 0 END
          FROM {ua} ua JOIN regs r ON r.id = ua.registration_id WHERE {interim}
        )"""  # noqa: S608 - table names and constants only
    return sql, params + interim_params


def _full_sample_flags(plan) -> dict[str, str]:
    """{assessor username: why every candidate of theirs is sampled} at the plan's centre."""
    flags = {f.assessor.username: f.get_flag_display()
             for f in AssessorFlag.objects.filter(centre_id=plan.centre_id).select_related("assessor")}
    for username, reason in full_sampling_reasons(plan.centre_id).items():  # trainees and newly qualified
        flags.setdefault(username, reason)
    return flags


@dataclass
class PlanCoverage:
    """The plan's requirements met and not met (the same Needs as sampling.coverage over plan_pool), counted by
    the database; `people` names the assessors."""

    needs: list[sampling.Need]
    people: dict[str, str]
    flags: dict[str, str]
    unsampled_assessors: list[str]
    unsampled_units: list[str]
    unsampled_methods: list[str]
    unsampled_sites: list[str]
    units: list[str] = field(default_factory=list)   # every unit of the pool (the grid's columns)
    candidates: int = 0                               # registrations with a decision in the pool
    unsampled_candidates: int = 0                     # ... with none of them sampled

    @property
    def met(self) -> int:
        return sum(1 for n in self.needs if n.met)


def plan_coverage(plan, flags: dict[str, str] | None = None) -> PlanCoverage:
    """What the plan needs and what is sampled, by assessor, unit, method, site and stage: one aggregate query
    (plus three reading who is sampled in full), whatever the size of the centre."""
    from django.db import connection

    if flags is None:
        flags = _full_sample_flags(plan)
    pool, params = _pool_sql(plan)
    user, unit = User._meta.db_table, Unit._meta.db_table
    mapping, site = EvidenceMapping._meta.db_table, CandidateSite._meta.db_table
    # grouped by the assessor's id, then named: the pool's rows are sorted by an integer, not by three strings
    parts = [f"""SELECT 'assessor', u.username, a.n, a.s, u.first_name, u.last_name
                 FROM (SELECT p.assessor_id, COUNT(DISTINCT p.reg_id) AS n,
                              COUNT(DISTINCT CASE WHEN p.sampled = 1 THEN p.reg_id END) AS s
                       FROM pool p GROUP BY p.assessor_id) a JOIN {user} u ON u.id = a.assessor_id"""]  # noqa: S608 - table names and constants only
    # the candidates (the grid's rows) and those with something sampled: the pages' counts, in the same query
    parts.append("""SELECT 'candidates', '', COUNT(DISTINCT p.reg_id),
                           COUNT(DISTINCT CASE WHEN p.sampled = 1 THEN p.reg_id END), '', '' FROM pool p""")
    # the units are the grid's columns: counted whether the plan needs them or not
    parts.append(f"""SELECT 'unit', un.ref, 1, MAX(p.sampled), '', '' FROM pool p
                     JOIN {unit} un ON un.id = p.unit_id GROUP BY un.ref""")  # noqa: S608 - table names and constants only
    if plan.cover_methods:
        # One probe per method (the field's choices) of the index on (registration, unit, method), stopping at the
        # first decision found, rather than every mapping of the pool grouped by method.
        has = (f"EXISTS (SELECT 1 FROM pool p WHERE {{}}EXISTS (SELECT 1 FROM {mapping} m WHERE "  # noqa: S608 - table names and constants only
               f"m.registration_id = p.reg_id AND m.unit_id = p.unit_id AND m.method = %s))")
        for code in Method.values:
            parts.append(f"""SELECT 'method', %s, 1, CASE WHEN {has.format("p.sampled = 1 AND ")} THEN 1 ELSE 0 END,
                             '', '' WHERE {has.format("")}""")  # noqa: S608 - table names and constants only
            params = params + [code, code, code]
    if plan.cover_sites:
        parts.append(f"""SELECT 'site', cs.site, 1, MAX(p.sampled), '', '' FROM pool p
                         JOIN {site} cs ON cs.registration_id = p.reg_id WHERE cs.site <> '' GROUP BY cs.site""")  # noqa: S608 - table names and constants only
    if plan.stages:
        parts.append(f"""SELECT 'stage', p.stage, 1, MAX(p.sampled), '', '' FROM pool p
                         WHERE p.stage IN ({", ".join("%s" for _ in plan.stages)}) GROUP BY p.stage""")  # noqa: S608 - table names and constants only
        params = params + [str(s) for s in plan.stages]
    with connection.cursor() as cursor:
        cursor.execute(pool + "\n" + "\nUNION ALL\n".join(parts), params)
        rows = cursor.fetchall()
    plain = sampling.SamplingPlan(min_share=plan.min_share_percent / 100, full_sample_assessors=frozenset(flags))
    order = {"candidates": -1, "assessor": 0, "unit": 1, "method": 2, "site": 3, "stage": 4}
    needs, people, unsampled_assessors, units = [], {}, [], []
    candidates = candidates_sampled = 0
    for kind, key, count, have, first, last in sorted(rows, key=lambda r: (order[r[0]], r[1])):
        if kind == "candidates":
            candidates, candidates_sampled = count, have
            continue
        if kind == "unit":
            units.append(key)
            if not plan.cover_units:
                continue
        if kind == "assessor":
            people[key] = f"{first} {last}".strip() or key
            q = sampling.quota(plain, key, count)
            needs.append(sampling.Need("assessor", key, q, min(q, have)))
            if not have:
                unsampled_assessors.append(key)
        else:
            needs.append(sampling.Need(kind, key, 1, int(bool(have))))
    unmet = {kind: [n.key for n in needs if n.kind == kind and not n.met] for kind in ("unit", "method", "site")}
    return PlanCoverage(needs, people, flags, unsampled_assessors, unmet["unit"], unmet["method"], unmet["site"], units,
                        candidates, candidates - candidates_sampled)


def _pool_registrations(plan, having: str = "") -> QuerySet[Registration]:
    pool, params = _pool_sql(plan)
    ids = RawSQL(f"{pool} SELECT reg_id FROM pool GROUP BY reg_id {having}", params)  # noqa: S608, S611 - constants only
    return Registration.objects.filter(pk__in=ids).select_related("candidate").order_by(
        "candidate__first_name", "candidate__last_name", "candidate__username", "pk")


class Counted:
    """A queryset whose count is already known (counted by an aggregate query): a paginator slices it without
    counting it again."""

    def __init__(self, queryset, count: int):
        self.queryset, self._count = queryset, count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        return self.queryset[index]


def plan_candidates(plan, count: int | None = None):
    """The registrations with a decision in the plan's pool, by candidate name: the rows of the grid, to page
    (`count`: PlanCoverage.candidates, so the page does not count them again)."""
    registrations = _pool_registrations(plan)
    return registrations if count is None else Counted(registrations, count)


def plan_unsampled_candidates(plan) -> QuerySet[Registration]:
    """The registrations of the pool with none of their decisions sampled, by candidate name."""
    return _pool_registrations(plan, "HAVING MAX(sampled) = 0")


def plan_page_grid(plan, registrations, units, verifier=None, flags=None) -> list[dict]:
    """The coverage grid's rows for these registrations (a page): one cell per unit, the decisions in it sampled,
    the verifier's own, or to sample. The pool is read for these registrations only."""
    registrations = list(registrations)
    pool = plan_pool(plan, verifier=verifier, registration_ids=[r.pk for r in registrations], flags=flags or {})
    overview = PlanOverview(pool, None, None, units, [f"r{r.pk}" for r in registrations])
    return plan_grid(overview, overview.candidates)


def latest_generation(plan, user):
    """The user's latest sample generation for the plan (the proposal the plan page shows), or None."""
    from .models import SampleGeneration

    return SampleGeneration.objects.filter(plan=plan, requested_by=user).order_by("-created_at", "-id").first()



def method_label(code: str) -> str:
    return Method(code).label if code in Method.values else code


def stage_label(code: str) -> str:
    return Stage(code).label if code in Stage.values else code


def describe_need(need: sampling.Need, people: dict[str, str]) -> str:
    """A plan requirement in words, people by their names and methods and stages by their labels."""
    if need.kind == "assessor":
        return f"Assessor {people.get(need.key, need.key)}: {need.have} of {need.needed} candidates sampled"
    name = {"unit": f"Unit {need.key}", "method": f"Method {method_label(need.key).lower()}",
            "site": f"Site {need.key}", "stage": f"{stage_label(need.key)} stage"}.get(need.kind, need.key)
    return f"{name}: sampled" if need.met else f"{name}: not yet sampled"


@dataclass
class PlanOverview:
    pool: Pool
    proposal: sampling.Proposal
    coverage: sampling.Coverage
    units: list[str]
    candidates: list[str]   # candidate keys in name order: the rows of the grid, paged by the plan page

    @property
    def grid(self) -> list[dict]:
        """Every candidate's row (the plan page draws one page of them with `plan_grid`)."""
        return plan_grid(self, self.candidates)


def plan_overview(plan: SamplingPlan, verifier=None) -> PlanOverview:
    """The plan's pool, proposal and coverage; for a `verifier`, without their own assessments."""
    pool = plan_pool(plan, verifier=verifier)
    proposal = sampling.propose_sample(pool.plain_plan, pool.decisions, already_sampled=pool.sampled_ids)
    cov = sampling.coverage(pool.plain_plan, pool.all_decisions, pool.sampled_ids)
    units = sorted({d.unit for d in pool.all_decisions})
    candidates = sorted(cov.by_candidate, key=lambda c: (pool.people.get(c, c), c))
    return PlanOverview(pool, proposal, cov, units, candidates)


def plan_grid(overview: PlanOverview, candidates) -> list[dict]:
    """The coverage grid's rows for `candidates` (keys): vertically each candidate, one cell per unit."""
    pool, wanted = overview.pool, set(candidates)
    cells: dict[tuple[str, str], list[sampling.Decision]] = defaultdict(list)
    for d in pool.all_decisions:
        if d.candidate in wanted:
            cells[(d.candidate, d.unit)].append(d)
    own = {d.id for d in pool.own}
    grid = []
    for candidate in candidates:
        row = {"candidate": pool.people.get(candidate, candidate), "cells": []}
        for unit in overview.units:
            row["cells"].append({
                "unit": unit,
                "decisions": [{"key": d.id, "stage": d.stage, "stage_label": stage_label(d.stage),
                               "sampled": d.id in pool.sampled_ids,
                               "own": d.id in own} for d in cells.get((candidate, unit), [])],
            })
        grid.append(row)
    return grid


# --- decisions, referrals -------------------------------------------------------------------------------
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
    for d in VerificationDecision.objects.filter(item__in=items).select_related(
            "verifier", "assessor", "referral_closed_by", "mapping__criterion", "mapping__range_item",
            "answered_by", "answer_evidence").order_by(
            "-decided_at", "-id"):
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
            return ("Referred back by IV: answered, waiting for the IV" if not self.open_referral.is_unanswered
                    else "Referred back by IV")
        if self.latest is not None and self.latest.outcome == VerificationDecision.Outcome.AGREED:
            return "Agreed"
        return "Not verified"


def item_mappings(item) -> QuerySet[EvidenceMapping]:
    """The assessment decisions of a sampled unit (what the internal verifier may agree or refer back one by one)."""
    ua = item.unit_assessment
    return EvidenceMapping.objects.filter(registration_id=ua.registration_id, unit_id=ua.unit_id).select_related(
        "evidence", "criterion", "range_item", "assessed_by").order_by(
        "criterion__outcome__number", "criterion__number", "range_item__order", "assessed_at", "id")


def mapping_states(item) -> list[MappingState]:
    """Every assessment decision of the sampled unit with the IV's decisions on it (two queries)."""
    mappings = list(item_mappings(item))
    by_mapping = defaultdict(list)
    for d in VerificationDecision.objects.filter(item=item, mapping__in=mappings).select_related(
            "verifier", "referral_closed_by").order_by("-decided_at", "-id"):
        by_mapping[d.mapping_id].append(d)
    return [MappingState(m, by_mapping[m.pk]) for m in mappings]


def open_referrals_for(user) -> QuerySet[VerificationDecision]:
    return decisions_visible_to(user).filter(outcome=VerificationDecision.Outcome.REFERRED,
                                             referral_closed_at__isnull=True)


def decisions_waiting_for(user, *, limit: int | None = None) -> list[ItemState]:
    """Sampled units of the registrations the user internally verifies that still need a decision (the first
    `limit` of them: the stored status is filtered by the database)."""
    items = sample_items_visible_to(user).filter(
        unit_assessment__registration__internal_verifier=user, status=SampleItem.Status.WAITING,
        unit_assessment__registration__centre__in=centres_of(user, roles=[Role.INTERNAL_VERIFIER]))
    if limit is not None:
        items = items.order_by("created_at", "id")[:limit]
    return [s for s in item_states(items) if s.status == "waiting"]


def referrals_for_assessor(user) -> QuerySet[VerificationDecision]:
    """Referrals not yet closed on the units an assessor assesses, soonest due first (open ones are theirs to
    answer; answered ones wait for the internal verifier)."""
    if not user.is_authenticated:
        return VerificationDecision.objects.none()
    return VerificationDecision.objects.filter(
        outcome=VerificationDecision.Outcome.REFERRED, referral_closed_at__isnull=True,
        unit_assessment__registration__assessor=user,
        unit_assessment__registration__centre__in=centres_of(user, roles=[Role.ASSESSOR]),
    ).select_related("unit_assessment__unit", "unit_assessment__registration__candidate", "verifier",
                     "mapping__criterion", "mapping__range_item").order_by("referral_status", "due_on", "id")


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
        ReferralMark(referral_id=pk, registration_id=reg_id, unit_id=unit_id, mapping_id=mapping_id,
                     criterion_id=criterion_id, status=status, due_on=due_on, action_points=action_points,
                     url=referral_answer_url_for(pk))
        for pk, reg_id, unit_id, mapping_id, criterion_id, status, due_on, action_points in
        VerificationDecision.objects.filter(
            unit_assessment__registration_id__in=list(registration_ids),
            outcome=VerificationDecision.Outcome.REFERRED,
        ).exclude(referral_status=VerificationDecision.ReferralStatus.CLOSED).order_by("due_on", "id").values_list(
            "pk", "unit_assessment__registration_id", "unit_assessment__unit_id", "mapping_id",
            "mapping__criterion_id", "referral_status", "due_on", "action_points")
    ]


def referral_answer_url_for(pk: int) -> str:
    from django.urls import reverse

    return reverse("verification:referral_answer", args=[pk])


def sign_off_blockers(unit_assessment_ids) -> dict[int, list[str]]:
    """The assessment app's hook: a unit is not signed off while a referral on it is unanswered (one query
    for any number of units)."""
    rows = VerificationDecision.objects.filter(
        unit_assessment_id__in=list(unit_assessment_ids), outcome=VerificationDecision.Outcome.REFERRED,
        referral_status=VerificationDecision.ReferralStatus.OPEN,
    ).select_related("mapping__criterion", "mapping__range_item")
    result: dict[int, list[str]] = {}
    for r in rows:
        result.setdefault(r.unit_assessment_id, []).append(
            f"The internal verifier referred back {mapping_label(r.mapping) if r.mapping_id else 'the unit'}: "
            f"answer the referral first.")
    return result


def reinstate_blockers(registration) -> list[str]:
    """The assessment app's hook: an exit claim closed the registration for good."""
    if CertificationClaim.objects.filter(registration=registration, kind=CertificationClaim.Kind.EXIT,
                                         status=CertificationClaim.Status.SUBMITTED).exists():
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
        "unit_assessment__unit_id", flat=True)
    result = {unit_id: IVSignature(sampled=True) for unit_id in items}
    for d in VerificationDecision.objects.filter(
            unit_assessment__registration=registration, outcome=VerificationDecision.Outcome.AGREED,
            mapping__isnull=True, item__stage=Stage.SUMMATIVE,
    ).select_related("verifier", "unit_assessment").order_by("decided_at", "id"):
        result[d.unit_assessment.unit_id] = d
    agreements = [d for d in result.values() if isinstance(d, VerificationDecision)]
    codes = signatures_of(agreements, kinds=[SignatureKind.IV_AGREEMENT])
    for d in agreements:
        signature = codes.get((SignatureKind.IV_AGREEMENT, d.pk))
        result[d.unit_assessment.unit_id] = IVSignature(True, str(d.verifier), d.decided_at, d.get_outcome_display(),
                                                        signature.display_code if signature else "")
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

    outcome: str                  # "Agreed" / "Referred back"
    verifier: str
    decided_at: object
    comments: str
    action_points: str
    mapping: str                  # '' for a decision on the whole unit
    closed_at: object = None
    closed_by: str = ""
    closure_note: str = ""


@dataclass(frozen=True)
class RecordEntry:
    """One sampled unit at one stage: a row of the internal verification sampling record."""

    unit_id: int
    stage: str                    # "Interim" / "Summative"
    sampled_on: object
    assessor: str                 # who made the sampled assessment decision
    assessed_on: object           # summative: date signed off; interim: the latest decision before sampling
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
    items = list(SampleItem.objects.filter(unit_assessment__registration=registration).select_related(
        "unit_assessment", "assessor").order_by("unit_assessment__unit_id", "created_at", "id"))
    decisions = defaultdict(list)
    for d in VerificationDecision.objects.filter(item__in=items).select_related(
            "verifier", "referral_closed_by", "mapping__criterion", "mapping__range_item").order_by("decided_at", "id"):
        decisions[d.item_id].append(RecordDecision(
            outcome=d.get_outcome_display(), verifier=str(d.verifier), decided_at=d.decided_at,
            comments=d.comments, action_points=d.action_points, mapping=mapping_label(d.mapping),
            closed_at=d.referral_closed_at, closed_by=str(d.referral_closed_by or ""), closure_note=d.closure_note,
        ))
    last_mapped = defaultdict(list)
    for unit_id, at in EvidenceMapping.objects.filter(registration=registration).values_list("unit_id",
                                                                                              "assessed_at"):
        last_mapped[unit_id].append(at)
    result = defaultdict(list)
    for item in items:
        ua = item.unit_assessment
        if item.stage == Stage.SUMMATIVE:
            assessed_on = ua.signed_at
        else:
            before = [at for at in last_mapped[ua.unit_id] if at <= item.created_at]
            assessed_on = max(before) if before else None
        result[ua.unit_id].append(RecordEntry(
            unit_id=ua.unit_id, stage=item.get_stage_display(), sampled_on=item.created_at,
            assessor=str(item.assessor), assessed_on=assessed_on, decisions=tuple(decisions[item.pk]),
        ))
    return dict(result)


# --- certification claims -------------------------------------------------------------------------------
@dataclass
class ClaimCheck:
    registration: Registration
    signed_refs: list[str]
    claimable_refs: list[str]     # signed units, not claimed before, whose sampled decisions (if any) are agreed
    credits: int                  # of the claimable units
    verdict: object               # qualifications.rules.Verdict on the signed units
    pending: list[str]            # units sampled and not (yet) agreed, or with a referral not closed
    certifiable: bool
    certifiable_reasons: list[str]
    claimed_refs: list[str] = field(default_factory=list)        # already in a unit claim
    unit_credits: dict[str, int] = field(default_factory=dict)
    plan_reasons: list[str] = field(default_factory=list)        # the active sampling plan, not met for them

    @property
    def full_ready(self) -> bool:
        return self.verdict.achieved and not self.pending and self.certifiable and not self.plan_reasons

    @property
    def units_ready(self) -> bool:
        return bool(self.claimable_refs)

    @property
    def explanation(self) -> list[str]:
        """Why the full qualification cannot be claimed, in words a centre admin understands."""
        reasons = [r.message for r in self.verdict.unmet] + list(self.verdict.reasons)
        reasons += [f"Unit {ref}: the internal verifier has not agreed the sampled decision." for ref in self.pending]
        reasons += list(self.plan_reasons)
        reasons += list(self.certifiable_reasons)
        return reasons


def _plan_reasons(registrations) -> dict[int, list[str]]:
    """{registration id: what the centre's active sampling plan(s) still need that concerns this candidate's
    units}: a unit, method or site of theirs not yet sampled, or their assessor's share not reached. One plan
    evaluation per active plan, whatever the number of registrations."""
    today = timezone.localdate()
    keys = {(r.centre_id, r.qualification_id) for r in registrations}
    plans = defaultdict(list)
    for plan in SamplingPlan.objects.filter(period_start__lte=today, period_end__gte=today).filter(
            Q(*[Q(centre_id=c, qualification_id=q) for c, q in keys], _connector=Q.OR) if keys else Q(pk=None)):
        plans[(plan.centre_id, plan.qualification_id)].append(plan)
    result = defaultdict(list)
    for key, key_plans in plans.items():
        for plan in key_plans:
            # What the plan still needs, counted by the database; then the decisions of these registrations only.
            cov = plan_coverage(plan)
            needs = [n for n in cov.needs if not n.met]
            if not needs:
                continue
            pool = plan_pool(plan, registration_ids=[r.pk for r in registrations
                                                     if (r.centre_id, r.qualification_id) == key], flags=cov.flags)
            pool.people.update(cov.people)
            mine = defaultdict(lambda: {"units": set(), "methods": set(), "sites": set(), "assessors": set()})
            for d in pool.decisions:
                m = mine[d.candidate]
                m["units"].add(d.unit)
                m["methods"] |= d.methods
                m["assessors"].add(d.assessor)
                if d.site:
                    m["sites"].add(d.site)
            for reg in registrations:
                if (reg.centre_id, reg.qualification_id) != key:
                    continue
                m = mine.get(f"r{reg.pk}")
                if m is None:
                    continue
                for n in needs:
                    if n.kind == "unit" and n.key in m["units"]:
                        result[reg.pk].append(f"The sampling plan needs unit {n.key} sampled and agreed.")
                    elif n.kind == "method" and n.key in m["methods"]:
                        result[reg.pk].append(f"The sampling plan needs a decision by "
                                              f"{Method(n.key).label.lower()} sampled.")
                    elif n.kind == "site" and n.key in m["sites"]:
                        result[reg.pk].append(f"The sampling plan needs a decision at site {n.key} sampled.")
                    elif n.kind == "assessor" and n.key in m["assessors"]:
                        result[reg.pk].append(
                            f"The sampling plan needs {n.needed} of {pool.people.get(n.key, n.key)}'s candidates "
                            f"sampled ({n.have} so far).")
    return result


def claim_checks(registrations) -> list[ClaimCheck]:
    """The claim gate for each registration: a constant number of queries per qualification and active plan
    involved, whatever the number of registrations, units or claims."""
    registrations = list(registrations)
    reg_ids = [r.pk for r in registrations]
    uas = defaultdict(list)
    for ua in UnitAssessment.objects.filter(registration_id__in=reg_ids, status=UnitAssessment.Status.SIGNED) \
            .select_related("unit").order_by("unit__number"):
        uas[ua.registration_id].append(ua)
    pending = defaultdict(set)
    for reg_id, ref, status in SampleItem.objects.filter(unit_assessment__registration_id__in=reg_ids).values_list(
            "unit_assessment__registration_id", "unit_assessment__unit__ref", "status"):
        if status != SampleItem.Status.AGREED:
            pending[reg_id].add(ref)
    for reg_id, ref in VerificationDecision.objects.filter(
            unit_assessment__registration_id__in=reg_ids, outcome=VerificationDecision.Outcome.REFERRED,
    ).exclude(referral_status=VerificationDecision.ReferralStatus.CLOSED).values_list(
            "unit_assessment__registration_id", "unit_assessment__unit__ref"):
        pending[reg_id].add(ref)
    claimed = defaultdict(set)
    for reg_id, refs in CertificationClaim.objects.filter(
            registration_id__in=reg_ids, status=CertificationClaim.Status.SUBMITTED).values_list(
            "registration_id", "units"):
        claimed[reg_id].update(refs)
    plan_reasons = _plan_reasons(registrations)
    specs, certifiable = {}, {}
    result = []
    for reg in registrations:
        q = reg.qualification
        if q.pk not in specs:
            specs[q.pk] = qualification_spec(q)
            certifiable[q.pk] = qualification_is_certifiable(q)
        signed = [ua.unit for ua in uas[reg.pk]]
        signed_refs = [u.ref for u in signed]
        verdict = evaluate(specs[q.pk], signed_refs)
        claimable = [u for u in signed if u.ref not in pending[reg.pk] and u.ref not in claimed[reg.pk]]
        ok, reasons = certifiable[q.pk]
        result.append(ClaimCheck(
            registration=reg, signed_refs=signed_refs, claimable_refs=[u.ref for u in claimable],
            credits=sum(u.credits or 0 for u in claimable), verdict=verdict, pending=sorted(pending[reg.pk]),
            certifiable=ok, certifiable_reasons=list(reasons), claimed_refs=sorted(claimed[reg.pk]),
            unit_credits={u.ref: u.credits or 0 for u in signed}, plan_reasons=plan_reasons.get(reg.pk, []),
        ))
    return result


@dataclass(frozen=True)
class ClaimSummary:
    """What a certification claim states, printed identically on the claim PDF and in the CSV export."""

    kind: str                     # "full" / "units" / "exit"
    kind_label: str
    units: tuple[str, ...]        # refs of the units claimed, in the claim's order
    credits: int
    engine_status: str            # the rules engine's verdict status: achieved / not_achieved / cannot_decide
    engine_words: str             # "ACHIEVED", "NOT ACHIEVED", "CANNOT DECIDE"
    engine_reasons: tuple[str, ...]
    claimed_on: object
    claimed_by: str
    unit_labels: tuple[str, ...] = ()   # "TV-101 (R/601/6071)": the unit with its accreditation number
    status_label: str = ""

    @property
    def units_text(self) -> str:
        return "; ".join(self.unit_labels or self.units)


def claim_summary(claim, accreditation: dict[str, str] | None = None) -> ClaimSummary:
    """One claim's statement, from the claim row (the verdict recorded at claim time, not a new one) and the
    units' accreditation numbers (`accreditation`: {ref: number}, read here when not given)."""
    if accreditation is None:
        accreditation = dict(Unit.objects.filter(ref__in=list(claim.units)).values_list("ref", "accreditation_number"))
    verdict = claim.verdict or {}
    status = verdict.get("status", "")
    reasons = [u.get("message", "") for u in verdict.get("unmet", [])] + list(verdict.get("reasons", []))
    return ClaimSummary(
        kind=claim.kind, kind_label=claim.get_kind_display(), units=tuple(claim.units), credits=claim.credits,
        engine_status=status, engine_words=STATUS_WORDS.get(status, status.upper()),
        engine_reasons=tuple(r for r in reasons if r), claimed_on=claim.claimed_at, claimed_by=str(claim.claimed_by),
        unit_labels=tuple(f"{ref} ({accreditation[ref]})" if accreditation.get(ref) else ref for ref in claim.units),
        status_label=claim.get_status_display(),
    )


def claim_summaries(claims) -> list[tuple[object, ClaimSummary]]:
    """[(claim, summary)] for many claims with one query for every unit's accreditation number."""
    claims = list(claims)
    refs = {ref for c in claims for ref in c.units}
    accreditation = dict(Unit.objects.filter(ref__in=refs).values_list("ref", "accreditation_number")) if refs else {}
    return [(c, claim_summary(c, accreditation)) for c in claims]


def claim_candidates_for(user) -> list[ClaimCheck]:
    """Registrations of the user's centres with at least one signed unit that a claim can still be made for
    (active ones; withdrawn ones for an exit claim), with their gate."""
    return claim_checks(claim_candidate_registrations(user))


def claim_candidate_registrations(user) -> QuerySet[Registration]:
    """The registrations `claim_candidates_for` checks, as a queryset to search and page before checking."""
    closed = CertificationClaim.objects.filter(kind__in=[CertificationClaim.Kind.FULL, CertificationClaim.Kind.EXIT],
                                               status=CertificationClaim.Status.SUBMITTED)
    registrations = Registration.objects.filter(
        centre__in=centres_of(user, roles=[Role.CENTRE_ADMIN]),
        status__in=[Registration.Status.ACTIVE, Registration.Status.WITHDRAWN],
        unit_assessments__status=UnitAssessment.Status.SIGNED,
    ).exclude(pk__in=closed.values("registration_id")).distinct().select_related("candidate", "qualification", "centre").order_by("candidate__last_name", "id")
    return registrations


# --- dashboards -----------------------------------------------------------------------------------------
def iv_dashboard(user) -> dict:
    plans = list(plans_visible_to(user).filter(period_end__gte=timezone.localdate()))
    coverage_rows = []
    for plan in plans[:5]:
        # The coverage only, counted by the database: the dashboard shows no proposal, so none is computed.
        cov = plan_coverage(plan)
        coverage_rows.append({"plan": plan, "met": cov.met, "total": len(cov.needs),
                              "open": [describe_need(n, cov.people) for n in cov.needs if not n.met][:5]})
    return {
        "coverage_rows": coverage_rows,
        "open_referrals": list(open_referrals_for(user)[:20]),
        "waiting": decisions_waiting_for(user, limit=20),
    }


def centre_admin_dashboard(user) -> dict:
    centres = centres_of(user, roles=[Role.CENTRE_ADMIN])
    registrations = Registration.objects.filter(centre__in=centres)
    signed_counts = Counter(UnitAssessment.objects.filter(
        registration__in=registrations, status=UnitAssessment.Status.SIGNED).values_list("registration_id", flat=True))
    unit_totals = Counter(UnitAssessment.objects.filter(registration__in=registrations)
                          .values_list("registration_id", flat=True))
    stages = Counter()
    for reg_id, status in registrations.values_list("pk", "status"):
        if status != Registration.Status.ACTIVE:
            stages[Registration.Status(status).label] += 1
        elif not signed_counts[reg_id]:
            stages["Not started / no unit signed"] += 1
        elif signed_counts[reg_id] < unit_totals[reg_id]:
            stages["Units signed, in progress"] += 1
        else:
            stages["Every unit signed"] += 1
    durations = [
        (timezone.localtime(at).date() - registered_on).days
        for registered_on, at in CertificationClaim.objects.filter(centre__in=centres).values_list(
            "registration__registered_on", "claimed_at")
    ]
    rates = defaultdict(lambda: [0, 0])
    names = {}
    for assessor_id, first, last, username, outcome in VerificationDecision.objects.filter(
            item__plan__centre__in=centres).values_list(
            "assessor_id", "assessor__first_name", "assessor__last_name", "assessor__username", "outcome"):
        names[assessor_id] = f"{first} {last}".strip() or username
        rates[assessor_id][0] += 1
        rates[assessor_id][1] += outcome == VerificationDecision.Outcome.REFERRED
    return {
        "stages": sorted(stages.items()),
        "certified_count": len(durations),
        "average_days": round(sum(durations) / len(durations)) if durations else None,
        "shortest_days": min(durations) if durations else None,
        "longest_days": max(durations) if durations else None,
        "referral_rates": sorted(
            ({"assessor": names[a], "decisions": n, "referred": r, "percent": round(100 * r / n)}
             for a, (n, r) in rates.items()), key=lambda row: (-row["percent"], row["assessor"])),
        "ready_to_claim": None,
    }


def ev_dashboard(user) -> dict:
    return {
        "grants": list(active_grants_for(user).select_related("centre").order_by("expires_on")),
        "registrations": list(ev_registrations_visible_to(user).order_by("candidate__last_name", "id")),
    }


def today() -> date:
    return timezone.localdate()
