"""API v1: one NinjaAPI under /api/v1/, described by OpenAPI at /api/v1/openapi.json with a
browsable page at /api/v1/docs. Other parts of the registry add a Router here rather than
making a second NinjaAPI (search's own endpoints are `search.api.router`)."""

from ninja import NinjaAPI

from search.api import router as search_router

from . import errors
from .endpoints import router as registry_router

DESCRIPTION = """\
The national registry of proven digital health products, open to read: products with all
their proof (evidence, standards compliance with expiry, confirmed adoptions, case
studies, the DTAC state and its reason), organisations, standards, categories, care
settings, case studies, guides, organisations' published local formularies and adoption
statistics; search with the search page's words and filters (`/search`, or `q` on
`/products` for whole product records); and a changes feed to keep a copy in step.
docs/api.md walks through it.

**Identifiers.** Every record has a permanent `id` that survives a rename. Records
imported from another catalogue also have their `external_id`.

**Pages.** Lists are in id order, `limit` (1 to 100, default 50) a page; pass the `next`
cursor back as `cursor` for the next page. Cursors are opaque.

**Caching.** Answers carry `ETag` and `Last-Modified`; send them back as `If-None-Match` /
`If-Modified-Since` and an unchanged answer is `304 Not Modified` with no body. Answers
are gzipped for clients that accept it. Any site may read the API from a browser (CORS).

**Limits.** Without a key: 60 requests a minute per IP address. With an API key (send it
as `X-API-Key`; ask the registry team): 1,200 a minute. Over the limit: `429` with
`Retry-After` (seconds). `X-RateLimit-Limit` and `X-RateLimit-Remaining` say where you are.

**Errors.** Every error (400, 401, 404, 429, 500) has the same body:
`{"error": {"status", "code", "message", "details": [{"field", "message"}]}}`.
"""


def document_errors(router):
    """Search's endpoints (a lower layer, which cannot import this app) answer errors
    through this API's handlers too; add the error body to their documented responses.
    Ninja keeps an operation's responses in `response_models`, built by the same helper."""
    for path_view in router.path_operations.values():
        for operation in path_view.operations:
            for status, models in operation._create_response_model_multiple(
                errors.ERROR_RESPONSES
            ).items():
                operation.response_models.setdefault(status, models)


api = NinjaAPI(
    title="Registry of proven digital health products",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
)
errors.install(api)
api.add_router("", registry_router)
document_errors(search_router)
api.add_router("", search_router)
