import sys

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    """Rendered without a request context: the database may be what failed, and the session
    and the navigation's counts would ask it again. When it is the database (down,
    restarting, refusing connections), the answer is 503 with `Retry-After`: the service is
    unavailable for a while, not broken, and recovers by itself once the database is back."""
    if isinstance(sys.exc_info()[1], DatabaseError):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(settings.DATABASE_OUTAGE_RETRY_AFTER)
        return response
    return HttpResponseServerError(render_to_string("500.html"))
