"""Rebuild, check and describe the search indices. `rebuild` loads a new dated index and
swaps the alias to it (search keeps answering); `check` compares the index with the
database and `check --fix` repairs what differs; `status` shows the indices and the
queue of changes waiting for the worker."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from search import fulltext, queue
from search.analysis import lay_term_rules, vocabulary_version
from search.building import indexable_pages
from search.client import SearchNotConfigured, SearchUnavailable, get_client
from search.documents import alias_name
from search.drift import find_drift, fix_drift
from search.indexing import (
    RebuildInProgress,
    answering,
    built_vocabulary_version,
    index_state,
    rebuild,
)

KINDS = queue.KINDS


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        rebuild_parser = actions.add_parser(
            "rebuild", help="Build new indices from the database and swap them in."
        )
        check_parser = actions.add_parser(
            "check", help="Report documents missing from, extra in or stale in the index."
        )
        check_parser.add_argument(
            "--fix", action="store_true", help="Re-index missing and stale, delete extra."
        )
        actions.add_parser("status", help="Aliases, indices, document counts and queue.")
        database_parser = actions.add_parser(
            "rebuild-database",
            help="Rebuild the database engine's words (search.fulltext) for every page; "
            "needs no Elasticsearch.",
        )
        for sub in (rebuild_parser, check_parser, database_parser):
            sub.add_argument(
                "--kind", choices=KINDS, help="Only this kind of document (default: all)."
            )

    def handle(self, *args, action, **options):
        if action == "rebuild-database":
            self.handle_rebuild_database(**options)
            return
        try:
            get_client()
            getattr(self, f"handle_{action}")(**options)
        except (SearchNotConfigured, SearchUnavailable, RebuildInProgress) as exc:
            raise CommandError(str(exc)) from exc

    def progress(self, total, desc, unit, verbosity):
        """A bar with counts and rate on stderr (none at verbosity 0)."""
        return tqdm(
            total=total,
            desc=desc,
            unit=unit,
            file=getattr(self.stderr, "_out", sys.stderr),
            disable=verbosity < 1,
            dynamic_ncols=True,
            mininterval=0.5,
        )

    # --- rebuild ----------------------------------------------------------------------------

    def handle_rebuild(self, kind=None, verbosity=1, **options):
        for each in [kind] if kind else KINDS:
            total = indexable_pages(each).count()
            started = time.perf_counter()
            with self.progress(
                total, f"Indexing {each.replace('_', ' ')}s", "doc", verbosity
            ) as bar:
                name, count = rebuild(each, progress=bar.update)
            elapsed = time.perf_counter() - started
            rate = count / elapsed if elapsed else 0
            self.stdout.write(
                self.style.SUCCESS(
                    f"{alias_name(each)} now points at {name}: {count:,} documents in "
                    f"{elapsed:.1f}s ({rate:,.0f}/s)."
                )
            )

    def handle_rebuild_database(self, kind=None, verbosity=1, **options):
        for each in [kind] if kind else KINDS:
            started = time.perf_counter()
            total = indexable_pages(each).count()
            with self.progress(
                total, f"Words of {each.replace('_', ' ')}s", "page", verbosity
            ) as bar:
                count = fulltext.rebuild(each, progress=bar.update)
            elapsed = time.perf_counter() - started
            self.stdout.write(
                self.style.SUCCESS(
                    f"Database search words of {count:,} {each.replace('_', ' ')} pages "
                    f"rebuilt in {elapsed:.1f}s."
                )
            )

    # --- check ------------------------------------------------------------------------------

    def handle_check(self, kind=None, fix=False, **options):
        remaining = []
        for each in [kind] if kind else KINDS:
            drift = find_drift(each)
            self.stdout.write(drift.summary())
            if drift.ahead:
                self.stderr.write(
                    f"{each}: {len(drift.ahead)} documents carry a version above this "
                    "database's change sequence (was the database reset while the index "
                    "was kept?). Updates to them would be refused as older: run "
                    f"`manage.py search_index rebuild --kind {each}`."
                )
            if drift.clean:
                continue
            if not fix:
                remaining.append(each)
                continue
            if not drift.index_exists:
                name, count = rebuild(each)
                self.stdout.write(f"{each}: built {name} with {count:,} documents.")
                continue
            after = fix_drift(drift)
            fixed = len(drift.drifted) - len(after.drifted)
            self.stdout.write(f"{each}: repaired {fixed:,} of {len(drift.drifted):,}.")
            if not after.clean:
                self.stdout.write(after.summary())
                remaining.append(each)
        if remaining:
            hint = (
                "See the queue's errors with `manage.py search_index status`, or run "
                "`manage.py search_index rebuild`."
                if fix
                else "Run `manage.py search_index check --fix` to repair it."
            )
            raise CommandError(
                f"The index differs from the database ({', '.join(remaining)}). {hint}"
            )
        self.stdout.write(self.style.SUCCESS("The index matches the database."))

    # --- status -----------------------------------------------------------------------------

    def handle_status(self, **options):
        client = get_client()
        with answering():
            health = client.cluster.health()
            self.stdout.write(f"Cluster {health['cluster_name']}: {health['status']}")
            current = vocabulary_version()
            self.stdout.write(
                f"Synonyms and lay terms: version {current} ({len(lay_term_rules())} lay terms)."
            )
            for kind in KINDS:
                live, loading = index_state(kind, client)
                alias = alias_name(kind)
                if not live:
                    self.stdout.write(
                        f"{alias}: no index. Run `manage.py search_index rebuild --kind {kind}`."
                    )
                for index in live:
                    count = client.count(index=index)["count"]
                    self.stdout.write(f"{alias} -> {index}: {count:,} documents")
                if live:
                    built = built_vocabulary_version(kind, client)
                    if built != current:
                        self.stdout.write(
                            f"{alias}: built with vocabulary version {built or 'unknown'}; "
                            f"run `manage.py search_index rebuild --kind {kind}` to apply "
                            f"version {current}."
                        )
                for index in loading:
                    count = client.count(index=index)["count"]
                    self.stdout.write(
                        f"{alias}: rebuilding into {index} ({count:,} documents so far)"
                    )
        stats = queue.stats()
        if not stats.depth:
            self.stdout.write("Queue: empty.")
            return
        self.stdout.write(
            f"Queue: {stats.depth:,} changes waiting; the oldest is "
            f"{stats.oldest_age_seconds:,.0f}s old; {stats.failing:,} have failed at least once."
        )
        if stats.failing:
            self.stdout.write(f"Last error: {queue.last_error()}")
