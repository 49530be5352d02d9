from django.urls import path

from . import views

app_name = "qualifications"

urlpatterns = [
    path("", views.qualification_list, name="list"),
    path("search/", views.unit_search, name="search"),
    path("units/<str:ref>/", views.unit_detail, name="unit"),
    path("<str:code>/", views.qualification_detail, name="detail"),
]
