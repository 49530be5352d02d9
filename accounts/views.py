from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from .forms import ThrottledAuthenticationForm, client_ip
from .services import login_success_record


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        login_success_record(user=form.get_user(), ip_address=client_ip(self.request))
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordResetView(auth_views.PasswordResetView):
    success_url = reverse_lazy("accounts:password_reset_done")
    email_template_name = "registration/password_reset_email.txt"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password_reset_complete")


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
    return render(request, "accounts/notifications.html", {
        "notices": notices, "unread": sum(1 for n in notices if n.read_at is None)})
