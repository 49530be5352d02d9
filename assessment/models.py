"""Registrations and everything an assessor records about a candidate's work."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from audit.dates import DATE
from evidence.models import ConfirmationLink
from qualifications.methods import METHODS

# Said wherever a closed registration refuses a change (the services, the permissions, the pages).
REGISTRATION_LOCKED = (
    "This registration is {status}: its assessment record is closed, so nothing in it can be "
    "changed any more."
)


# The assessment methods the handbooks name: Method.OBSERVATION, ... Method.EXPERT_WITNESS, built from the one
# vocabulary (qualifications.methods.METHODS), which the catalogue validation and coverage read too.
Method = models.TextChoices("Method", [(name.upper(), (name, label)) for name, label in METHODS])


class Registration(models.Model):
    """A candidate registered on a qualification at a centre, with an assessor and an internal verifier."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        CERTIFIED = "certified", "Certified"
        WITHDRAWN = "withdrawn", "Withdrawn"

    # Moved only by services.registration_transition. A withdrawn candidate may be reinstated within the
    # registration period (unless an exit claim closed the registration); a certified one is final.
    TRANSITIONS = {
        Status.ACTIVE: {Status.WITHDRAWN, Status.CERTIFIED},
        Status.WITHDRAWN: {Status.ACTIVE},
        Status.CERTIFIED: set(),
    }

    centre = models.ForeignKey("accounts.Centre", on_delete=models.PROTECT, related_name="registrations")
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="registrations"
    )
    qualification = models.ForeignKey(
        "qualifications.Qualification", on_delete=models.PROTECT, related_name="registrations"
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessor_registrations"
    )
    internal_verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="iv_registrations"
    )
    candidate_number = models.CharField(max_length=30, blank=True, help_text="Awarding body enrolment number")
    registered_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    optional_units = models.ManyToManyField(
        "qualifications.Unit",
        blank=True,
        related_name="chosen_in_registrations",
        help_text="The optional units chosen at registration",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    status_reason = models.TextField(
        blank=True, help_text="Why the status last changed (a withdrawal's reason)"
    )
    # The qualification's entry conditions as the centre admin confirmed them at registration (a copy of each:
    # key, text, source), by whom and when.
    entry_conditions_confirmed = models.JSONField(null=True, blank=True)  # null: none to confirm
    entry_conditions_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entry_conditions_confirmed_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-registered_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(assessor=F("internal_verifier")),
                name="registration_iv_is_not_assessor",
                violation_error_message="The internal verifier cannot be the candidate's assessor.",
            ),
            models.CheckConstraint(
                condition=~Q(candidate=F("assessor")) & ~Q(candidate=F("internal_verifier")),
                name="registration_candidate_is_not_staff",
                violation_error_message="A candidate cannot assess or verify their own registration.",
            ),
        ]

    def __str__(self):
        return f"{self.candidate} — {self.qualification.code}"

    @property
    def is_open(self) -> bool:
        """Certified (claimed) and withdrawn registrations are closed: nothing in them changes any more."""
        return self.status == self.Status.ACTIVE

    @property
    def lock_message(self) -> str:
        """Why the registration cannot change ("" while it is open)."""
        if self.is_open:
            return ""
        return REGISTRATION_LOCKED.format(status=self.get_status_display().lower())


class UnitAssessment(models.Model):
    """One unit of one registration: its authenticity statement, sign-off and lock.

    `version` rises with every change to the unit (mappings, statement, sign-off, reopening); forms carry
    it so a decision taken on a stale page is refused instead of silently overwriting another one.
    `round` counts reopenings: a sign-off is unique per (unit assessment, round).
    """

    class Status(models.TextChoices):
        OPEN = "open", "In progress"
        AWAITING_COUNTERSIGNATURE = "awaiting_countersignature", "Awaiting countersignature"
        SIGNED = "signed", "Signed off"

    # Moved only by services.unit_assessment_transition (sign-off, countersignature, reopening).
    TRANSITIONS = {
        Status.OPEN: {Status.AWAITING_COUNTERSIGNATURE, Status.SIGNED},
        Status.AWAITING_COUNTERSIGNATURE: {Status.SIGNED, Status.OPEN},
        Status.SIGNED: {Status.OPEN},
    }

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="unit_assessments")
    unit = models.ForeignKey("qualifications.Unit", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.OPEN)
    version = models.PositiveIntegerField(default=1)
    round = models.PositiveIntegerField(default=1)
    authenticity_signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    countersigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    countersigned_at = models.DateTimeField(null=True, blank=True)
    # A unit that arrived signed in a portfolio passport (portability's import): signed at the sending centre,
    # whose name and number and signer are kept here (signed_by stays empty: nobody here signed it), until the
    # receiving assessor confirms it (transfer_confirmed_*) or rejects it (the unit is withdrawn to OPEN).
    transferred_from = models.CharField(
        max_length=240, blank=True, help_text="The sending centre (name and number) that signed the unit"
    )
    transferred_signer = models.CharField(
        max_length=240, blank=True, help_text="Who signed the unit at the sending centre, by name"
    )
    transfer_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    transfer_confirmed_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["registration", "unit__number"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "unit"], name="unique_unit_assessment"),
            models.CheckConstraint(
                condition=Q(status="open")
                | Q(signed_by__isnull=False, signed_at__isnull=False)
                | (Q(status="signed", signed_at__isnull=False) & ~Q(transferred_from="")),
                name="unit_assessment_signed_has_signer_or_is_transferred",
                violation_error_message=(
                    "A signed unit names its signer here, or the sending centre it was signed at."
                ),
            ),
        ]
        indexes = [
            # the countersignature queues (every assessor's dashboard and caseload) read the few units waiting,
            # not every unit of the centre (a sequential scan of 25,000 rows at 5,000 candidates)
            models.Index(
                fields=["status"],
                name="ua_awaiting_countersignature",
                condition=Q(status="awaiting_countersignature"),
            ),
        ]

    def __str__(self):
        return f"{self.registration} / {self.unit.ref}"

    @property
    def is_locked(self) -> bool:
        return self.status != self.Status.OPEN

    @property
    def is_transferred(self) -> bool:
        """Signed at a sending centre and brought in signed by a portfolio passport (signed_by is empty)."""
        return self.status == self.Status.SIGNED and bool(self.transferred_from)

    @property
    def transfer_pending(self) -> bool:
        """Transferred and not yet confirmed by the receiving assessor: no claim covers it, no IV samples it, and
        nothing changes it but the confirmation or rejection on the prior-learning page."""
        return self.is_transferred and self.transfer_confirmed_at is None

    @property
    def transfer_signature_text(self) -> str:
        """ "Signed at <centre> on <date> by <signer>" for a transferred unit ("" for any other)."""
        if not self.is_transferred:
            return ""
        return (
            f"Signed at {self.transferred_from} on {timezone.localtime(self.signed_at):{DATE}} "
            f"by {self.transferred_signer or 'the sending centre'}"
        )

    @property
    def transfer_state_text(self) -> str:
        """What the receiving centre made of a transferred unit, in words ("" for any other unit)."""
        if not self.is_transferred:
            return ""
        if self.transfer_confirmed_at is None:
            return "waiting for the assessor here to confirm or reject it"
        who = self.transfer_confirmed_by
        name = (who.get_full_name() or who.username) if who else "the assessor"
        return f"confirmed here by {name} on {timezone.localtime(self.transfer_confirmed_at):{DATE}}"


class UnitSignOff(models.Model):
    """One signature on a unit, kept for ever; the unique constraint forbids a double sign-off."""

    unit_assessment = models.ForeignKey(UnitAssessment, on_delete=models.CASCADE, related_name="sign_offs")
    round = models.PositiveIntegerField()
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()
    countersigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    countersigned_at = models.DateTimeField(null=True, blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reopen_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["unit_assessment", "round"]
        constraints = [
            models.UniqueConstraint(fields=["unit_assessment", "round"], name="one_sign_off_per_round"),
        ]

    def __str__(self):
        return f"sign-off of {self.unit_assessment} (round {self.round})"


class Setting(models.TextChoices):
    """Where a piece of evidence was gathered (the handbooks' real job / RWE / simulation, and 405's drills)."""

    REAL_WORK = "real_work", "Real work"
    RWE = "rwe", "Realistic working environment"
    SIMULATION = "simulation", "Simulation"
    STAGED_DRILL = "staged_drill", "Staged emergency drill"


class EvidenceMapping(models.Model):
    """This evidence covers this criterion (or range item, or evidence requirement) of a unit of the
    registration, by this method, gathered in this setting (the assessor confirms it when mapping)."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        NOT_YET = "not_yet", "Not yet"

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="mappings")
    evidence = models.ForeignKey("evidence.EvidenceItem", on_delete=models.PROTECT, related_name="mappings")
    criterion = models.ForeignKey(
        "qualifications.AssessmentCriterion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    range_item = models.ForeignKey(
        "qualifications.RangeItem", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requirement = models.ForeignKey(
        "qualifications.EvidenceRequirement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey("qualifications.Unit", on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=30, choices=Method.choices)
    setting = models.CharField(
        max_length=20,
        choices=Setting.choices,
        blank=True,
        help_text="As the assessor confirmed it at mapping; empty: the evidence's own",
    )
    location = models.CharField(
        "location reference",
        max_length=100,
        blank=True,
        help_text="Where in the evidence, e.g. page 3, 02:15–04:40",
    )
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reason = models.TextField(blank=True, help_text="Why not yet: what the candidate must do")
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["registration", "unit", "criterion", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(criterion__isnull=False, range_item__isnull=True, requirement__isnull=True)
                | Q(criterion__isnull=True, range_item__isnull=False, requirement__isnull=True)
                | Q(criterion__isnull=True, range_item__isnull=True, requirement__isnull=False),
                name="mapping_targets_one_criterion_range_item_or_requirement",
            ),
            models.CheckConstraint(
                condition=Q(decision="accepted") | ~Q(reason=""),
                name="mapping_not_yet_has_reason",
            ),
            models.UniqueConstraint(
                fields=["registration", "evidence", "criterion"],
                condition=Q(criterion__isnull=False),
                name="unique_mapping_criterion",
            ),
            models.UniqueConstraint(
                fields=["registration", "evidence", "range_item"],
                condition=Q(range_item__isnull=False),
                name="unique_mapping_range_item",
            ),
            models.UniqueConstraint(
                fields=["registration", "evidence", "requirement"],
                condition=Q(requirement__isnull=False),
                name="unique_mapping_requirement",
            ),
        ]
        indexes = [
            models.Index(fields=["registration", "unit", "decision"]),
            # The internal verifier's sampling pool, counted by the database (verification.selectors.plan_coverage):
            # "a decision on this unit inside the period" and "this unit assessed by this method", index-only.
            models.Index(fields=["registration", "unit", "assessed_at"], name="mapping_unit_assessed_at"),
            models.Index(fields=["registration", "unit", "method"], name="mapping_unit_method"),
            # the caseload's "last activity": a registration's newest mapping as one index probe, not a sort of
            # all its mappings (per registration of a caseload of 300)
            models.Index(fields=["registration", "-assessed_at"], name="mapping_registration_newest"),
        ]

    def __str__(self):
        return f"evidence {self.evidence_id} → {self.unit.ref} {self.target_label}"

    @property
    def target_label(self) -> str:
        if self.criterion_id:
            return self.criterion.ref
        if self.range_item_id:
            return f"range {self.range_item.ref}"
        return f"evidence requirement {self.requirement.ref}"

    @property
    def effective_setting(self) -> str:
        return self.setting or self.evidence.context


class MappingDecision(models.Model):
    """One assessment decision on a mapping, as it was made: who, what, by which method, when, on which
    revision of the evidence. Rows are only ever added (database triggers refuse UPDATE and DELETE), so a
    later decision never hides an earlier decider: the own-assessment guard reads this history.

    `mapping_ref` is the EvidenceMapping's id as a plain number: a removed mapping keeps its history.
    """

    class Action(models.TextChoices):
        MAPPED = "mapped", "Mapped"
        DECIDED = "decided", "Decided"
        REMOVED = "removed", "Removed"

    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="mapping_decisions")
    unit = models.ForeignKey("qualifications.Unit", on_delete=models.PROTECT, related_name="+")
    round = models.PositiveIntegerField(help_text="The unit assessment's round when the decision was made")
    mapping_ref = models.PositiveBigIntegerField(help_text="The EvidenceMapping decided on")
    evidence = models.ForeignKey("evidence.EvidenceItem", on_delete=models.PROTECT, related_name="+")
    evidence_revision = models.PositiveIntegerField(help_text="The revision of the evidence decided on")
    criterion = models.ForeignKey(
        "qualifications.AssessmentCriterion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    range_item = models.ForeignKey(
        "qualifications.RangeItem", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    decision = models.CharField(max_length=10, choices=EvidenceMapping.Decision.choices)
    method = models.CharField(max_length=30, choices=Method.choices)
    location = models.CharField(max_length=100, blank=True)
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["registration", "unit", "id"]
        indexes = [
            models.Index(fields=["registration", "unit", "decided_by"], name="mapping_decision_who"),
        ]

    def __str__(self):
        return (
            f"{self.get_action_display()} {self.decision} by {self.decided_by} (mapping {self.mapping_ref})"
        )


class AssessmentRecord(models.Model):
    """An observation record, questioning record or professional discussion, written by the assessor.

    Each record becomes a piece of evidence in the candidate's portfolio (evidence_item), mapped with its
    own method to the criteria it references, so it counts in the coverage and requirements.
    """

    class Kind(models.TextChoices):
        OBSERVATION = "observation", "Observation record"
        QUESTIONING = "questioning", "Questioning record"
        PROFESSIONAL_DISCUSSION = "professional_discussion", "Professional discussion"

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="records")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    place = models.CharField(max_length=200, blank=True)
    description = models.TextField(help_text="What the candidate was seen doing / notes of the discussion")
    questions_and_answers = models.TextField(blank=True, help_text="Question, then the candidate's answer")
    setting = models.CharField(
        max_length=20,
        choices=Setting.choices,
        default=Setting.REAL_WORK,
        help_text="Where the assessor saw or heard the candidate's work",
    )
    criteria = models.ManyToManyField("qualifications.AssessmentCriterion", related_name="+")
    evidence_item = models.OneToOneField(
        "evidence.EvidenceItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessment_record",
    )
    candidate_signed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    submission_token = models.CharField(
        max_length=80,
        blank=True,
        editable=False,
        help_text="Idempotency key of the form submission that created it",
    )

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "submission_token"],
                condition=~models.Q(submission_token=""),
                name="record_unique_submission_token",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date:{DATE}}"

    @property
    def method(self) -> str:
        return {
            self.Kind.OBSERVATION: Method.OBSERVATION,
            self.Kind.QUESTIONING: Method.QUESTIONING,
            self.Kind.PROFESSIONAL_DISCUSSION: Method.PROFESSIONAL_DISCUSSION,
        }[self.kind]


class SkillsScan(models.Model):
    """The logbook's skills scan / initial assessment at induction: each unit rated 1-3 by the candidate and
    the assessor, and the actions agreed, which the first assessment plan starts from."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="skills_scans")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agreed_actions = models.TextField(help_text="What the candidate and assessor agreed to do next")
    candidate_agreed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Skills scan {self.created_at:{DATE}} for {self.registration}"


class SkillsScanRating(models.Model):
    """One unit's line of a skills scan (logbook key: 1 little or no, 2 considerable, 3 total responsibility)."""

    class Rating(models.IntegerChoices):
        LITTLE = 1, "1 Little or no responsibility"
        CONSIDERABLE = 2, "2 Considerable amount of responsibility"
        TOTAL = 3, "3 Total responsibility"

    scan = models.ForeignKey(SkillsScan, on_delete=models.CASCADE, related_name="ratings")
    unit = models.ForeignKey("qualifications.Unit", on_delete=models.PROTECT, related_name="+")
    candidate_rating = models.PositiveSmallIntegerField(choices=Rating.choices, null=True, blank=True)
    assessor_rating = models.PositiveSmallIntegerField(choices=Rating.choices, null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["unit__number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scan", "unit"], name="skills_scan_one_rating_per_unit"),
            models.CheckConstraint(
                condition=Q(candidate_rating__isnull=True) | Q(candidate_rating__in=[1, 2, 3]),
                name="skills_scan_candidate_rating_1_to_3",
            ),
            models.CheckConstraint(
                condition=Q(assessor_rating__isnull=True) | Q(assessor_rating__in=[1, 2, 3]),
                name="skills_scan_assessor_rating_1_to_3",
            ),
        ]

    def __str__(self):
        return f"{self.unit} {self.candidate_rating}/{self.assessor_rating}"


class PlanMethod(models.TextChoices):
    """The eleven 'Evidences assessed by' boxes of the 2006 assessment action plan, in the seed's words and order."""

    OBSERVATION = "observation", "Direct /e-Observation"
    PROJECTS = "projects", "Projects and assignments"
    ORAL_QUESTIONING = "oral_questioning", "Oral questioning"
    PROFESSIONAL_DISCUSSION = "professional_discussion", "Professional discussion"
    WITNESS_TESTIMONY = "witness_testimony", "Witness testimony"
    PORTFOLIO = "portfolio", "Portfolio evidence"
    CASE_STUDY = "case_study", "Case study"
    SUPPLEMENTARY = "supplementary", "Supplementary evidence"
    WRITTEN_QUESTIONS = "written_questions", "Written questions"
    PRIOR_ACHIEVEMENT = "prior_achievement", "Accredited prior achievement"
    WORK_PRODUCTS = "work_products", "Work products"


class ActionPlan(models.Model):
    """An assessment plan (the 2006 assessment action plan): unit, venue, date and time, methods, activities
    with target dates and criteria, reviews; agreed by the candidate."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="action_plans")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    review_date = models.DateField(null=True, blank=True)
    agreed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    unit = models.ForeignKey(
        "qualifications.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty: the plan covers the whole qualification",
    )
    venue = models.CharField(max_length=200, blank=True)
    scheduled_at = models.DateTimeField("date and time", null=True, blank=True)
    methods = models.JSONField(default=list, blank=True, help_text="PlanMethod values ticked on the plan")
    skills_scan = models.ForeignKey(
        SkillsScan,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plans",
        help_text="The skills scan the plan starts from",
    )
    submission_token = models.CharField(
        max_length=80,
        blank=True,
        editable=False,
        help_text="Idempotency key of the form submission that created it",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "submission_token"],
                condition=~models.Q(submission_token=""),
                name="action_plan_unique_submission_token",
            )
        ]

    def __str__(self):
        return f"Action plan {self.created_at:{DATE}} for {self.registration}"

    @property
    def method_boxes(self) -> list[tuple[str, bool]]:
        """(label, ticked) for the eleven boxes, in the seed's order."""
        chosen = set(self.methods or [])
        return [(label, value in chosen) for value, label in PlanMethod.choices]

    def next_review(self, reviews=None):
        """The date the plan is next due for review: the latest review's next date, else the plan's own."""
        reviews = list(self.reviews.all()) if reviews is None else reviews
        if reviews:
            return max(reviews, key=lambda r: (r.reviewed_on, r.pk)).next_review_date
        return self.review_date


class ActionPlanReview(models.Model):
    """A review of an assessment plan: progress against the target dates, and when to review next."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="reviews")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_on = models.DateField()
    notes = models.TextField()
    next_review_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reviewed_on", "id"]

    def __str__(self):
        return f"Review {self.reviewed_on:{DATE}} of {self.plan}"


class ActionPlanItem(models.Model):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="items")
    activity = models.TextField()
    target_date = models.DateField()
    criteria = models.ManyToManyField("qualifications.AssessmentCriterion", blank=True, related_name="+")

    class Meta:
        ordering = ["target_date", "id"]

    def __str__(self):
        return self.activity[:60]


class AssessmentReport(models.Model):
    """The 2006 assessment report: seven yes/no questions on a unit's evidence, the assessor's comments, questions
    and the candidate's answers, the outcome; signed by assessor and candidate."""

    QUESTIONS = [
        ("more_skills", "Are more skills and techniques evidence required?"),
        ("more_knowledge", "Is more knowledge evidence required?"),
        ("more_portfolio", "Is more portfolio evidence required?"),
        ("skills_met", "Have all the skills and techniques/competencies been met?"),
        ("knowledge_met", "Have the knowledge and understanding requirements been met?"),
        ("evidence_valid", "Is the portfolio evidence valid, sufficient, current and authentic?"),
        ("authenticated", "Has the evidence been properly authenticated?"),
    ]

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="assessment_reports"
    )
    unit = models.ForeignKey("qualifications.Unit", on_delete=models.PROTECT, related_name="+")
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    answers = models.JSONField(default=dict, help_text="{question key: true/false}")
    comments = models.TextField("assessor's comments", blank=True)
    questions = models.TextField("assessor questions", blank=True)
    candidate_answers = models.TextField(blank=True)
    outcome = models.TextField("outcome of assessment")
    candidate_signed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]

    def __str__(self):
        return f"Assessment report {self.date:{DATE}} unit {self.unit_id} for {self.registration}"

    @property
    def answer_rows(self) -> list[tuple[str, bool | None]]:
        return [(text, (self.answers or {}).get(key)) for key, text in self.QUESTIONS]


class Feedback(models.Model):
    """Feedback from the assessor to the candidate, shown on the candidate's pages and emailed."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="feedback")
    unit = models.ForeignKey(
        "qualifications.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    submission_token = models.CharField(
        max_length=80,
        blank=True,
        editable=False,
        help_text="Idempotency key of the form submission that created it",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "feedback"
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "submission_token"],
                condition=~models.Q(submission_token=""),
                name="feedback_unique_submission_token",
            )
        ]

    def __str__(self):
        return f"Feedback {self.created_at:{DATE}} for {self.registration}"


class RequirementConfirmation(models.Model):
    """The assessor confirms, with a note, an evidence requirement that evidence mapping cannot count
    ("over a sufficient period of time", "three features" in one piece of work). Written at sign-off,
    kept per round: a reopened unit is confirmed again."""

    unit_assessment = models.ForeignKey(
        UnitAssessment, on_delete=models.CASCADE, related_name="confirmations"
    )
    round = models.PositiveIntegerField()
    requirement = models.ForeignKey(
        "qualifications.EvidenceRequirement", on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(help_text="What shows the requirement is met (where in the evidence)")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField()

    class Meta:
        ordering = ["unit_assessment", "round", "requirement__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit_assessment", "round", "requirement"],
                name="one_confirmation_per_requirement_and_round",
            ),
            models.CheckConstraint(condition=~Q(note=""), name="confirmation_has_note"),
        ]

    def __str__(self):
        return f"{self.unit_assessment} requirement {self.requirement.ref} confirmed"


class RegistrationExtension(models.Model):
    """A centre admin extends a registration's end (its period has run out or is about to)."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="extensions")
    previous_expires_on = models.DateField(null=True, blank=True)
    new_expires_on = models.DateField()
    reason = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["registration", "recorded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="registration_extension_has_reason")
        ]

    def __str__(self):
        return f"{self.registration} extended to {self.new_expires_on:{DATE}}"


class AwardingBodyExtension(models.Model):
    """The awarding body's extension of a qualification's last registration or certification date for a
    centre, recorded by a centre admin with the awarding body's reference."""

    class Kind(models.TextChoices):
        REGISTRATION = "registration", "Last registration date"
        CERTIFICATION = "certification", "Last certification date"

    centre = models.ForeignKey("accounts.Centre", on_delete=models.PROTECT, related_name="+")
    qualification = models.ForeignKey(
        "qualifications.Qualification", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reference = models.CharField(max_length=100, help_text="The awarding body's reference for the extension")
    new_date = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["centre", "qualification", "kind", "-new_date"]
        constraints = [
            models.CheckConstraint(condition=~Q(reference=""), name="awarding_body_extension_has_reference")
        ]

    def __str__(self):
        return (
            f"{self.qualification.code} {self.get_kind_display().lower()} extended to {self.new_date:{DATE}}"
        )


class EmployerConfirmation(ConfirmationLink):
    """The employer's confirmation on the summary of unit achievement (logbook, Level 2 NVQ Certificate): "I can
    confirm the candidate has personally completed the work as part of regular duties in the workplace."

    The assessor (or a centre admin) asks the employer by email; the employer, without an account, confirms with
    their name and job title from a single-use, expiring link (evidence/links.py, as witnesses do), or declines.
    A confirmation is a signature (audit.Signature) over the candidate, the qualification and the achieved units
    it was asked about.
    """

    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="employer_confirmations"
    )
    employer_name = models.CharField(max_length=200, help_text="Who is asked: the candidate's employer")
    organisation = models.CharField(max_length=200, blank=True)
    units = models.ManyToManyField(
        "qualifications.Unit",
        related_name="+",
        help_text="The achieved units the employer is asked to confirm",
    )
    confirmed_name = models.CharField(max_length=200, blank=True)
    confirmed_job_title = models.CharField(max_length=200, blank=True)
    decline_reason = models.TextField(blank=True)
    signature = models.OneToOneField(
        "audit.Signature",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The employer's own confirmation",
    )

    class Meta(ConfirmationLink.Meta):
        pass

    def __str__(self):
        return f"employer confirmation by {self.employer_name} for {self.registration}"

    @property
    def centre(self):
        return self.registration.centre

    @property
    def is_confirmed(self) -> bool:
        return self.outcome == self.Outcome.CONFIRMED

    @property
    def confirmation_text(self) -> str:
        """ "confirmed by <name>, <job title>, <date>", or what stands instead, as the pages and the summary say."""
        if self.is_confirmed:
            who = ", ".join(p for p in (self.confirmed_name, self.confirmed_job_title) if p)
            return f"confirmed by {who}, {self.used_at:{DATE}}"
        if self.outcome == self.Outcome.DECLINED:
            return f"declined by {self.employer_name} on {self.used_at:{DATE}}"
        if self.withdrawn_at:
            return f"request to {self.employer_name} withdrawn on {self.withdrawn_at:{DATE}}"
        return f"asked {self.employer_name} ({self.email}) on {self.created_at:{DATE}}: not yet confirmed"
