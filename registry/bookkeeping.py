"""Which saves of a page change nothing the public sees.

Wagtail writes some of a page's fields for its own bookkeeping: saving a draft
(`save_revision`), locking, workflow and tree bookkeeping. Both the search index
(search/signals.py) and the open API's changes feed (api/signals.py) pass over such saves,
so they ask this one test.
"""

BOOKKEEPING_FIELDS = frozenset(
    {
        "comments",
        "wagtail_admin_comments",
        "latest_revision",
        "latest_revision_created_at",
        "draft_title",
        "has_unpublished_changes",
        "locked",
        "locked_at",
        "locked_by",
        "numchild",
    }
)


def only_bookkeeping(update_fields):
    """True when a save named the fields it writes and every one is Wagtail's bookkeeping."""
    return update_fields is not None and set(update_fields) <= BOOKKEEPING_FIELDS
