"""Building the model instances a file's records describe, with the model's own validation.

Part of the import's first pass (see `importer`): `schema` has already checked each value's
type; this makes an unsaved instance of the record and runs the model's `full_clean`, so the
import refuses what the admin refuses, each message filed under the file's key.
"""

from django.core.exceptions import ValidationError

from .plans import add_file_errors


class RecordBuilder:
    def __init__(self, problems):
        self.problems = problems

    def build(self, spec, record, instance=None, **values):
        """An unsaved instance holding the record's valid scalar values, validated."""
        instance = instance or spec.model()
        attrs = set(values)
        for f in spec.scalar_fields:
            if record.ok(f.key):
                setattr(instance, f.attr, record[f.key])
                attrs.add(f.attr)
        for attr, value in values.items():
            setattr(instance, attr, value)
        self.validate(instance, spec, record.path, attrs)
        return instance

    def validate(self, instance, spec, path, attrs):
        """The model's own validation of `attrs`, each message filed under its key.

        Foreign keys are left out: the references were resolved against the registry
        already, and checking each again would cost a query per row.
        """
        exclude = [f.name for f in instance._meta.fields if f.name not in attrs or f.is_relation]
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            add_file_errors(self.problems, exc, spec, path)
