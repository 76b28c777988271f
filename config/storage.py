"""Static files in production: names carry a hash of their content, so they can be cached for
a year, and whitenoise serves them from gunicorn with that lifetime.

Django's manifest storage also rewrites `sourceMappingURL` comments to the hashed name of the
map, and refuses to build when the map is not there. The NHS.UK frontend ships its minified
CSS and JS with such a comment but without the maps, so `collectstatic` failed and, with no
manifest, every page failed to render. Maps are a developer's aid, not part of the service:
this storage leaves those comments as they are (a browser asks for a map only when its
developer tools are open, and then gets a 404) and rewrites every other reference as Django
does.
"""

from django.contrib.staticfiles.storage import ManifestStaticFilesStorage


def _without_source_maps(patterns):
    return tuple(
        (
            extension,
            tuple(
                rule
                for rule in rules
                if "sourceMappingURL" not in (rule if isinstance(rule, str) else rule[0])
            ),
        )
        for extension, rules in patterns
    )


class StaticFilesStorage(ManifestStaticFilesStorage):
    """Hashed names and a manifest; source-map comments left alone."""

    patterns = _without_source_maps(ManifestStaticFilesStorage.patterns)
