from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = "Catalogue"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .shortlist import merge_on_sign_in

        # Whatever view signs a person in, their visitor's shortlist joins their account.
        user_logged_in.connect(merge_on_sign_in, dispatch_uid="registry.shortlist.merge")
