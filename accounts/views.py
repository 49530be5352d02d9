from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme

from . import services, two_factor
from .forms import SignInForm, TwoFactorCodeForm, locked_out_message
from .lockout import client_ip

TWO_FACTOR_ON_MESSAGE = "Two-factor sign-in is on: from now on you will be asked for a code from your app."


class LoginView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


def lockout_response(request, original_response=None, credentials=None):
    """What django-axes answers a locked-out (username, client address): the sign-in page that the form
    already rendered with the lockout message, as 429; the plain sign-in page when there is none."""
    if original_response is not None and original_response.status_code == 200:
        original_response.status_code = 429
        return original_response
    form = SignInForm(request)
    return render(
        request,
        "registration/login.html",
        {"form": form, "lockout_message": locked_out_message()},
        status=429,
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_change_record(user=form.user, ip_address=client_ip(self.request))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    success_url = reverse_lazy("accounts:password_reset_done")
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        # Links are built from SITE_URL, never from the Host header a requester can forge.
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_reset_complete(user=form.user, ip_address=client_ip(self.request))
        return response


def two_factor_setup(request):
    """Set up (or replace) the authenticator app: a QR code and the secret, then a first code to confirm."""
    device = two_factor.pending_device(request.user)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = two_factor.two_factor_confirm(request=request, device=device, token=form.cleaned_data["code"])
        if error is None:
            messages.success(request, TWO_FACTOR_ON_MESSAGE)
            return redirect("home")
        form.add_error("code", error)
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": two_factor.qr_svg(device),
            "secret": two_factor.secret_base32(device),
            "required": two_factor.two_factor_required(request.user),
            "already_on": two_factor.has_two_factor(request.user),
        },
    )


def two_factor_verify(request):
    """The second step of signing in, for people with an authenticator app."""
    if request.user.is_verified() or not two_factor.has_two_factor(request.user):
        return redirect("home")
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = two_factor.two_factor_verify(
            request=request, user=request.user, token=form.cleaned_data["code"]
        )
        if error is None:
            return redirect(
                url_has_allowed_host_and_scheme(request.GET.get("next"), allowed_hosts={request.get_host()})
                and request.GET["next"]
                or "home"
            )
        form.add_error("code", error)
    return render(request, "registration/two_factor_verify.html", {"form": form})


def notification_list(request):
    """The person's notices, newest first (the latest 50); POST marks them all read."""
    from django.contrib import messages
    from django.shortcuts import redirect, render

    from .services import notifications_mark_read

    if request.method == "POST":
        notifications_mark_read(user=request.user)
        messages.success(request, "Notifications marked as read.")
        return redirect("accounts:notifications")
    notices = list(request.user.notifications.all()[:50])
    return render(
        request,
        "accounts/notifications.html",
        {"notices": notices, "unread": sum(1 for n in notices if n.read_at is None)},
    )
