from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from . import pages, views

app_name = "api"

urlpatterns = [
    path("v1/people/", views.PersonList.as_view(), name="people"),
    path("v1/registrations/", views.RegistrationList.as_view(), name="registrations"),
    path("v1/registrations/<int:pk>/progress/", views.RegistrationProgress.as_view(), name="progress"),
    path("v1/claims/", views.ClaimList.as_view(), name="claims"),
    path("v1/schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("v1/redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("tokens/", pages.token_list, name="token_list"),
    path("tokens/<int:pk>/revoke/", pages.token_revoke, name="token_revoke"),
]
