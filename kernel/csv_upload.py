"""The admin's CSV upload form, shared by every module's import page."""

from __future__ import annotations

from django import forms


class CsvUploadForm(forms.Form):
    """Take one UTF-8 CSV file of bounded size and hand its text to an import service.

    Subclasses set ``columns`` (shown to staff) and may lower ``max_bytes``.
    """

    columns = ""
    max_bytes = 10 * 1024 * 1024

    file = forms.FileField()

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = f"UTF-8 CSV with the header: {self.columns}"

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(f"The file is larger than {self.max_bytes // (1024 * 1024)} MB; split it.")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise forms.ValidationError(f"The file is not UTF-8 text (byte {error.start}).") from None
