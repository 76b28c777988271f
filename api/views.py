"""The open data page: the published zips, the licence, and what each field means."""

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import opendata


@require_safe
def open_data(request):
    files = opendata.publications()
    return render(
        request,
        "api/open_data.html",
        {
            "files": files,
            "latest": files[0] if files else None,
            "tables": opendata.TABLES,
            "licence": opendata.LICENCE,
            "keep": len(files),
        },
    )


@require_safe
def open_data_file(request, name):
    """A published zip or its checksum. Only names the publisher writes are served."""
    checksum = name.endswith(".sha256")
    zip_name = name.removesuffix(".sha256")
    if not opendata.FILE_PATTERN.match(zip_name):
        raise Http404("No such file")
    for item in opendata.publications():
        if item["name"] == zip_name:
            path = item["path"].with_name(name)
            if not path.exists():
                break
            return FileResponse(
                open(path, "rb"),
                as_attachment=not checksum,
                filename=name,
                content_type="text/plain; charset=utf-8" if checksum else "application/zip",
            )
    raise Http404("No such file")
