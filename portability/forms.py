from django import forms

from accounts.models import Role
from accounts.people.forms import PICKER_HELP, picker_attrs
from accounts.people.selectors import candidate_named
from accounts.selectors import people_with_role
from qualifications.models import Qualification

MAX_PASSPORT_UPLOAD = 2 * 1024**3


class PassportUploadForm(forms.Form):
    passport = forms.FileField(label="Portfolio passport (ZIP)")


class CredentialVerifyForm(forms.Form):
    credential = forms.FileField(label="Credential file (JSON)", required=False)
    text = forms.CharField(
        label="…or paste the credential",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=512 * 1024,
    )

    def clean(self):
        data = super().clean()
        if not data.get("credential") and not data.get("text"):
            raise forms.ValidationError("Choose the credential file or paste its text.")
        return data


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="Reason for revoking", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


UNKNOWN_CANDIDATE = "There is no candidate “{name}” at this centre: give their username or candidate number."


class PassportImportForm(forms.Form):
    passport = forms.FileField(label="Portfolio passport (ZIP)")
    candidate = forms.CharField(
        max_length=150, help_text="The candidate's account at this centre. " + PICKER_HELP
    )
    assessor = forms.ModelChoiceField(queryset=None)
    internal_verifier = forms.ModelChoiceField(queryset=None)
    entry_conditions = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Entry conditions confirmed",
        help_text="Tick those of the passport's qualification that you confirm the candidate meets: a qualification "
        "with entry conditions is registered only when every one is confirmed.",
    )

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self._centres = type(centre).objects.filter(pk=centre.pk)  # the pickers' lookups take centres
        self.fields["candidate"].widget.attrs.update(picker_attrs(self._centres))
        self.fields["assessor"].queryset = people_with_role(centre, Role.ASSESSOR)
        self.fields["internal_verifier"].queryset = people_with_role(centre, Role.INTERNAL_VERIFIER)
        choices = [
            (f"{q.code}:{c['key']}", f"{q.code}: {c['text']}")
            for q in Qualification.objects.exclude(entry_conditions=[]).order_by("code")
            for c in (q.entry_conditions or [])
            if isinstance(c, dict) and c.get("key")
        ]
        if choices:
            self.fields["entry_conditions"].choices = choices
        else:
            del self.fields["entry_conditions"]

    def clean_candidate(self):
        name = self.cleaned_data["candidate"]
        candidate = candidate_named(self._centres, name)
        if candidate is None:
            raise forms.ValidationError(UNKNOWN_CANDIDATE.format(name=name.strip()))
        return candidate


class PriorDecisionForm(forms.Form):
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text="Needed to reject",
    )
