"""One error body for every error the API gives: 400, 401, 404, 429 and 500 alike.

    {"error": {"status": 404, "code": "not_found", "message": "...", "details": []}}

Errors raised inside an endpoint come through the NinjaAPI exception handlers installed
here; errors Django answers before the API (an address under /api/ that matches no
endpoint, a crash in middleware) are rewritten by api.middleware.ApiMiddleware.
"""

import logging

from django.http import Http404, JsonResponse
from ninja import Field, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

logger = logging.getLogger(__name__)

CODES = {
    400: "bad_request",
    401: "unauthorised",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    429: "too_many_requests",
    500: "server_error",
    503: "unavailable",
}
MESSAGES = {
    400: "The request was not understood.",
    401: "This API key is not known or has been revoked.",
    403: "You may not do that.",
    404: "There is nothing at this address.",
    405: "Only GET (and HEAD) requests are answered here.",
    429: "Too many requests. Wait for the number of seconds in Retry-After, then try again.",
    500: "Something went wrong on our side. Try again later.",
    503: "The service is not available right now. Try again later.",
}


class ErrorDetailOut(Schema):
    field: str = Field(description="The parameter at fault, such as `limit`.")
    message: str


class ErrorBodyOut(Schema):
    status: int = Field(examples=[404])
    code: str = Field(
        description="bad_request, unauthorised, not_found, too_many_requests, server_error...",
        examples=["not_found"],
    )
    message: str = Field(examples=["There is no product with id 999999."])
    details: list[ErrorDetailOut] = Field([], description="One entry per parameter at fault.")


class ErrorOut(Schema):
    error: ErrorBodyOut


#: What each endpoint documents it may answer besides its own 200 and 304.
ERROR_RESPONSES = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 429: ErrorOut, 500: ErrorOut}


def error_body(status, message=None, details=None):
    return {
        "error": {
            "status": status,
            "code": CODES.get(status, "error"),
            "message": message or MESSAGES.get(status, "The request failed."),
            "details": details or [],
        }
    }


def error_response(status, message=None, details=None, headers=None):
    response = JsonResponse(error_body(status, message, details), status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


PARAMETER_GROUPS = {"query", "path", "body", "filters", "params"}


def _field_name(location):
    # Ninja names the place and the view's argument first: ("query", "filters", "limit").
    parts = [str(part) for part in location if part not in PARAMETER_GROUPS]
    return ".".join(parts) or "request"


def install(api):
    @api.exception_handler(ValidationError)
    def invalid(request, exc):
        details = [
            {"field": _field_name(error.get("loc", ())), "message": error.get("msg", "")}
            for error in exc.errors
        ]
        names = ", ".join(dict.fromkeys(detail["field"] for detail in details))
        return error_response(400, f"Check these parameters: {names}.", details)

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        return error_response(exc.status_code, str(exc) or None)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        message = str(exc) if exc.args else None
        return error_response(404, message)

    @api.exception_handler(AuthenticationError)
    def unauthorised(request, exc):
        return error_response(401)

    @api.exception_handler(Exception)
    def crashed(request, exc):
        logger.exception("API error on %s", request.get_full_path())
        return error_response(500)
