from django.apps import AppConfig


class FormulariesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "formularies"
    verbose_name = "Local formularies"
