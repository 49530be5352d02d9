"""Internal verification (sampling plans, samples, decisions, referrals), external verifier access and
certification claims.

The rule "nobody verifies their own assessment" is held in three places: the services (with a message),
a check constraint on VerificationDecision (verifier != the assessor recorded on the row) and database
triggers (migration 0002) that compare the verifier with every person who assessed the sampled unit.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from audit.dates import DATE, DATETIME


class Stage(models.TextChoices):
    INTERIM = "interim", "Interim"
    SUMMATIVE = "summative", "Summative"


class AssessorFlag(models.Model):
    """An assessor whose every candidate must be sampled at this centre (new to the role, or at risk)."""

    class Flag(models.TextChoices):
        NEW = "new", "New assessor"
        AT_RISK = "at_risk", "At risk"

    centre = models.ForeignKey("accounts.Centre", on_delete=models.CASCADE, related_name="assessor_flags")
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    flag = models.CharField(max_length=10, choices=Flag.choices)
    note = models.TextField(blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["centre", "assessor"]
        constraints = [models.UniqueConstraint(fields=["centre", "assessor"], name="one_flag_per_assessor")]

    def __str__(self):
        return f"{self.assessor} — {self.get_flag_display()}"


class CandidateSite(models.Model):
    """The site (workplace or centre branch) where a registration's assessment takes place."""

    registration = models.OneToOneField(
        "assessment.Registration", on_delete=models.CASCADE, related_name="verification_site"
    )
    site = models.CharField(max_length=100)

    class Meta:
        ordering = ["site"]

    def __str__(self):
        return self.site


class SamplingPlan(models.Model):
    """What the internal verifier must sample for one qualification at one centre over a period."""

    centre = models.ForeignKey("accounts.Centre", on_delete=models.PROTECT, related_name="sampling_plans")
    qualification = models.ForeignKey(
        "qualifications.Qualification", on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    min_share_percent = models.PositiveSmallIntegerField(
        "minimum share of each assessor's candidates (%)",
        default=25,
        help_text="Assessors flagged new or at risk always have every candidate sampled.",
    )
    cover_units = models.BooleanField("cover every unit", default=True)
    cover_methods = models.BooleanField("cover every assessment method", default=True)
    cover_sites = models.BooleanField("cover every site", default=True)
    interim = models.BooleanField("sample at the interim stage", default=True)
    summative = models.BooleanField("sample at the summative stage", default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    pool_built_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the pool's summary rows were last built in full",
    )
    coverage_counts = models.JSONField(
        null=True,
        blank=True,
        editable=False,
        help_text="The coverage counted from the pool's summary rows, kept until they change (selectors/summary.py)",
    )

    class Meta:
        ordering = ["-period_start", "qualification__code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="plan_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(min_share_percent__gte=1, min_share_percent__lte=100), name="plan_share_1_to_100"
            ),
            models.CheckConstraint(condition=Q(interim=True) | Q(summative=True), name="plan_has_a_stage"),
        ]

    def __str__(self):
        return f"{self.qualification.code} sampling plan {self.period_start:{DATE}}–{self.period_end:{DATE}}"

    @property
    def stages(self) -> list[str]:
        return [s for s, on in ((Stage.INTERIM, self.interim), (Stage.SUMMATIVE, self.summative)) if on]

    @property
    def stage_labels(self) -> list[str]:
        """The stages as people read them ("Interim", "Summative")."""
        return [s.label for s in self.stages]


class Sample(models.Model):
    """A set of decisions the internal verifier accepted to sample (a proposal or a hand-picked unit)."""

    plan = models.ForeignKey(SamplingPlan, on_delete=models.PROTECT, related_name="samples")
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-accepted_at", "-id"]

    def __str__(self):
        return f"Sample {self.accepted_at:{DATE}} of {self.plan}"


class SampleGeneration(models.Model):
    """One run of the sample generator over a whole plan, in the background (verification.tasks): the proposal
    it found for the internal verifier who asked (never their own assessments), with its progress.

    One unfinished generation per plan and verifier (a constraint): asking twice returns the one under way."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    UNFINISHED = (Status.QUEUED, Status.RUNNING)

    plan = models.ForeignKey(SamplingPlan, on_delete=models.CASCADE, related_name="generations")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0, help_text="Decisions in the pool")
    done = models.PositiveIntegerField(default=0, help_text="Decisions picked so far")
    keys = models.JSONField(default=list, blank=True, help_text="The proposed decisions (plan_pool keys)")
    shown = models.JSONField(
        default=list, blank=True, help_text="The first proposed rows, as the page lists them"
    )
    unmeetable = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "requested_by"],
                condition=Q(status__in=["queued", "running"]),
                name="one_generation_under_way_per_plan_and_verifier",
            ),
        ]

    def __str__(self):
        return f"Sample generation {self.pk} of {self.plan_id} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class SampleItem(models.Model):
    """One sampled unit of one registration, at one stage.

    `status` moves only through services.sample_item_transition along TRANSITIONS: waiting for the internal
    verifier's decision, referred back while any referral on it is not closed, agreed.
    """

    class Status(models.TextChoices):
        WAITING = "waiting", "Decision waiting"
        REFERRED = "referred", "Referred back"
        AGREED = "agreed", "Agreed"

    TRANSITIONS = {
        Status.WAITING: {Status.REFERRED, Status.AGREED},
        Status.REFERRED: {Status.WAITING},  # the last referral on it closed
        Status.AGREED: {Status.REFERRED},  # a later referral of one of its decisions
    }

    sample = models.ForeignKey(Sample, on_delete=models.CASCADE, related_name="items")
    plan = models.ForeignKey(SamplingPlan, on_delete=models.PROTECT, related_name="items")
    unit_assessment = models.ForeignKey(
        "assessment.UnitAssessment", on_delete=models.PROTECT, related_name="sample_items"
    )
    stage = models.CharField(max_length=10, choices=Stage.choices)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who made the sampled decision",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan", "unit_assessment", "stage"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "unit_assessment", "stage"], name="unit_sampled_once_per_stage"
            ),
        ]
        indexes = [
            # the IV dashboard's decisions waiting, oldest first: the few waiting, not every item ever sampled
            models.Index(
                fields=["created_at", "id"], name="sample_item_waiting", condition=Q(status="waiting")
            ),
        ]

    def __str__(self):
        return f"{self.unit_assessment} ({self.get_stage_display()})"


class PoolEntry(models.Model):
    """A summary row: one sampleable decision (a unit assessment at a stage) of one plan's pool, with what its
    coverage is counted by. Derived data, never edited: the rows of a registration are rebuilt from the pool's
    definition (selectors.pool_sql) when a `PoolStale` row says they may be out of date, and the whole plan's when
    `SamplingPlan.pool_built_at` is empty (see selectors/summary.py)."""

    plan = models.ForeignKey(SamplingPlan, on_delete=models.CASCADE, related_name="+")
    unit_assessment = models.ForeignKey(
        "assessment.UnitAssessment", on_delete=models.CASCADE, related_name="+"
    )
    stage = models.CharField(max_length=10, choices=Stage.choices)
    registration = models.ForeignKey("assessment.Registration", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("qualifications.Unit", on_delete=models.CASCADE, related_name="+")
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sampled = models.PositiveSmallIntegerField(default=0)  # 1: in a sample of this plan at this stage
    methods = models.CharField(max_length=300, blank=True)  # ",observation,questioning,": the unit's methods

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "unit_assessment", "stage"], name="one_pool_entry_per_decision"
            ),
        ]
        indexes = [
            models.Index(fields=["plan", "registration"], name="pool_entry_plan_registration"),
            models.Index(fields=["plan", "assessor", "registration"], name="pool_entry_plan_assessor"),
        ]

    def __str__(self):
        return f"pool entry {self.unit_assessment_id}:{self.stage} of plan {self.plan_id}"


class PoolStale(models.Model):
    """A registration whose pool entries in a plan may be out of date: written by the signal receivers
    (verification/receivers.py) in the transaction that changed the registration's units, mappings, status,
    assessor, site or samples; consumed (deleted by id) when the plan's entries are next read."""

    plan = models.ForeignKey(SamplingPlan, on_delete=models.CASCADE, related_name="+")
    # a plain id, not a foreign key: a row may be written while the registration itself is being deleted
    registration_id = models.PositiveBigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["plan", "registration_id"], name="pool_stale_plan_registration")]

    def __str__(self):
        return f"registration {self.registration_id} stale in plan {self.plan_id}"


class VerificationDecision(models.Model):
    """The internal verifier's judgement on a sampled unit (or one assessment decision inside it).

    A referral stays open until the internal verifier closes it, once the assessor has acted on it.
    """

    class Outcome(models.TextChoices):
        AGREED = "agreed", "Agreed"
        REFERRED = "referred", "Referred back"

    class ReferralStatus(models.TextChoices):
        """A referral's life (services.REFERRAL_TRANSITIONS): open until the assessor answers it, then the
        internal verifier closes it with a note (or opens it again when the answer is not enough)."""

        NONE = "", "Not a referral"
        OPEN = "open", "Open: waiting for the assessor"
        ANSWERED = "answered", "Answered: waiting for the internal verifier"
        CLOSED = "closed", "Closed"

    TRANSITIONS = {
        ReferralStatus.OPEN: {ReferralStatus.ANSWERED},
        ReferralStatus.ANSWERED: {
            ReferralStatus.CLOSED,
            ReferralStatus.OPEN,
        },  # closed with a note, or not enough
        ReferralStatus.CLOSED: set(),
    }

    class AnswerKind(models.TextChoices):
        NEW_EVIDENCE = "new_evidence", "New evidence"
        CORRECTED_DECISION = "corrected_decision", "A corrected decision"
        EXPLANATION = "explanation", "An explanation"

    item = models.ForeignKey(SampleItem, on_delete=models.PROTECT, related_name="decisions")
    unit_assessment = models.ForeignKey(
        "assessment.UnitAssessment", on_delete=models.PROTECT, related_name="+"
    )
    # SET_NULL: the assessor may remove an assessment decision the IV referred back (that can be the fix); the
    # IV's decision stays, and the audit row of the decision names the assessment decision it judged.
    mapping = models.ForeignKey(
        "assessment.EvidenceMapping",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The assessment decision judged, if just one",
    )
    verifier = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who made the decision judged",
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    comments = models.TextField(blank=True)
    action_points = models.TextField(blank=True, help_text="What the assessor must do (a referral)")
    unit_round = models.PositiveIntegerField()
    decided_at = models.DateTimeField(default=timezone.now)
    referral_closed_at = models.DateTimeField(null=True, blank=True)
    referral_closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closure_note = models.TextField(blank=True)
    referral_status = models.CharField(max_length=10, choices=ReferralStatus.choices, blank=True, default="")
    due_on = models.DateField(null=True, blank=True, help_text="When the assessor should have answered")
    answer_kind = models.CharField(max_length=20, choices=AnswerKind.choices, blank=True)
    answer_text = models.TextField(blank=True)
    answer_evidence = models.ForeignKey(
        "evidence.EvidenceItem", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(verifier=F("assessor")),
                name="decision_verifier_is_not_assessor",
                violation_error_message="Nobody verifies their own assessment.",
            ),
            models.CheckConstraint(
                condition=Q(outcome="agreed") | ~Q(action_points=""),
                name="referral_has_action_points",
            ),
            models.CheckConstraint(
                condition=Q(outcome="referred") | Q(referral_closed_at__isnull=True),
                name="only_referrals_close",
            ),
            models.CheckConstraint(
                condition=Q(outcome="referred", referral_status__in=["open", "answered", "closed"])
                | Q(outcome="agreed", referral_status=""),
                name="referral_status_only_on_referrals",
            ),
        ]
        indexes = [
            models.Index(fields=["outcome", "referral_closed_at"]),
            models.Index(fields=["referral_status"], name="decision_referral_status"),
        ]

    def __str__(self):
        return f"{self.get_outcome_display()}: {self.unit_assessment}"

    @property
    def is_open_referral(self) -> bool:
        """Open or answered: not closed yet (the unit cannot be agreed while one is)."""
        return self.outcome == self.Outcome.REFERRED and self.referral_closed_at is None

    @property
    def is_unanswered(self) -> bool:
        return self.referral_status == self.ReferralStatus.OPEN


class ExternalAccessGrant(models.Model):
    """Read-only access for a named external verifier to chosen registrations or to a sample, until expiry."""

    class Scope(models.TextChoices):
        CANDIDATES = "candidates", "Chosen candidates"
        SAMPLE = "sample", "The current sample"

    centre = models.ForeignKey("accounts.Centre", on_delete=models.PROTECT, related_name="ev_grants")
    external_verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ev_grants"
    )
    scope = models.CharField(max_length=12, choices=Scope.choices)
    registrations = models.ManyToManyField("assessment.Registration", blank=True, related_name="+")
    sample = models.ForeignKey(Sample, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    expires_on = models.DateField(help_text="Last day of access")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-granted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope="candidates") | Q(sample__isnull=False), name="sample_grant_names_a_sample"
            ),
        ]

    def __str__(self):
        return f"{self.external_verifier} until {self.expires_on:{DATE}}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_on >= timezone.localdate()


class ExternalAccessLog(models.Model):
    """One page an external verifier opened."""

    grant = models.ForeignKey(
        ExternalAccessGrant, null=True, blank=True, on_delete=models.PROTECT, related_name="log"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=500)
    view_name = models.CharField(max_length=100)
    registration_id_seen = models.BigIntegerField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.user} opened {self.path} at {self.at:{DATETIME}}"


class CertificationClaim(models.Model):
    """A claim to the awarding body. Unit certification may be claimed any number of times (each unit once);
    a full claim closes the registration as certified, an exit claim (unit certification of what was achieved
    by a candidate who leaves) closes it as withdrawn. At most one full or exit claim per registration."""

    class Kind(models.TextChoices):
        FULL = "full", "Full qualification"
        UNITS = "units", "Unit certification"
        EXIT = "exit", "Exit claim (unit certification on withdrawal)"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted to the awarding body"
        CANCELLED = "cancelled", "Cancelled"

    # A claim made in error is cancelled (its units can be claimed again); a full or exit claim that closed the
    # registration cannot be cancelled here: that goes through the awarding body.
    TRANSITIONS = {
        Status.SUBMITTED: {Status.CANCELLED},
        Status.CANCELLED: set(),
    }

    registration = models.ForeignKey(
        "assessment.Registration", on_delete=models.PROTECT, related_name="certification_claims"
    )
    centre = models.ForeignKey("accounts.Centre", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    units = models.JSONField(default=list, help_text="Refs of the units claimed")
    credits = models.PositiveIntegerField(default=0)
    verdict = models.JSONField(default=dict, help_text="The rules engine's verdict on the units claimed")
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    claimed_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    cancel_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-claimed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration"],
                condition=Q(kind__in=["full", "exit"]),
                name="one_closing_claim_per_registration",
                violation_error_message="This registration is already closed by a claim.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} claim for {self.registration}"

    @property
    def closes_registration(self) -> bool:
        return self.kind in (self.Kind.FULL, self.Kind.EXIT)
