from django import forms

SEARCH_HELP = "A unit number such as 401, a reference such as 4430-401, or words from the title."


class UnitSearchForm(forms.Form):
    q = forms.CharField(label="Search units", max_length=100, help_text=SEARCH_HELP)
