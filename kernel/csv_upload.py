"""The admin's CSV upload form, shared by every module's import page."""

from __future__ import annotations

from django import forms

from kernel.imports import CSV_MAX_BYTES, CsvUnreadable, csv_text_decode


class CsvUploadForm(forms.Form):
    """Take one UTF-8 CSV file of bounded size and hand its text to an import service.

    ``columns`` (shown to staff) and ``max_bytes`` come from the import page
    (or a subclass); a dry run imports and rolls back, so it reports what a
    real run would do.
    """

    columns = ""
    max_bytes = CSV_MAX_BYTES

    file = forms.FileField()
    dry_run = forms.BooleanField(required=False, help_text="Validate and show what would change, write nothing.")

    def __init__(self, *args: object, columns: str | None = None, max_bytes: int | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.columns = self.columns if columns is None else columns
        self.max_bytes = self.max_bytes if max_bytes is None else max_bytes
        self.fields["file"].help_text = f"UTF-8 CSV with the header: {self.columns}"

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:  # refused before reading it
            raise forms.ValidationError(f"The file is larger than {self.max_bytes // (1024 * 1024)} MB; split it.")
        try:
            return csv_text_decode(upload.read(), max_bytes=self.max_bytes)
        except CsvUnreadable as error:
            raise forms.ValidationError(str(error)) from None
