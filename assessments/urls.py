from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("start/", views.start, name="start"),
    path("<int:pk>/", views.task_list, name="task_list"),
    path("<int:pk>/about/", views.about, name="about"),
    path("<int:pk>/questions/<str:code>/", views.question, name="question"),
    path("<int:pk>/check-your-answers/", views.check_answers, name="check_answers"),
    path("<int:pk>/confirmation/", views.confirmation, name="confirmation"),
    path("<int:pk>/files/<int:upload_pk>/", views.download, name="download"),
]
