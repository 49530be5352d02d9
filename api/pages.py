"""The centre admin's pages for API tokens (HTML, beside the API itself)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.selectors import centres_of

from . import services
from .forms import TokenForm
from .models import ApiToken


def _centre(user):
    return centres_of(user, roles=[Role.CENTRE_ADMIN]).order_by("pk").first()


def token_list(request):
    centre = _centre(request.user)
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_key = services.api_token_create(
                actor=request.user,
                centre=centre,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            form = TokenForm()
    tokens = ApiToken.objects.filter(centre=centre).select_related("created_by", "revoked_by")[:200]
    return render(
        request, "api/token_list.html", {"centre": centre, "form": form, "tokens": tokens, "new_key": new_key}
    )


@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(
        ApiToken.objects.filter(centre__in=centres_of(request.user, roles=[Role.CENTRE_ADMIN])), pk=pk
    )
    try:
        services.api_token_revoke(actor=request.user, token=token)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Token {token.prefix}… revoked: it is refused from now on.")
    return redirect("api:token_list")
