"""How a view shows a refused change: `services.ActionRefused` carries a message written for
the person acting, shown on the page they are sent back to. Nothing was changed."""

import functools

from django.contrib import messages
from django.shortcuts import redirect

from .services import ActionRefused


def refusals_return_to(view_name):
    """Decorates a view whose first URL argument is the submission's pk: a refusal raised
    anywhere in it shows its message on `view_name` for that submission."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, pk, *args, **kwargs):
            try:
                return view(request, pk, *args, **kwargs)
            except ActionRefused as refusal:
                messages.error(request, str(refusal))
                return redirect(view_name, pk)

        return wrapped

    return decorator
