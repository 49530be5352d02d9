"""Forms for verification pages. They collect input; the services decide."""
from django import forms
from django.utils import timezone

from accounts.models import Centre, Role, User
from assessment.models import Registration
from qualifications.models import Qualification

from . import selectors
from .models import AssessorFlag, ExternalAccessGrant, Sample, SamplingPlan, VerificationDecision

DATE_WIDGET = forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}, format="%d/%m/%Y")


class PlanForm(forms.ModelForm):
    centre = forms.ModelChoiceField(queryset=Centre.objects.none())
    qualification = forms.ModelChoiceField(queryset=Qualification.objects.order_by("code"))

    class Meta:
        model = SamplingPlan
        fields = ["centre", "qualification", "period_start", "period_end", "min_share_percent", "cover_units",
                  "cover_methods", "cover_sites", "interim", "summative"]
        widgets = {"period_start": DATE_WIDGET, "period_end": DATE_WIDGET}

    def __init__(self, *args, centres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = centres
        if centres.count() == 1:
            self.fields["centre"].initial = centres.first()


class FlagForm(forms.Form):
    assessor = forms.ModelChoiceField(queryset=User.objects.none())
    flag = forms.ChoiceField(choices=[("", "No flag (sample the plan's share)")] + AssessorFlag.Flag.choices,
                             required=False)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, centres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessor"].queryset = User.objects.filter(
            memberships__centre__in=centres, memberships__role=Role.ASSESSOR).distinct()


class SiteForm(forms.Form):
    registration = forms.ModelChoiceField(queryset=Registration.objects.none(), widget=forms.HiddenInput)
    site = forms.CharField(max_length=100, required=False)

    def __init__(self, *args, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registration"].queryset = registrations


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(choices=VerificationDecision.Outcome.choices, widget=forms.RadioSelect)
    comments = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    action_points = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                    help_text="Required when you refer back: what the assessor must put right.")


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


ERR_GRANT_WHO = "Choose an external verifier your centre works with, or give the external verifier's email address."
ERR_GRANT_BOTH = "Choose an external verifier or give an email address, not both."


class GrantForm(forms.Form):
    """Who: an external verifier the centre already works with (granted before, or holding the role there),
    or an email address. Never a list of every external verifier in the system."""

    centre = forms.ModelChoiceField(queryset=Centre.objects.none())
    external_verifier = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False,
        label="An external verifier your centre works with",
        help_text="Those your centre has granted access to before. For anybody else, give their email address.")
    email = forms.EmailField(required=False, label="Or the external verifier's email address",
                             help_text="An external verifier already known to the system by this address is "
                                       "given access; otherwise an account is made and they choose their "
                                       "password through \"Forgotten your password?\".")
    first_name = forms.CharField(required=False, label="First name (new external verifier)")
    last_name = forms.CharField(required=False, label="Last name (new external verifier)")
    scope = forms.ChoiceField(choices=ExternalAccessGrant.Scope.choices, widget=forms.RadioSelect,
                              initial=ExternalAccessGrant.Scope.CANDIDATES)
    registrations = forms.ModelMultipleChoiceField(queryset=Registration.objects.none(), required=False,
                                                   label="Candidates", widget=forms.CheckboxSelectMultiple)
    sample = forms.ModelChoiceField(queryset=Sample.objects.none(), required=False)
    expires_on = forms.DateField(widget=DATE_WIDGET, label="Access until (last day)")

    def __init__(self, *args, centres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = centres
        if centres.count() == 1:
            self.fields["centre"].initial = centres.first()
        self.fields["external_verifier"].queryset = selectors.external_verifiers_known_to(centres)
        self.fields["registrations"].queryset = Registration.objects.filter(centre__in=centres).select_related(
            "candidate", "qualification")
        self.fields["registrations"].label_from_instance = lambda r: f"{r.candidate} — {r.qualification.code}"
        self.fields["sample"].queryset = Sample.objects.filter(plan__centre__in=centres).select_related(
            "plan__qualification")
        self.fields["expires_on"].initial = timezone.localdate() + timezone.timedelta(days=30)

    def clean(self):
        data = super().clean()
        if not data.get("external_verifier") and not data.get("email"):
            raise forms.ValidationError(ERR_GRANT_WHO)
        if data.get("external_verifier") and data.get("email"):
            raise forms.ValidationError(ERR_GRANT_BOTH)
        return data


class ClaimForm(forms.Form):
    kind = forms.ChoiceField(choices=[("full", "Full qualification"), ("units", "Unit certification")])
