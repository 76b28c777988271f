"""Write every live, public product and case study, and the organisations they refer to, as
a catalogue file that import_registry reads (see docs/import-format.md). Records without
an external id get a stable one, such as registry:product:42."""

import os
import tempfile

from django.core.management.base import BaseCommand, CommandError

from interchange.exporter import dumps, export_catalogue
from interchange.progress import progress_bar


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("file", help="Where to write the JSON, or - for standard output.")

    def handle(self, *args, file, verbosity, **options):
        progress = progress_bar(verbosity)

        def warn(message):
            self.stderr.write(f"Warning: {message}")

        document = export_catalogue(warn=warn, progress=progress)
        text = dumps(document)
        if file == "-":
            self.stdout.write(text, ending="")
        else:
            self.write_atomically(file, text)
        counts = ", ".join(
            f"{section.replace('_', ' ')}: {len(document[section])}"
            for section in ("organisations", "products", "case_studies")
        )
        # With the document on standard output, the summary goes to standard error.
        summary = self.stderr if file == "-" else self.stdout
        if verbosity >= 1:
            summary.write(f"Exported to {'standard output' if file == '-' else file}: {counts}.")

    @staticmethod
    def write_atomically(path, text):
        """Write next to the target and rename, so a failed export leaves no half a file."""
        directory = os.path.dirname(os.path.abspath(path))
        temporary = None
        try:
            handle, temporary = tempfile.mkstemp(dir=directory, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as output:
                output.write(text)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
            os.replace(temporary, path)
        except OSError as exc:
            if temporary and os.path.exists(temporary):
                os.unlink(temporary)
            raise CommandError(f"Cannot write {path}: {exc.strerror}.") from exc
