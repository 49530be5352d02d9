"""Forms for assessment pages. They collect input; the services decide."""

from django import forms
from django.utils import timezone

from accounts.models import Role, User
from accounts.people.forms import PICKER_HELP, picker_attrs
from accounts.people.selectors import UNKNOWN_CANDIDATE, candidate_named
from accounts.selectors import centres_of
from audit.dates import DateInput, DateTimeInput, NotInFuture
from audit.paging import ListQuery
from audit.signatures import STATEMENTS
from audit.signatures import Kind as SignatureKind
from evidence import sniffing
from evidence.forms import SubmissionTokenMixin
from evidence.sniffing import AUDIO, VIDEO
from qualifications.models import (
    AssessmentCriterion,
    EvidenceRequirement,
    Qualification,
    QualificationUnit,
    Unit,
)

from .models import (
    AssessmentRecord,
    AssessmentReport,
    EvidenceMapping,
    Method,
    PlanMethod,
    Registration,
    Setting,
    SkillsScanRating,
)
from .services import RECORD_FUTURE_DATE, REPORT_FUTURE_DATE, REVIEW_FUTURE_DATE

SETTING_HELP = (
    "Where the evidence was gathered, as you the assessor confirm it. A unit that does not accept a "
    "setting refuses the mapping in the handbook's words."
)

RECORDING_EXTENSIONS = {ext for ext, (category, _) in sniffing.ALLOWED.items() if category in (AUDIO, VIDEO)}


def _people(centres, role):
    return (
        User.objects.filter(memberships__centre__in=centres, memberships__role=role)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} ({obj.username})"


class UnitChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        credits = f", {obj.credits} credits" if obj.credits is not None else ""
        return f"{obj.number} {obj.title} ({obj.level}{credits})"


class RegistrationForm(forms.Form):
    centre = forms.ModelChoiceField(queryset=None)
    candidate = forms.CharField(max_length=150, help_text=PICKER_HELP)
    assessor = PersonChoiceField(queryset=None)
    internal_verifier = PersonChoiceField(queryset=None, label="Internal verifier")
    candidate_number = forms.CharField(required=False, max_length=30, label="Candidate (enrolment) number")
    registered_on = forms.DateField(widget=DateInput(), label="Registration date")
    expires_on = forms.DateField(
        widget=DateInput(),
        required=False,
        label="Expiry date",
        help_text="Leave empty to use the qualification's registration period.",
    )
    optional_units = UnitChoiceField(queryset=None, required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, user, qualification, registration=None, **kwargs):
        super().__init__(*args, **kwargs)
        centres = centres_of(user, roles=[Role.CENTRE_ADMIN])
        self.fields["centre"].queryset = centres
        if registration is not None:
            centres = centres.filter(pk=registration.centre_id)
            for name in ("centre", "candidate", "registered_on"):
                del self.fields[name]
        else:
            self.fields["candidate"].widget.attrs.update(picker_attrs(centres))
            if centres.count() == 1:
                self.fields["centre"].initial = centres.first()
                self.fields["centre"].widget = forms.HiddenInput()
            self.fields["registered_on"].initial = timezone.localdate()
        self.fields["assessor"].queryset = _people(centres, Role.ASSESSOR)
        self.fields["internal_verifier"].queryset = _people(centres, Role.INTERNAL_VERIFIER)
        self.fields["optional_units"].queryset = Unit.objects.filter(
            memberships__qualification=qualification, memberships__status=QualificationUnit.Status.OPTIONAL
        ).order_by("memberships__order", "number")
        self._centres = centres

    def clean_candidate(self):
        """The candidate by username or candidate number, at the admin's centres; a clear error otherwise."""
        name = self.cleaned_data["candidate"]
        candidate = candidate_named(self._centres, name)
        if candidate is None:
            raise forms.ValidationError(UNKNOWN_CANDIDATE.format(name=name.strip()))
        return candidate


class EntryConditionsForm(forms.Form):
    """The qualification's entry conditions, one box each, for the centre admin to confirm at registration.

    Kept apart from RegistrationForm (its own prefix): the boxes are not required here, so "Update the tally"
    and "Suggest a route" keep them as ticked; services.registration_create refuses a registration that leaves
    one unconfirmed, in the handbook's words."""

    prefix = "entry"

    def __init__(self, *args, qualification, **kwargs):
        super().__init__(*args, **kwargs)
        from .services import entry_condition_source, entry_conditions_of

        self.conditions = entry_conditions_of(qualification)
        for c in self.conditions:
            field = forms.BooleanField(required=False, label=c["text"])
            field.source = entry_condition_source(c)
            self.fields[f"condition_{c['key']}"] = field

    def confirmed_keys(self) -> list[str]:
        """The keys ticked (read from the bound data: valid or not, a box is either ticked or not)."""
        return [c["key"] for c in self.conditions if self[f"condition_{c['key']}"].value()]


PAGE_OUT_OF_DATE = "This page is out of date: reload it, read the evidence and decide again."


def parse_revisions(text: str) -> dict[int, int]:
    """The "evidence pk:revision,..." the criterion page carries for the evidence it listed."""
    seen = {}
    for part in (text or "").split(","):
        pk, _, revision = part.partition(":")
        if pk.strip().isdigit() and revision.strip().isdigit():
            seen[int(pk)] = int(revision)
    return seen


def format_revisions(items) -> str:
    return ",".join(f"{item.pk}:{item.revision}" for item in items)


class MappingForm(forms.Form):
    """From a piece of evidence: tick the criteria (and evidence requirements) it covers, across every unit of
    the registration, and confirm where it was gathered.

    `evidence_revision` is the revision of the evidence the page showed (the template renders it from the
    item it shows): the decision is made on that revision or refused.
    """

    criteria = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    requirements = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    setting = forms.ChoiceField(
        choices=Setting.choices,
        label="Setting (confirmed by the assessor)",
        help_text=SETTING_HELP,
        required=False,
    )  # missing: as the evidence records it
    method = forms.ChoiceField(choices=[("", "Choose…")] + Method.choices, label="Assessment method")
    location = forms.CharField(
        required=False,
        max_length=100,
        label="Location reference",
        help_text="Where in the evidence: page, paragraph, time in a recording",
    )
    decision = forms.ChoiceField(
        choices=EvidenceMapping.Decision.choices,
        widget=forms.RadioSelect,
        initial=EvidenceMapping.Decision.ACCEPTED,
    )
    reason = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Reason (for “not yet”)"
    )
    evidence_revision = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={"required": PAGE_OUT_OF_DATE, "invalid": PAGE_OUT_OF_DATE},
    )

    def __init__(self, *args, units, item=None, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["criteria"].queryset = AssessmentCriterion.objects.filter(unit__in=units)
        # Evidence maps to requirements that ask for evidence, and to the sub-items of those that have them.
        self.fields["requirements"].queryset = (
            EvidenceRequirement.objects.filter(
                unit__in=units, kind=EvidenceRequirement.Kind.EVIDENCE, children__isnull=True
            )
            .select_related("unit")
            .order_by("unit__number", "order")
        )
        if item is not None:
            self.fields["setting"].initial = item.context


class CriterionMappingForm(forms.Form):
    """From a criterion: tick the candidate's evidence that covers it."""

    evidence = forms.ModelMultipleChoiceField(queryset=None, widget=forms.CheckboxSelectMultiple)
    setting = forms.ChoiceField(
        choices=[("", "As each piece of evidence records it")] + Setting.choices,
        required=False,
        label="Setting (confirmed by the assessor)",
        help_text=SETTING_HELP,
    )
    method = forms.ChoiceField(choices=[("", "Choose…")] + Method.choices, label="Assessment method")
    location = forms.CharField(required=False, max_length=100, label="Location reference")
    decision = forms.ChoiceField(
        choices=EvidenceMapping.Decision.choices,
        widget=forms.RadioSelect,
        initial=EvidenceMapping.Decision.ACCEPTED,
    )
    reason = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Reason (for “not yet”)"
    )

    def __init__(self, *args, evidence, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].queryset = evidence
        self.fields["evidence"].label_from_instance = lambda item: f"{item.title} ({item.get_kind_display()})"


class MappingDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=EvidenceMapping.Decision.choices)
    reason = forms.CharField(required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class SignOffForm(forms.Form):
    """The sign-off: the password again, and the assessor's confirmation, with a note, of each evidence
    requirement that mapped evidence does not meet ("over a sufficient period", "three features")."""

    confirmed = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="I confirm the evidence meets these requirements (say where, in the note beside each)",
    )
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        label="Your password",
        help_text="Signing a unit needs your password again.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, requirements=(), **kwargs):
        super().__init__(*args, **kwargs)
        requirements = list(requirements)
        self.requirements = requirements
        self.fields["confirmed"].choices = [(r.ref, f"{r.ref}: {r.text}") for r in requirements]
        for r in requirements:
            self.fields[f"note_{r.ref}"] = forms.CharField(
                required=False,
                max_length=1000,
                label=f"Note for {r.ref}",
                widget=forms.TextInput(attrs={"placeholder": "where the evidence shows it"}),
            )
        if not requirements:
            del self.fields["confirmed"]

    def note_fields(self):
        return [(r, self[f"note_{r.ref}"]) for r in self.requirements]

    def confirmations(self) -> dict[str, str]:
        """{ref: note} for the ticked requirements (an empty note is refused by the sign-off)."""
        data = self.cleaned_data
        return {ref: data.get(f"note_{ref}", "") for ref in data.get("confirmed", [])}


class CountersignForm(forms.Form):
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}), label="Your password"
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReopenForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Reason for reopening")


class RecordForm(SubmissionTokenMixin, forms.Form):
    date = forms.DateField(widget=DateInput(), validators=[NotInFuture(RECORD_FUTURE_DATE)])
    place = forms.CharField(required=False, max_length=200)
    setting = forms.ChoiceField(
        choices=Setting.choices,
        initial=Setting.REAL_WORK,
        widget=forms.RadioSelect,
        label="Setting",
        help_text="Where you saw or heard the candidate's work.",
        required=False,
    )

    def clean_setting(self):
        return self.cleaned_data.get("setting") or Setting.REAL_WORK

    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}))
    questions_and_answers = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Questions and answers",
        help_text="Each question, then the candidate's answer",
    )
    criteria = forms.ModelMultipleChoiceField(
        queryset=None, widget=forms.CheckboxSelectMultiple, label="Criteria referenced"
    )
    recording = forms.FileField(
        required=False,
        label="Recording (optional)",
        help_text="An audio or video file (" + ", ".join(sorted(RECORDING_EXTENSIONS)) + ").",
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join(f".{e}" for e in sorted(RECORDING_EXTENSIONS))}
        ),
    )

    DESCRIPTION_LABELS = {
        AssessmentRecord.Kind.OBSERVATION: "What the candidate was seen doing",
        AssessmentRecord.Kind.QUESTIONING: "Context of the questioning",
        AssessmentRecord.Kind.PROFESSIONAL_DISCUSSION: "Notes of the discussion",
    }

    def __init__(self, *args, kind, units, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_token()
        self.units = units
        self.fields["criteria"].queryset = AssessmentCriterion.objects.filter(unit__in=units).select_related(
            "unit"
        )
        self.fields["criteria"].label_from_instance = lambda c: f"{c.unit.number} {c.ref} {c.text}"
        self.fields["description"].label = self.DESCRIPTION_LABELS[kind]
        self.fields["date"].initial = timezone.localdate()
        if kind != AssessmentRecord.Kind.QUESTIONING:
            del self.fields["questions_and_answers"]
        else:
            self.fields["questions_and_answers"].required = True
        if kind != AssessmentRecord.Kind.PROFESSIONAL_DISCUSSION:
            del self.fields["recording"]


class ActionPlanItemForm(forms.Form):
    activity = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    target_date = forms.DateField(required=False, widget=DateInput())
    criteria = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criteria"].queryset = AssessmentCriterion.objects.filter(unit__in=units).select_related(
            "unit"
        )
        self.fields["criteria"].label_from_instance = lambda c: f"{c.unit.number} {c.ref}"

    def clean(self):
        data = super().clean()
        if data.get("activity") and not data.get("target_date"):
            self.add_error("target_date", "Give a target date for this activity.")
        return data


ActionPlanItemFormSet = forms.formset_factory(ActionPlanItemForm, extra=3, max_num=20)


class ActionPlanForm(SubmissionTokenMixin, forms.Form):
    unit = forms.ModelChoiceField(queryset=None, required=False, empty_label="The whole qualification")
    venue = forms.CharField(required=False, max_length=200)
    scheduled_at = forms.DateTimeField(required=False, label="Date and time", widget=DateTimeInput())
    methods = forms.MultipleChoiceField(
        choices=PlanMethod.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Evidences assessed by",
    )
    review_date = forms.DateField(required=False, widget=DateInput(), label="Review date")

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._add_token()
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units]).order_by("number")
        self.fields["unit"].label_from_instance = lambda u: f"{u.number} {u.title}"


class PlanReviewForm(forms.Form):
    reviewed_on = forms.DateField(
        widget=DateInput(), label="Date of review", validators=[NotInFuture(REVIEW_FUTURE_DATE)]
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Progress against the plan")
    next_review_date = forms.DateField(required=False, widget=DateInput(), label="Next review date")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewed_on"].initial = timezone.localdate()


RATING_CHOICES = [("", "—")] + [(str(v), label) for v, label in SkillsScanRating.Rating.choices]


class SkillsScanForm(forms.Form):
    """One candidate rating, one assessor rating and a note per unit of the registration; the agreed actions."""

    agreed_actions = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Agreed actions")

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.units = list(units)
        for u in self.units:
            self.fields[f"candidate_{u.pk}"] = forms.TypedChoiceField(
                choices=RATING_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                label=f"Unit {u.number}: candidate's rating",
            )
            self.fields[f"assessor_{u.pk}"] = forms.TypedChoiceField(
                choices=RATING_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                label=f"Unit {u.number}: assessor's rating",
            )
            self.fields[f"notes_{u.pk}"] = forms.CharField(required=False, label=f"Unit {u.number}: notes")

    def unit_rows(self):
        return [
            (u, self[f"candidate_{u.pk}"], self[f"assessor_{u.pk}"], self[f"notes_{u.pk}"])
            for u in self.units
        ]

    def ratings(self):
        data = self.cleaned_data
        return [
            (u, data.get(f"candidate_{u.pk}"), data.get(f"assessor_{u.pk}"), data.get(f"notes_{u.pk}", ""))
            for u in self.units
        ]


ANSWER_CHOICES = [("", "—"), ("yes", "Yes"), ("no", "No")]


class AssessmentReportForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=None)
    date = forms.DateField(widget=DateInput(), validators=[NotInFuture(REPORT_FUTURE_DATE)])
    comments = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Assessors comments"
    )
    questions = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Assessor questions"
    )
    candidate_answers = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Candidate answers"
    )
    outcome = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Outcome of assessment")

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units]).order_by("number")
        self.fields["unit"].label_from_instance = lambda u: f"{u.number} {u.title}"
        self.fields["date"].initial = timezone.localdate()
        for key, text in AssessmentReport.QUESTIONS:
            self.fields[f"q_{key}"] = forms.ChoiceField(choices=ANSWER_CHOICES, required=False, label=text)
        # The seven questions come before the free text, as on the seed form.
        order = (
            ["unit", "date"]
            + [f"q_{k}" for k, _ in AssessmentReport.QUESTIONS]
            + ["comments", "questions", "candidate_answers", "outcome"]
        )
        self.order_fields(order)

    def answers(self):
        return {
            key: self.cleaned_data[f"q_{key}"] == "yes"
            for key, _ in AssessmentReport.QUESTIONS
            if self.cleaned_data.get(f"q_{key}")
        }


class FeedbackForm(SubmissionTokenMixin, forms.Form):
    unit = forms.ModelChoiceField(queryset=None, required=False, empty_label="The whole qualification")
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), label="Feedback")

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_token()
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units])
        self.fields["unit"].label_from_instance = lambda u: f"{u.number} {u.title}"


class RegistrationExtensionForm(forms.Form):
    new_expires_on = forms.DateField(widget=DateInput(attrs={"class": "form-control"}), label="New end date")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Reason for the extension")


class AwardingBodyExtensionForm(forms.Form):
    qualification = forms.ModelChoiceField(queryset=None, label="Qualification")
    kind = forms.ChoiceField(
        choices=[("registration", "Last registration date"), ("certification", "Last certification date")],
        label="Date extended",
    )
    reference = forms.CharField(max_length=100, label="Awarding body's reference")
    new_date = forms.DateField(widget=DateInput(), label="New date")
    centre = forms.ModelChoiceField(queryset=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)

        centres = centres_of(user, roles=[Role.CENTRE_ADMIN])
        self.fields["centre"].queryset = centres
        if centres.count() == 1:
            self.fields["centre"].initial = centres.first()
            self.fields["centre"].widget = forms.HiddenInput()
        self.fields["qualification"].queryset = Qualification.objects.filter(
            last_registration_date__isnull=False
        ) | Qualification.objects.filter(last_certification_date__isnull=False)


class EmployerRequestForm(forms.Form):
    """The assessor names the employer who is asked to confirm the summary of unit achievement."""

    employer_name = forms.CharField(
        label="Employer's name",
        max_length=200,
        help_text="The person who confirms: the candidate's manager or employer",
    )
    email = forms.EmailField(label="Employer's email", help_text="The confirmation link goes there")
    organisation = forms.CharField(label="Organisation", max_length=200, required=False)


class EmployerConfirmForm(forms.Form):
    """What the employer (no account) fills in to confirm or decline."""

    name = forms.CharField(label="Your name", max_length=200, required=False)
    job_title = forms.CharField(label="Your job title", max_length=200, required=False)
    declaration = forms.BooleanField(label=STATEMENTS[SignatureKind.EMPLOYER], required=False)
    reason = forms.CharField(
        label="If you decline: why (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RegistrationListQuery(ListQuery):
    """The centre admin's registrations list: search, filter by qualification and status, sort."""

    SEARCH_FIELDS = (
        "candidate__first_name",
        "candidate__last_name",
        "candidate__username",
        "candidate_number",
    )
    SEARCH_LABEL = "Candidate (name, username or number)"
    FILTERS = {"qualification": "qualification__code", "status": "status"}
    SORTS = {
        "candidate": (
            "Candidate",
            ("candidate__last_name", "candidate__first_name", "candidate__username", "id"),
        ),
        "registered": ("Newest registered", ("-registered_on", "-id")),
        "expires": ("Ending soonest", ("expires_on", "id")),
        "qualification": ("Qualification", ("qualification__code", "candidate__last_name", "id")),
    }

    qualification = forms.ChoiceField(required=False)
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Registration.Status.choices])

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["qualification"].choices = [("", "Any qualification")] + [
            (code, code) for code in Qualification.objects.order_by("code").values_list("code", flat=True)
        ]


class CaseloadQuery(ListQuery):
    """The assessor's caseload: searched by candidate or qualification; always most in need of attention first."""

    SEARCH_FIELDS = ("candidate",)  # searched by selectors.caseload_for (CASELOAD_SEARCH)
    SEARCH_LABEL = "Candidate or qualification"
