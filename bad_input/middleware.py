"""Refuses requests that carry control characters, before any view or the database sees
them: query parameters (names and values), form fields, and JSON bodies. The answer is 400
with a page that says what to fix (JSON under /api/), never a 500 from the database.

Tab, carriage return and line feed pass (bad_input.text); one-line form fields refuse line
breaks in the forms themselves (bad_input.forms), where the error can sit next to the field.
"""

import json

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

from .text import bad_characters, describe

JSON_NESTING_LIMIT = 64


class _TooDeep(Exception):
    pass


def _first_bad_in_json(value, depth=0):
    if depth > JSON_NESTING_LIMIT:
        raise _TooDeep
    if isinstance(value, str):
        return bad_characters(value)
    if isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    elif isinstance(value, list):
        items = value
    else:
        return None
    for item in items:
        found = _first_bad_in_json(item, depth + 1)
        if found:
            return found
    return None


def _first_bad_in(querydict):
    for key, values in querydict.lists():
        for text in (key, *values):
            found = bad_characters(text) if isinstance(text, str) else None
            if found:
                return key, found
    return None


class RefuseBadCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = self._problem(request)
        if problem:
            return self._refuse(request, problem)
        return self.get_response(request)

    def _problem(self, request):
        if bad_characters(request.path):
            return "The web address contains characters we cannot read."
        found = _first_bad_in(request.GET)
        if found:
            return (
                f"The web address contains a control character ({describe(found[1])}) "
                "that we cannot read. Check the link, or search again."
            )
        if request.method not in ("POST", "PUT", "PATCH"):
            return None
        content_type = request.content_type or ""
        if content_type == "application/json":
            return self._json_problem(request)
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            found = _first_bad_in(request.POST)
            if found:
                return (
                    f"What you entered contains a hidden control character "
                    f"({describe(found[1])}), which often comes from copying out of another "
                    "program. Go back, retype the text and send it again: what you entered is "
                    "still in the form."
                )
        return None

    def _json_problem(self, request):
        if len(request.body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return None  # Django refuses it on reading
        try:
            data = json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError):
            return None  # not JSON: the API answers that itself
        except RecursionError:
            return "The JSON is nested too deeply."
        try:
            found = _first_bad_in_json(data)
        except _TooDeep:
            return f"The JSON is nested more than {JSON_NESTING_LIMIT} levels deep."
        if found:
            return f"The JSON contains a control character ({describe(found)}) in a string."
        return None

    def _refuse(self, request, message):
        if request.path.startswith("/api/"):
            # The API's one error body (api/errors.py), written out here because this app
            # sits below every other and imports none of them.
            body = {"status": 400, "code": "bad_request", "message": message, "details": []}
            return JsonResponse({"error": body}, status=400)
        return render(request, "400.html", {"message": message}, status=400)
