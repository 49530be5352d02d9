from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.urls import reverse_lazy

from . import services
from .forms import SignInForm, locked_out_message
from .lockout import client_ip


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
    return render(request, "registration/login.html",
                  {"form": form, "lockout_message": locked_out_message()}, status=429)


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
