"""Apply the queue of index changes (see search/queue.py) to Elasticsearch, in batches.
Runs until stopped (Ctrl-C or SIGTERM finish the current batch first); --once drains what
is due and exits. On first start it builds any index that does not exist yet."""

import logging
import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection
from django.db.utils import DatabaseError

from search import queue
from search.client import SearchUnavailable, is_configured
from search.indexing import alias_targets, rebuild, safe_url

logger = logging.getLogger("search.worker")

BOOTSTRAP_RETRY_SECONDS = 30
DATABASE_RETRY_SECONDS = 5


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Apply what is due, then exit.")
        parser.add_argument(
            "--batch-size", type=int, default=500, help="Changes per batch (default 500)."
        )
        parser.add_argument(
            "--sleep",
            type=float,
            default=1.0,
            help="Longest wait between looks at the queue, in seconds (default 1). On "
            "PostgreSQL the worker also wakes as soon as a change commits.",
        )

    def handle(self, *args, once, batch_size, sleep, **options):
        if not is_configured():
            raise CommandError(
                "ELASTICSEARCH_URL is not set, so there is no index to keep up to date (and "
                "nothing is queued). Set it to an Elasticsearch 8 node, such as the one "
                "`make services` starts, to use the worker."
            )
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if once:
            return self.drain_once(batch_size)
        self.run_forever(batch_size, max(0.05, sleep))

    def drain_once(self, batch_size):
        result = queue.drain(batch_size=batch_size)
        self.stdout.write(
            f"Indexed {result.indexed:,}, deleted {result.deleted:,}, superseded "
            f"{result.superseded:,}, failed {result.failed:,} "
            f"({result.claimed:,} queued changes)."
        )
        if result.failed:
            raise CommandError(
                f"{result.failed:,} documents could not be written and stay queued for a "
                f"retry. Cause: {result.errors[0]}",
                returncode=1,
            )

    def run_forever(self, batch_size, sleep):
        stopping = []

        def stop(signum, frame):
            logger.info("Stopping after the current batch.")
            stopping.append(signum)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        logger.info(
            "Search worker started: Elasticsearch at %s, batches of %s.", safe_url(), batch_size
        )
        wakeup = Wakeup()
        next_bootstrap = 0.0
        while not stopping:
            close_old_connections()
            if next_bootstrap is not None and time.monotonic() >= next_bootstrap:
                next_bootstrap = (
                    None if self.bootstrap() else time.monotonic() + BOOTSTRAP_RETRY_SECONDS
                )
            try:
                result = queue.process_batch(batch_size)
            except DatabaseError as exc:
                logger.error(
                    "The database did not answer (%s); trying again in %ss.",
                    exc,
                    DATABASE_RETRY_SECONDS,
                )
                connection.close()
                time.sleep(DATABASE_RETRY_SECONDS)
                continue
            if result.claimed:
                self.log_batch(result)
            if result.claimed < batch_size or result.failed == result.documents:
                wakeup.wait(sleep)
        wakeup.close()
        logger.info("Search worker stopped.")

    def log_batch(self, result):
        level = logging.WARNING if result.failed else logging.INFO
        logger.log(
            level,
            "Applied %s queued changes: %s indexed, %s deleted, %s superseded, %s failed%s",
            result.claimed,
            result.indexed,
            result.deleted,
            result.superseded,
            result.failed,
            f" (retrying with backoff). Cause: {result.errors[0]}" if result.failed else ".",
        )

    def bootstrap(self):
        """Build any index that does not exist yet. True once every index exists."""
        try:
            for kind in queue.KINDS:
                if not alias_targets(kind):
                    logger.info("There is no %s index yet: building it.", kind)
                    name, count = rebuild(kind)
                    logger.info("Built %s with %s documents.", name, count)
        except SearchUnavailable as exc:
            logger.warning("%s Trying again in %ss.", exc, BOOTSTRAP_RETRY_SECONDS)
            return False
        except Exception:
            logger.exception("Could not build the missing indices; trying again later.")
            return False
        return True


class Wakeup:
    """Sleep until a change commits (PostgreSQL LISTEN/NOTIFY) or the timeout passes.

    The signal handlers send NOTIFY in the transaction of the change, and PostgreSQL
    delivers it at commit, so a publish is picked up at once, not at the next poll."""

    RECONNECT_SECONDS = 30

    def __init__(self):
        self.listener = None
        self.next_attempt = 0.0
        self.connect()

    def connect(self):
        if connection.vendor != "postgresql" or time.monotonic() < self.next_attempt:
            return
        try:
            self.listener = connection.get_new_connection(connection.get_connection_params())
            self.listener.autocommit = True
            self.listener.execute(f"LISTEN {queue.NOTIFY_CHANNEL}")
        except Exception as exc:
            logger.warning("Polling the queue instead of listening for changes: %s", exc)
            self.listener = None
            self.next_attempt = time.monotonic() + self.RECONNECT_SECONDS

    def wait(self, timeout):
        if self.listener is None:
            self.connect()
        if self.listener is None:
            time.sleep(timeout)
            return
        try:
            for _ in self.listener.notifies(timeout=timeout, stop_after=1):
                pass
        except Exception as exc:
            logger.warning("Lost the notification connection (%s); polling for now.", exc)
            self.close()
            self.next_attempt = time.monotonic() + self.RECONNECT_SECONDS
            time.sleep(timeout)

    def close(self):
        if self.listener is not None:
            try:
                self.listener.close()
            finally:
                self.listener = None
