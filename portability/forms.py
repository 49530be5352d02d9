from django import forms

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
