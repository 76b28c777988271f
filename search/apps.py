from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    label = "registry_search"
    verbose_name = "Search"
