from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.simple_tag
def evidence_url(item, name="detail"):
    """Link to the evidence app's page for an item ("" until that page exists)."""
    try:
        return reverse(f"evidence:{name}", args=[item.pk])
    except NoReverseMatch:
        return ""


@register.filter
def get_item(mapping, key):
    return mapping.get(key)
