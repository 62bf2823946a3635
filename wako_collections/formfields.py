"""Form fields shared by every app."""

from django import forms

from wako_collections import eras


class WarekiDateField(forms.DateField):
    """A date typed in 和暦 (R7.4.1, 令和7年4月1日) or 西暦 (2025-04-01); shown back in 和暦."""

    widget = forms.TextInput(attrs={"placeholder": "例: R7.4.1 または 2025-04-01", "inputmode": "text"})

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if hasattr(value, "year"):
            return value
        try:
            return eras.parse_date(str(value))
        except eras.EraDateError as error:
            raise forms.ValidationError(str(error), code="invalid") from None

    def prepare_value(self, value):
        if hasattr(value, "year"):
            return eras.format_date(value)
        return value
