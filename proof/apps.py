from django.apps import AppConfig


class ProofConfig(AppConfig):
    name = "proof"
    verbose_name = "Proof rules"
