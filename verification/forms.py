"""Forms for verification pages. They collect input; the services decide."""

from django import forms
from django.utils import timezone

from accounts.models import Centre, Role, User
from accounts.people.forms import picker_attrs
from accounts.people.selectors import UNKNOWN_CANDIDATE, candidate_named
from assessment.models import EvidenceMapping, Method, Registration
from audit.dates import DateInput
from audit.paging import ListQuery
from qualifications.models import Qualification

from . import selectors
from .models import (
    AssessorFlag,
    CertificationClaim,
    ExternalAccessGrant,
    Sample,
    SamplingPlan,
    VerificationDecision,
)

PERIOD_ORDER = "The period must end on or after the day it starts."
SHARE_RANGE = "The minimum share is a percentage from 1 to 100."
NO_STAGE = "Sample at the interim stage, the summative stage or both: tick at least one."


class PlanForm(forms.ModelForm):
    centre = forms.ModelChoiceField(queryset=Centre.objects.none())
    qualification = forms.ModelChoiceField(queryset=Qualification.objects.order_by("code"))

    class Meta:
        model = SamplingPlan
        fields = [
            "centre",
            "qualification",
            "period_start",
            "period_end",
            "min_share_percent",
            "cover_units",
            "cover_methods",
            "cover_sites",
            "interim",
            "summative",
        ]
        widgets = {"period_start": DateInput(), "period_end": DateInput()}

    def __init__(self, *args, centres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = centres
        if centres.count() == 1:
            self.fields["centre"].initial = centres.first()
        self.fields["qualification"].label_from_instance = lambda q: f"{q.code} {q.title}"

    def clean(self):
        """The plan's database constraints, checked first in words (no constraint name reaches the page)."""
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", PERIOD_ORDER)
        share = data.get("min_share_percent")
        if share is not None and not 1 <= share <= 100:
            self.add_error("min_share_percent", SHARE_RANGE)
        if "interim" in data and "summative" in data and not (data["interim"] or data["summative"]):
            self.add_error("interim", NO_STAGE)
        return data


class FlagForm(forms.Form):
    assessor = forms.ModelChoiceField(queryset=User.objects.none())
    flag = forms.ChoiceField(
        choices=[("", "No flag (sample the plan's share)")] + AssessorFlag.Flag.choices, required=False
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, centres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessor"].queryset = User.objects.filter(
            memberships__centre__in=centres, memberships__role=Role.ASSESSOR
        ).distinct()


class SiteForm(forms.Form):
    registration = forms.ModelChoiceField(queryset=Registration.objects.none(), widget=forms.HiddenInput)
    site = forms.CharField(max_length=100, required=False)

    def __init__(self, *args, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registration"].queryset = registrations


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(choices=VerificationDecision.Outcome.choices, widget=forms.RadioSelect)
    comments = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    action_points = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when you refer back: what the assessor must put right.",
    )


class MappingDecisionForm(forms.Form):
    """Agree or refer back one assessment decision: one note, the action points when referring back."""

    outcome = forms.ChoiceField(choices=VerificationDecision.Outcome.choices)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def decision_kwargs(self) -> dict:
        note = self.cleaned_data["note"]
        if self.cleaned_data["outcome"] == VerificationDecision.Outcome.REFERRED:
            return {"outcome": VerificationDecision.Outcome.REFERRED, "action_points": note}
        return {"outcome": VerificationDecision.Outcome.AGREED, "comments": note}


class ReferralCloseForm(forms.Form):
    note = forms.CharField(required=False, label="Closing note", widget=forms.Textarea(attrs={"rows": 2}))


MAX_GRANT_NAMES = 200
ERR_GRANT_WHO = (
    "Choose an external verifier your centre works with, or give the external verifier's email address."
)
ERR_GRANT_BOTH = "Choose an external verifier or give an email address, not both."


class GrantForm(forms.Form):
    """Who: an external verifier the centre already works with (granted before, or holding the role there),
    or an email address. Never a list of every external verifier in the system."""

    centre = forms.ModelChoiceField(queryset=Centre.objects.none())
    external_verifier = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="An external verifier your centre works with",
        help_text="Those your centre has granted access to before. For anybody else, give their email address.",
    )
    email = forms.EmailField(
        required=False,
        label="Or the external verifier's email address",
        help_text="An external verifier already known to the system by this address is "
        "given access; otherwise an account is made and they choose their "
        'password through "Forgotten your password?".',
    )
    first_name = forms.CharField(required=False, label="First name (new external verifier)")
    last_name = forms.CharField(required=False, label="Last name (new external verifier)")
    scope = forms.ChoiceField(
        choices=ExternalAccessGrant.Scope.choices,
        widget=forms.RadioSelect,
        initial=ExternalAccessGrant.Scope.CANDIDATES,
    )
    candidates = forms.CharField(
        required=False,
        label="Candidates",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Usernames or candidate numbers, one per line or separated by commas; "
        "each candidate's registrations at the centre are granted. "
        "Suggestions appear as you type.",
    )
    sample = forms.ModelChoiceField(queryset=Sample.objects.none(), required=False)
    expires_on = forms.DateField(widget=DateInput(), label="Access until (last day)")

    def __init__(self, *args, centres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = centres
        if centres.count() == 1:
            self.fields["centre"].initial = centres.first()
        self.fields["external_verifier"].queryset = selectors.external_verifiers_known_to(centres)
        self.fields["candidates"].widget.attrs.update(picker_attrs(centres))
        self.fields["sample"].queryset = Sample.objects.filter(plan__centre__in=centres).select_related(
            "plan__qualification"
        )
        self.fields["expires_on"].initial = timezone.localdate() + timezone.timedelta(days=30)

    def clean(self):
        data = super().clean()
        if not data.get("external_verifier") and not data.get("email"):
            raise forms.ValidationError(ERR_GRANT_WHO)
        if data.get("external_verifier") and data.get("email"):
            raise forms.ValidationError(ERR_GRANT_BOTH)
        data["registrations"] = self._registrations(data.get("centre"), data.get("candidates", ""))
        return data

    def _registrations(self, centre, text):
        """The registrations at `centre` of the candidates named (username or candidate number), each unknown
        name an error on the field."""
        names = [n.strip() for n in text.replace(",", "\n").splitlines() if n.strip()]
        if centre is None or not names:
            return Registration.objects.none()
        people, unknown = [], []
        for name in names[:MAX_GRANT_NAMES]:
            person = candidate_named([centre], name)
            (people if person else unknown).append(person or name)
        for name in unknown:
            self.add_error("candidates", UNKNOWN_CANDIDATE.format(name=name))
        if len(names) > MAX_GRANT_NAMES:
            self.add_error("candidates", f"Name at most {MAX_GRANT_NAMES} candidates in one grant.")
        return Registration.objects.filter(centre=centre, candidate__in=people)


class ClaimForm(forms.Form):
    kind = forms.ChoiceField(choices=CertificationClaim.Kind.choices)
    unit = forms.MultipleChoiceField(required=False, choices=[])  # refs; the service checks each one
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why the candidate leaves (an exit claim withdraws the registration)",
    )
    confirmed = forms.BooleanField(required=False)

    def __init__(self, *args, refs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(r, r) for r in refs]


class ClaimCancelForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Why the claim is cancelled")


class ReferralAnswerForm(forms.Form):
    kind = forms.ChoiceField(
        choices=VerificationDecision.AnswerKind.choices, widget=forms.RadioSelect, label="What you did"
    )
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="What you did, for the internal verifier"
    )
    evidence = forms.ModelChoiceField(
        queryset=None, required=False, label="New evidence (mapped to the referred criterion, accepted)"
    )
    method = forms.ChoiceField(
        choices=[("", "The referred decision's method")] + list(Method.choices),
        required=False,
        label="Assessment method of the new evidence",
    )
    location = forms.CharField(max_length=100, required=False, label="Location reference in the new evidence")
    corrected_decision = forms.ChoiceField(
        choices=[("", "—")] + list(EvidenceMapping.Decision.choices),
        required=False,
        label="Corrected decision",
    )
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why not yet (for a corrected decision of not yet)",
    )

    def __init__(self, *args, evidence_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].queryset = evidence_queryset


class ReferralNoteForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Note")


CANDIDATE_SEARCH = ("first_name", "last_name", "username", "candidate_number")


def _candidate_lookups(prefix: str) -> tuple[str, ...]:
    """The candidate's name, username and the registration's candidate number, under `prefix` (a registration)."""
    return tuple(f"{prefix}candidate__{f}" for f in CANDIDATE_SEARCH[:3]) + (f"{prefix}candidate_number",)


def _qualification_choices():
    return [("", "Any qualification")] + [
        (c, c) for c in Qualification.objects.order_by("code").values_list("code", flat=True)
    ]


class ClaimReadyQuery(ListQuery):
    """ "Ready to claim": the registrations with a signed unit, searched by candidate."""

    SEARCH_FIELDS = _candidate_lookups("")
    SEARCH_LABEL = "Candidate (name, username or number)"
    FILTERS = {"qualification": "qualification__code"}
    SORTS = {
        "candidate": ("Candidate", ("candidate__last_name", "candidate__first_name", "id")),
        "registered": ("Registered first", ("registered_on", "id")),
    }

    qualification = forms.ChoiceField(required=False)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, prefix="ready", **kwargs)
        self.fields["qualification"].choices = _qualification_choices()


class ClaimListQuery(ListQuery):
    """ "Claims made": searched by candidate, filtered by kind and status, newest first by default."""

    SEARCH_FIELDS = _candidate_lookups("registration__")
    SEARCH_LABEL = "Candidate (name, username or number)"
    FILTERS = {"kind": "kind", "status": "status"}
    SORTS = {
        "newest": ("Newest first", ("-claimed_at", "-id")),
        "oldest": ("Oldest first", ("claimed_at", "id")),
        "candidate": (
            "Candidate",
            ("registration__candidate__last_name", "registration__candidate__first_name", "id"),
        ),
    }

    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *CertificationClaim.Kind.choices])
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *CertificationClaim.Status.choices]
    )


class SiteListQuery(ListQuery):
    """The internal verifier's site list: searched by candidate or site, filtered by qualification."""

    SEARCH_FIELDS = (*_candidate_lookups(""), "verification_site__site")
    SEARCH_LABEL = "Candidate or site"
    FILTERS = {"qualification": "qualification__code", "site": "verification_site__site"}
    SORTS = {
        "candidate": ("Candidate", ("candidate__last_name", "candidate__first_name", "id")),
        "site": ("Site", ("verification_site__site", "candidate__last_name", "id")),
    }

    qualification = forms.ChoiceField(required=False)
    site = forms.CharField(required=False, max_length=100, label="Exact site")

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["qualification"].choices = _qualification_choices()


class ReferralListQuery(ListQuery):
    """Open referrals: searched by candidate or unit, sorted by age or due date."""

    SEARCH_FIELDS = (*_candidate_lookups("unit_assessment__registration__"), "unit_assessment__unit__ref")
    SEARCH_LABEL = "Candidate or unit"
    FILTERS = {"status": "referral_status"}
    SORTS = {
        "oldest": ("Oldest first", ("decided_at", "id")),
        "due": ("Due soonest", ("due_on", "id")),
        "newest": ("Newest first", ("-decided_at", "-id")),
    }

    status = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Open or answered"),
            *[c for c in VerificationDecision.ReferralStatus.choices if c[0] not in ("", "closed")],
        ],
    )


class GrantListQuery(ListQuery):
    """External verifier access grants, searched by the external verifier."""

    SEARCH_FIELDS = (
        "external_verifier__first_name",
        "external_verifier__last_name",
        "external_verifier__email",
        "external_verifier__username",
    )
    SEARCH_LABEL = "External verifier"
    SORTS = {
        "newest": ("Newest first", ("-granted_at", "-id")),
        "expires": ("Ending soonest", ("expires_on", "id")),
    }
