"""The admin's CSV import page, shared by every module: upload, dry run, the short report of a refused file."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template import engines
from django.template.backends.django import Template
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from contracts.errors import ContractError
from kernel.csv_upload import CsvUploadForm
from kernel.imports import CSV_MAX_BYTES, REPORT_MAX_PROBLEMS, ImportInvalid

_TEMPLATE = Path(__file__).with_name("templates") / "admin" / "csv_import.html"


@cache
def _import_template() -> Template:
    """Compile the shared page once from kernel's own file: kernel is no app, so no template loader finds it."""
    return engines["django"].from_string(_TEMPLATE.read_text(encoding="utf-8"))


class CsvImportAdminMixin:
    """Add ``import/`` (URL name ``<app>_<model>_import``) to a ModelAdmin: upload a CSV, import it all or nothing.

    The ModelAdmin sets ``import_columns`` (the header shown to staff),
    ``import_title``, ``import_help`` (what the rows do) and implements
    ``import_run``, the same call its ``import_*`` command makes. Staff need
    the add and change permissions of the model, unless ``import_allowed``
    says otherwise. A dry run shows what the import would do; a refused file
    shows its first problems and their count.
    """

    import_columns: str = ""
    import_title: str = "Import CSV"
    import_help: str = ""
    import_max_bytes: int = CSV_MAX_BYTES

    def import_run(self, *, text: str, dry_run: bool, request: HttpRequest) -> str:
        """Import ``text`` (rolled back when ``dry_run``) and return a one-line summary of what it did."""
        raise NotImplementedError

    def import_allowed(self, request: HttpRequest) -> bool:
        """Return whether this user may import: by default, who may add and change the model's rows."""
        admin: Any = self
        return admin.has_add_permission(request) and admin.has_change_permission(request)

    def get_urls(self) -> list[URLPattern]:
        opts = self.model._meta  # type: ignore[attr-defined]
        view = self.admin_site.admin_view(self.import_view)  # type: ignore[attr-defined]
        return [path("import/", view, name=f"{opts.app_label}_{opts.model_name}_import"), *super().get_urls()]  # type: ignore[misc]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Show the upload form; import a posted file, then go back to the list (a dry run stays on the page)."""
        admin: Any = self
        if not self.import_allowed(request):
            raise PermissionDenied
        form = CsvUploadForm(
            request.POST or None, request.FILES or None, columns=self.import_columns, max_bytes=self.import_max_bytes
        )
        refused: ImportInvalid | None = None
        dry_run_summary = ""
        if request.method == "POST" and form.is_valid():
            dry_run = form.cleaned_data["dry_run"]
            try:
                summary = self.import_run(text=form.cleaned_data["file"], dry_run=dry_run, request=request)
            except ImportInvalid as invalid:
                refused = invalid
            except ContractError as error:  # e.g. a concurrent import: nothing was written either
                admin.message_user(request, error.detail, messages.ERROR)
            else:
                if dry_run:
                    dry_run_summary = summary
                else:
                    admin.message_user(request, f"{self.import_title}: {summary}.", messages.SUCCESS)
                    opts = admin.model._meta
                    return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        context = {
            **admin.admin_site.each_context(request),
            "opts": admin.model._meta,
            "title": self.import_title,
            "columns": self.import_columns,
            "help": self.import_help,
            "form": form,
            "refused": refused,
            "problems": refused.first_problems if refused else (),
            "listed_max": REPORT_MAX_PROBLEMS,
            "dry_run_summary": dry_run_summary,
        }
        return TemplateResponse(request, _import_template(), context)
