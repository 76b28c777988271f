"""`/health/`: is the database answering, is search, and is the index queue moving?

For load balancers and for people. HTTP 200 whenever the database answers (the site
works, with search falling back to the database if it must); 503 when it does not. The
body says why, without secrets: no addresses, no credentials, no raw error text from the
client (it can carry a URL); only the class of error.
"""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import queue
from .client import get_client, is_configured
from .documents import alias_name
from .indexing import index_state

SEARCH_TIMEOUT_SECONDS = 2
# A queue whose oldest change is older than this is reported as "degraded".
QUEUE_STALE_SECONDS = 300


def database_health():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


def search_health():
    if not is_configured():
        return {"configured": False, "ok": None}
    report = {"configured": True, "ok": False, "cluster_status": None, "indices": {}}
    try:
        client = get_client().options(request_timeout=SEARCH_TIMEOUT_SECONDS)
        report["cluster_status"] = client.cluster.health()["status"]
        for kind in queue.KINDS:
            live, loading = index_state(kind, client)
            entry = {"alias": alias_name(kind), "present": bool(live), "documents": None}
            if live:
                entry["documents"] = client.count(index=alias_name(kind))["count"]
            if loading:
                entry["rebuilding"] = True
            report["indices"][kind] = entry
    except Exception as exc:
        report["error"] = type(exc).__name__
        return report
    report["ok"] = report["cluster_status"] in ("green", "yellow") and all(
        entry["present"] for entry in report["indices"].values()
    )
    return report


def queue_health():
    try:
        stats = queue.stats()
    except Exception as exc:
        return {"ok": False, "error": type(exc).__name__}
    age = stats.oldest_age_seconds
    return {
        "ok": stats.failing == 0 and (age is None or age < QUEUE_STALE_SECONDS),
        "depth": stats.depth,
        "failing": stats.failing,
        "oldest_age_seconds": round(age, 1) if age is not None else None,
    }


def health_report():
    database = database_health()
    search = search_health()
    changes = queue_health() if database["ok"] else {"ok": False, "error": "database"}
    if not database["ok"]:
        status = "unavailable"
    elif search["configured"] and not (search["ok"] and changes["ok"]):
        status = "degraded"
    else:
        status = "ok"
    return {"status": status, "database": database, "search": search, "queue": changes}


@never_cache
@require_GET
def health(request):
    report = health_report()
    return JsonResponse(report, status=200 if report["database"]["ok"] else 503)
