from django.urls import path

from . import invitation_views

app_name = "invitations"

urlpatterns = [
    path("new/", invitation_views.request_new, name="request_new"),
    path("<uidb64>/<token>/", invitation_views.accept, name="accept"),
]
