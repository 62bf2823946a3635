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


class FiscalYearField(forms.IntegerField):
    """A 年度 typed as 令和7年度, R7 or 2025; kept as the western year (2025), shown as 令和7年度."""

    widget = forms.TextInput(attrs={"placeholder": "例: R7 または 2025", "inputmode": "text", "size": 10})

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            return value
        try:
            return eras.parse_fiscal_year(str(value))
        except eras.EraDateError as error:
            raise forms.ValidationError(str(error), code="invalid") from None

    def prepare_value(self, value):
        """Shown back as 令和7年度 however it was typed; what cannot be read is shown as typed."""
        if value in self.empty_values:
            return value
        try:
            return eras.fiscal_year_label(self.to_python(value))
        except (forms.ValidationError, eras.EraDateError):
            return value
