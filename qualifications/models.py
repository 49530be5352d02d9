"""The qualification catalogue, as the handbooks print it.

Everything here is data loaded from fixtures (fixtures/*.json, built by tools/build_catalogue.py from
the seed handbooks). Fixtures use natural keys so that loading is idempotent and a unit shared by
several qualifications is one row.
"""

from django.db import models

from .levels import LEVEL_CHOICES, LEVELS, level_rank  # noqa: F401 - imported from here too
from .rule_kinds import RULE_KINDS


class QualificationManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Qualification(models.Model):
    code = models.CharField(max_length=30, unique=True, help_text="e.g. 4411-01, 4430-04")
    title = models.CharField(max_length=300)
    awarding_body = models.CharField(max_length=100, default="City & Guilds")
    level = models.CharField(max_length=10, choices=LEVEL_CHOICES)
    accreditation_number = models.CharField(max_length=30, blank=True)
    glh = models.PositiveIntegerField("guided learning hours", null=True, blank=True)
    tqt = models.PositiveIntegerField("total qualification time", null=True, blank=True)
    registration_period_months = models.PositiveIntegerField(null=True, blank=True)
    source = models.CharField(max_length=200, blank=True, help_text="Seed handbook the data comes from")
    source_notes = models.TextField(blank=True)
    defects = models.TextField(blank=True, help_text="Known source defects, one per line, recorded not fixed")
    rules_stated = models.BooleanField(
        default=True, help_text="False when the sources give no rules of combination for this qualification"
    )
    # A qualification-wide evidence setting reaches every unit taken in it, shared units too (4430-04's
    # "Simulation and Realistic Working Environment is not accepted at this level").
    rwe_allowed = models.BooleanField(
        "realistic working environment allowed",
        null=True,
        blank=True,
        help_text="Qualification-wide; empty: not stated (each unit's own rule applies)",
    )
    simulation_allowed = models.BooleanField(
        null=True,
        blank=True,
        help_text="Qualification-wide; empty: not stated (each unit's own rule applies)",
    )
    evidence_context_note = models.TextField(blank=True, help_text="The qualification-wide rule, as printed")
    evidence_context_source = models.CharField(
        max_length=200, blank=True, help_text="Where the handbook states it"
    )
    last_registration_date = models.DateField(null=True, blank=True)
    last_certification_date = models.DateField(null=True, blank=True)
    dates_source = models.CharField(
        max_length=200, blank=True, help_text="Where the handbook states the last dates"
    )
    # Conditions on the candidate the handbook states for entry (4430-04: age 18 or over; not already holding a
    # qualification of the same type, content and level): [{"key", "text" (as printed), "source", "page"}].
    # The centre admin confirms each at registration (assessment.services.registration_create).
    entry_conditions = models.JSONField(
        default=list, blank=True, help_text="Entry conditions asked at registration, in the handbook's words"
    )

    objects = QualificationManager()

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.title}"

    def natural_key(self):
        return (self.code,)


class UnitManager(models.Manager):
    def get_by_natural_key(self, ref):
        return self.get(ref=ref)


class Unit(models.Model):
    ref = models.CharField(
        max_length=30, unique=True, help_text="Unique in the catalogue: 4411-102, 4430-401"
    )
    scheme = models.CharField(max_length=20, help_text="Numbering scheme: 4411, 4430, 2006")
    number = models.CharField(max_length=10, help_text="The handbook's number, e.g. 102")
    accreditation_number = models.CharField(max_length=30, blank=True, help_text="e.g. A/601/6047")
    nos_code = models.CharField("NOS code", max_length=30, blank=True)
    title = models.CharField(max_length=300)
    level = models.CharField(max_length=10, choices=LEVEL_CHOICES, blank=True)
    credits = models.PositiveIntegerField(null=True, blank=True, help_text="Empty where the source lost it")
    glh = models.PositiveIntegerField("guided learning hours", null=True, blank=True)
    aim = models.TextField(blank=True)
    assessment = models.TextField(blank=True, help_text="How the unit is assessed, as printed")
    notes = models.TextField(blank=True)
    defects = models.TextField(blank=True, help_text="Known source defects, one per line, recorded not fixed")
    has_criteria_text = models.BooleanField(
        default=True, help_text="False where the source gives only the structure-table row"
    )
    rwe_allowed = models.BooleanField(
        "realistic working environment allowed", null=True, blank=True, help_text="Empty: not stated"
    )
    simulation_allowed = models.BooleanField(
        null=True, blank=True, help_text="Simulation for performance evidence. Empty: not stated"
    )
    knowledge_simulation_allowed = models.BooleanField(
        null=True,
        blank=True,
        help_text="Simulation for knowledge evidence: true where the handbook bars it for performance evidence "
        "only ('Simulation is not allowed for any performance evidence'). Empty: as simulation_allowed",
    )
    staged_drills_allowed = models.BooleanField(
        default=False,
        help_text="Realistic practices staged to test emergency procedures are accepted (4430-405)",
    )
    evidence_context_note = models.TextField(blank=True, help_text="Exceptions, e.g. 405's staged drills")
    evidence_context_source = models.CharField(
        max_length=200, blank=True, help_text="Where the handbook states the unit's evidence setting"
    )

    objects = UnitManager()

    class Meta:
        ordering = ["scheme", "number"]

    def __str__(self):
        return f"{self.ref} {self.title}"

    def natural_key(self):
        return (self.ref,)


class OptionalGroupManager(models.Manager):
    def get_by_natural_key(self, qualification_code, name):
        return self.get(qualification__code=qualification_code, name=name)


class OptionalGroup(models.Model):
    qualification = models.ForeignKey(Qualification, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=100)
    order = models.PositiveIntegerField(default=0)

    objects = OptionalGroupManager()

    class Meta:
        ordering = ["qualification", "order", "name"]
        constraints = [models.UniqueConstraint(fields=["qualification", "name"], name="unique_group_name")]

    def __str__(self):
        return f"{self.qualification.code}: {self.name}"

    def natural_key(self):
        return (self.qualification.code, self.name)

    natural_key.dependencies = ["qualifications.qualification"]


class QualificationUnitManager(models.Manager):
    def get_by_natural_key(self, qualification_code, unit_ref):
        return self.get(qualification__code=qualification_code, unit__ref=unit_ref)


class QualificationUnit(models.Model):
    class Status(models.TextChoices):
        MANDATORY = "mandatory", "Mandatory"
        OPTIONAL = "optional", "Optional"

    qualification = models.ForeignKey(Qualification, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships")
    status = models.CharField(max_length=10, choices=Status.choices)
    # RESTRICT, not PROTECT: a group with members cannot be deleted on its own, but deleting the whole
    # qualification (which cascades to both) works.
    group = models.ForeignKey(
        OptionalGroup, null=True, blank=True, on_delete=models.RESTRICT, related_name="memberships"
    )
    order = models.PositiveIntegerField(default=0)

    objects = QualificationUnitManager()

    class Meta:
        ordering = ["qualification", "order", "unit__number"]
        constraints = [
            models.UniqueConstraint(fields=["qualification", "unit"], name="unique_unit_in_qualification")
        ]

    def __str__(self):
        return f"{self.qualification.code} / {self.unit.ref} ({self.status})"

    def natural_key(self):
        return (self.qualification.code, self.unit.ref)

    natural_key.dependencies = [
        "qualifications.qualification",
        "qualifications.unit",
        "qualifications.optionalgroup",
    ]


class RuleManager(models.Manager):
    def get_by_natural_key(self, qualification_code, order):
        return self.get(qualification__code=qualification_code, order=order)


class Rule(models.Model):
    """One rule of combination, as typed data. The engine (qualifications/rules.py) interprets it.

    Each kind, its params and what they mean are one class in qualifications/rule_kinds.py, e.g.
      min_total_credits       {"credits": 67}
      min_credits_from_units  {"credits": 4, "units": ["001", ...], "label": "Entry 3 units"}
      min_credits_at_level    {"credits": 35, "level": "Level 4"}   (credits null when the source lost it)
      mandatory_units         {"units": ["401", "402"]}
      group_minimum           {"group": "Delivery", "min_units": 1, "min_credits": null,
                               "max_units": null, "max_credits": null}
      barred_pair             {"units": ["001", "101"]}
    Units are named by their number inside the qualification.
    """

    # The choices come from the registered kinds (Rule.Kind.MIN_TOTAL_CREDITS == "min_total_credits", ...).
    Kind = models.TextChoices(
        "Kind", [(cls.kind.upper(), (cls.kind, cls.label)) for cls in RULE_KINDS.values()]
    )

    qualification = models.ForeignKey(Qualification, on_delete=models.CASCADE, related_name="rules")
    order = models.PositiveIntegerField()
    kind = models.CharField(max_length=30, choices=Kind.choices)
    params = models.JSONField(default=dict)
    text = models.TextField(blank=True, help_text="The rule as the handbook words it")
    is_complete = models.BooleanField(default=True)
    incomplete_reason = models.TextField(blank=True)

    objects = RuleManager()

    class Meta:
        ordering = ["qualification", "order"]
        constraints = [models.UniqueConstraint(fields=["qualification", "order"], name="unique_rule_order")]

    def __str__(self):
        return f"{self.qualification.code} rule {self.order}: {self.get_kind_display()}"

    def natural_key(self):
        return (self.qualification.code, self.order)

    natural_key.dependencies = ["qualifications.qualification"]


class LearningOutcomeManager(models.Manager):
    def get_by_natural_key(self, unit_ref, number):
        return self.get(unit__ref=unit_ref, number=number)


class LearningOutcome(models.Model):
    class Kind(models.TextChoices):
        KNOWLEDGE = "knowledge", "Knowledge"
        PERFORMANCE = "performance", "Performance"

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="outcomes")
    number = models.PositiveIntegerField()
    title = models.TextField()
    kind = models.CharField(max_length=12, choices=Kind.choices)

    objects = LearningOutcomeManager()

    class Meta:
        ordering = ["unit", "number"]
        constraints = [models.UniqueConstraint(fields=["unit", "number"], name="unique_outcome_number")]

    def __str__(self):
        return f"{self.unit.ref} outcome {self.number}"

    def natural_key(self):
        return (self.unit.ref, self.number)

    natural_key.dependencies = ["qualifications.unit"]


class AssessmentCriterionManager(models.Manager):
    def get_by_natural_key(self, unit_ref, ref):
        return self.get(unit__ref=unit_ref, ref=ref)


class AssessmentCriterion(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="criteria")
    outcome = models.ForeignKey(LearningOutcome, on_delete=models.CASCADE, related_name="criteria")
    number = models.PositiveIntegerField(help_text="Position within its outcome: 1, 2, 3...")
    ref = models.CharField(max_length=20, help_text="As printed: 1.1, 204.3.5")
    text = models.TextField()
    kind = models.CharField(max_length=12, choices=LearningOutcome.Kind.choices)
    guidance = models.TextField(blank=True, help_text="The handbook's 'criteria explained'")
    defect = models.TextField(blank=True, help_text="A known source defect in this row")

    objects = AssessmentCriterionManager()

    class Meta:
        ordering = ["unit", "outcome__number", "number"]
        verbose_name_plural = "assessment criteria"
        constraints = [models.UniqueConstraint(fields=["unit", "ref"], name="unique_criterion_ref")]

    def __str__(self):
        return f"{self.unit.ref} {self.ref}"

    def natural_key(self):
        return (self.unit.ref, self.ref)

    natural_key.dependencies = ["qualifications.learningoutcome"]


class RangeItemManager(models.Manager):
    def get_by_natural_key(self, unit_ref, ref):
        return self.get(unit__ref=unit_ref, ref=ref)


class RangeItem(models.Model):
    """'What you must cover': numbered items with lettered sub-items (ref "1", "1a", "1b")."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="range_items")
    outcome = models.ForeignKey(
        LearningOutcome, null=True, blank=True, on_delete=models.CASCADE, related_name="range_items"
    )
    ref = models.CharField(max_length=20)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    text = models.TextField()
    order = models.PositiveIntegerField(default=0)
    min_count = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="On an item with sub-items: how many of them are required (empty: all)",
    )
    min_count_source = models.CharField(max_length=200, blank=True, help_text="Where the handbook states it")

    objects = RangeItemManager()

    class Meta:
        ordering = ["unit", "order"]
        constraints = [models.UniqueConstraint(fields=["unit", "ref"], name="unique_range_ref")]

    def __str__(self):
        return f"{self.unit.ref} range {self.ref}"

    def natural_key(self):
        return (self.unit.ref, self.ref)

    natural_key.dependencies = ["qualifications.learningoutcome"]


class EvidenceRequirementManager(models.Manager):
    def get_by_natural_key(self, unit_ref, ref):
        return self.get(unit__ref=unit_ref, ref=ref)


class EvidenceRequirement(models.Model):
    """A unit's numbered evidence requirement (ref "1", "2"), with lettered sub-items ("2a", "2b").

    min_count / method encode quantities where the handbook states them ("at least two calls observed by the
    Assessor/Witness": min_count=2, method="observation,witness_testimony", every method the handbook names,
    comma-separated); criteria lists the criterion refs they apply to. On an item with lettered sub-items,
    min_count is how many of them are required ("two of these groups"); empty means all of them.

    kind says what the assessor does with it: EVIDENCE is evidenced (mapped) or confirmed with a note before
    sign-off; SETTING states where evidence may come from (enforced by the setting rules of the unit);
    GUIDANCE says what evidence may be ("You may collect ...") and has nothing to check.
    """

    class Kind(models.TextChoices):
        EVIDENCE = "evidence", "Evidence to show"
        SETTING = "setting", "Where evidence may come from"
        GUIDANCE = "guidance", "Guidance"

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="evidence_requirements")
    ref = models.CharField(max_length=20)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    text = models.TextField()
    order = models.PositiveIntegerField(default=0)
    min_count = models.PositiveIntegerField(null=True, blank=True)
    method = models.CharField(max_length=100, blank=True, help_text="Method(s) counted, comma-separated")
    criteria = models.JSONField(default=list, blank=True, help_text="Criterion refs this applies to")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.EVIDENCE)

    objects = EvidenceRequirementManager()

    class Meta:
        ordering = ["unit", "order"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "ref"], name="unique_evidence_requirement_ref")
        ]

    def __str__(self):
        return f"{self.unit.ref} evidence requirement {self.ref}"

    def natural_key(self):
        return (self.unit.ref, self.ref)

    natural_key.dependencies = ["qualifications.unit"]


class EvidenceGuideRowManager(models.Manager):
    def get_by_natural_key(self, unit_ref, order):
        return self.get(unit__ref=unit_ref, order=order)


class EvidenceGuideRow(models.Model):
    """A row of a 4411 evidence guide: the criteria it names (as printed) and the possible evidence."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="evidence_guide")
    order = models.PositiveIntegerField()
    criteria_refs = models.CharField(max_length=200, help_text="As printed, e.g. '1.1, 1.2 2.2, 2.3'")
    evidence = models.TextField()
    defect = models.TextField(blank=True, help_text="e.g. cites a criterion that does not exist")

    objects = EvidenceGuideRowManager()

    class Meta:
        ordering = ["unit", "order"]
        constraints = [models.UniqueConstraint(fields=["unit", "order"], name="unique_guide_row")]

    def __str__(self):
        return f"{self.unit.ref} evidence guide row {self.order}"

    def natural_key(self):
        return (self.unit.ref, self.order)

    natural_key.dependencies = ["qualifications.unit"]
