from django import forms

from accounts.models import Role
from accounts.selectors import people_with_role

MAX_PASSPORT_UPLOAD = 2 * 1024**3


class PassportUploadForm(forms.Form):
    passport = forms.FileField(label="Portfolio passport (ZIP)")


class CredentialVerifyForm(forms.Form):
    credential = forms.FileField(label="Credential file (JSON)", required=False)
    text = forms.CharField(label="…or paste the credential", widget=forms.Textarea(attrs={"rows": 6}),
                           required=False, max_length=512 * 1024)

    def clean(self):
        data = super().clean()
        if not data.get("credential") and not data.get("text"):
            raise forms.ValidationError("Choose the credential file or paste its text.")
        return data


class RevokeForm(forms.Form):
    reason = forms.CharField(label="Reason for revoking", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class PassportImportForm(forms.Form):
    passport = forms.FileField(label="Portfolio passport (ZIP)")
    candidate = forms.ModelChoiceField(queryset=None, help_text="The candidate's account at this centre")
    assessor = forms.ModelChoiceField(queryset=None)
    internal_verifier = forms.ModelChoiceField(queryset=None)

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidate"].queryset = people_with_role(centre, Role.CANDIDATE)
        self.fields["assessor"].queryset = people_with_role(centre, Role.ASSESSOR)
        self.fields["internal_verifier"].queryset = people_with_role(centre, Role.INTERNAL_VERIFIER)


class PriorDecisionForm(forms.Form):
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
                           help_text="Needed to reject")
