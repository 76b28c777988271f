"""Load organisations, products and case studies from a catalogue file (the format is in
docs/import-format.md). The whole file is checked first: if anything is wrong, every
problem is listed with its JSON path and nothing is written. Records are matched on
their id, so importing the same file twice changes nothing."""

import sys

from django.core.management.base import BaseCommand, CommandError

from interchange.importer import import_catalogue
from interchange.progress import progress_bar
from interchange.schema import ImportFailed, parse_json


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("file", help="The JSON file to import, or - to read standard input.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and report what would change, without writing anything.",
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Refuse the whole file if any product breaks a proof rule (docs/proof-rules.md)"
            "; without it, such products are imported and listed as warnings.",
        )

    def handle(self, *args, file, dry_run, verbosity, strict=False, **options):
        text = self.read(file)
        try:
            report = import_catalogue(
                parse_json(text),
                dry_run=dry_run,
                progress=progress_bar(verbosity),
                strict=strict,
            )
        except ImportFailed as failure:
            for problem in failure.problems:
                self.stderr.write(str(problem))
            count = len(failure.problems)
            raise CommandError(
                f"{file}: {count} problem{'s' if count != 1 else ''} found, so nothing was "
                "imported. Fix them and run the import again."
            ) from None

        if verbosity >= 2:
            for line in report.detail_lines():
                self.stdout.write(line)
        for note in report.notes:
            self.stdout.write(f"Note: {note}")
        for warning in report.warnings:
            self.stderr.write(f"Warning: {warning} (breaks a proof rule; --strict refuses it)")
        if dry_run:
            self.stdout.write("Dry run: the file is valid and nothing was written. It would give:")
        for line in report.summary_lines():
            self.stdout.write(line)
        if not dry_run:
            self.stdout.write(self.style.SUCCESS(f"Imported {file}."))

    @staticmethod
    def read(file):
        try:
            if file == "-":
                return sys.stdin.buffer.read().decode("utf-8-sig")
            with open(file, encoding="utf-8-sig") as handle:
                return handle.read()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(
                f"{file} is not UTF-8 text (byte {exc.start} cannot be read). Save it as UTF-8."
            ) from exc
