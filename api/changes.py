"""The changes feed: every create, update, unpublish and delete of public data, in order.

Recording: api/signals.py calls `record` from `post_save` / `post_delete` handlers, so the
`Change` row is inserted in the transaction of the change itself and commits or rolls
back with it. A row only names the record (kind and permanent id) and what happened; a
mirror fetches the record's current state from the API, so the feed never carries a stale
copy.

Ordering: a row's id is handed out when its transaction inserts it, not when it commits,
so ids are not the order in which changes become visible (a transaction that took id 9
can commit after the one that took id 10; a reader that had already passed 10 would never
see 9). The feed's order is `seq` instead, handed out by `sequence()` to committed rows
only, under a lock, in one pass: a row that commits later always gets a larger `seq` than
every row a reader has already seen. `sequence()` runs whenever the feed is read. Rows of
one record waiting for a `seq` are coalesced to the newest (ten saves of one product while
it is published are one entry).

Time: a compliance row's status turns to "expired" the day after its expiry date without
any write. `record_expiries()` (run when the feed is read, at most once a day) adds an
"updated" entry for each product whose rows expired since the last run, so a mirror sees
the change of effective status and of the DTAC state.
"""

import base64
import binascii
import datetime

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from .models import Change, ChangeAction, ChangeFeedState, ChangeKind

SEQUENCE_LOCK_ID = 7_261_016  # any fixed number: the advisory lock that serialises sequence()


class BadCursor(ValueError):
    pass


def record(kind, object_ids, action):
    """Add an entry for each record. `object_ids` may be a list or a values_list query."""
    now = timezone.now()
    Change.objects.bulk_create(
        [
            Change(kind=kind, object_id=pk, action=action, recorded_at=now)
            for pk in dict.fromkeys(object_ids)
        ],
        batch_size=1000,
    )


def sequence():
    """Give every committed row without a place in the feed the next places, oldest first,
    keeping only the newest row of each record."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEQUENCE_LOCK_ID])
        pending = list(
            Change.objects.filter(seq__isnull=True)
            .order_by("id")
            .values_list("id", "kind", "object_id", "action")
        )
        if not pending:
            return
        newest = {}
        for row_id, kind, object_id, action in pending:
            earlier = newest.get((kind, object_id))
            if earlier and earlier[1] == ChangeAction.CREATED and action == ChangeAction.UPDATED:
                action = ChangeAction.CREATED  # created then edited before anyone read it
            newest[(kind, object_id)] = (row_id, action)
        kept = sorted(newest.values())
        kept_ids = {row_id for row_id, _ in kept}
        superseded = [row_id for row_id, *_ in pending if row_id not in kept_ids]
        for start in range(0, len(superseded), 1000):
            Change.objects.filter(id__in=superseded[start : start + 1000]).delete()
        last = Change.objects.aggregate(last=Max("seq"))["last"] or 0
        rows = []
        for position, (row_id, action) in enumerate(kept, start=last + 1):
            rows.append(Change(id=row_id, seq=position, action=action))
        Change.objects.bulk_update(rows, ["seq", "action"], batch_size=1000)


def record_expiries(today=None):
    """Entries for live products whose compliance rows have expired since the last run."""
    from assessments.models import ProductCompliance
    from registry.models import ProductPage

    today = today or timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    with transaction.atomic():
        state = ChangeFeedState.objects.select_for_update().first()
        if state is None:
            # The baseline entries cover today's state; expiries count from now on.
            ChangeFeedState.objects.create(expiries_recorded_through=yesterday)
            return
        since = state.expiries_recorded_through
        if since is not None and since >= yesterday:
            return
        rows = ProductCompliance.objects.filter(expires_on__lte=yesterday)
        if since is not None:
            rows = rows.filter(expires_on__gt=since)
        products = (
            ProductPage.objects.live()
            .public()
            .filter(pk__in=rows.values("product_id"))
            .values_list("pk", flat=True)
        )
        record(ChangeKind.PRODUCT, list(products), ChangeAction.UPDATED)
        state.expiries_recorded_through = yesterday
        state.save(update_fields=["expiries_recorded_through"])


def encode_cursor(label, position):
    """An opaque cursor: a client passes it back and never builds one."""
    return base64.urlsafe_b64encode(f"{label}:{position}".encode()).decode().rstrip("=")


def decode_cursor(label, cursor):
    """The position in a cursor given out for `label`; BadCursor for anything else."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        given_label, _, value = text.partition(":")
        if given_label != label or not value.isdigit() or len(value) > 18:
            raise ValueError
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadCursor(
            "The cursor is not one this list gave out. Start again without it, or pass the "
            "`next` cursor of the last page you read."
        ) from exc


def latest_change(kind=None, object_id=None):
    """When public data (of one kind, or one record) last changed, for Last-Modified."""
    changes = Change.objects.all()
    if kind:
        changes = changes.filter(kind=kind)
    if object_id is not None:
        changes = changes.filter(object_id=object_id)
    return changes.aggregate(at=Max("recorded_at"))["at"]


def record_missing():
    """A "created" entry for each public record the feed has never mentioned: records
    written in bulk without signals (`seed_demo`, a restored backup). Returns how many."""
    from assessments.models import Standard
    from formularies.models import Formulary
    from registry.models import (
        BestPracticePage,
        CareSetting,
        CaseStudyPage,
        Category,
        Organisation,
        ProductPage,
    )

    sources = {
        ChangeKind.PRODUCT: ProductPage.objects.live().public(),
        ChangeKind.CASE_STUDY: CaseStudyPage.objects.live().public(),
        ChangeKind.GUIDE: BestPracticePage.objects.live().public(),
        ChangeKind.ORGANISATION: Organisation.objects.all(),
        ChangeKind.STANDARD: Standard.objects.all(),
        ChangeKind.CATEGORY: Category.objects.all(),
        ChangeKind.CARE_SETTING: CareSetting.objects.all(),
        ChangeKind.FORMULARY: Formulary.objects.public(),
    }
    added = 0
    for kind, queryset in sources.items():
        known = Change.objects.filter(kind=kind).values("object_id")
        missing = list(queryset.exclude(pk__in=known).order_by("pk").values_list("pk", flat=True))
        with transaction.atomic():
            record(kind, missing, ChangeAction.CREATED)
        added += len(missing)
    return added
