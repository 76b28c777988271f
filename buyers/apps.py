from django.apps import AppConfig


class BuyersConfig(AppConfig):
    name = "buyers"
    verbose_name = "Buyer tools"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .shortlist import merge_on_sign_in

        # Whatever view signs a person in, their visitor's shortlist joins their account.
        user_logged_in.connect(merge_on_sign_in, dispatch_uid="buyers.shortlist.merge")
