from django.urls import path

from . import views

app_name = "competence"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:centre_pk>/", views.overview, name="overview"),
    path("<int:centre_pk>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("<int:centre_pk>/<int:pk>/", views.staff, name="staff"),
    path("<int:centre_pk>/<int:pk>/qualifications/add/", views.qualification_add, name="qualification_add"),
    path("<int:centre_pk>/<int:pk>/statement/", views.statement_set, name="statement_set"),
    path("<int:centre_pk>/<int:pk>/cpd/add/", views.cpd_add, name="cpd_add"),
    path("<int:centre_pk>/<int:pk>/trainee/", views.trainee_set, name="trainee_set"),
]
