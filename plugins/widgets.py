"""Form widgets shared by the plugins' admin screens."""

from __future__ import annotations

import json

from django import forms


class AutocompleteInput(forms.TextInput):
    """A text input that suggests values while the user types, from a JSON
    endpoint of ours (``source_url``), as a WAI-ARIA combobox: arrow keys move
    through the suggestions, Enter picks one, Escape closes the list.

    The endpoint answers ``GET source_url?q=<typed text>&<param>=<value>``
    with ``{"results": [{"value": ..., "label": ..., "detail": ...}]}``: the
    picked ``value`` fills the input, ``label`` and ``detail`` are shown.
    ``params`` sends the current value of other fields of the page with each
    request, as ``{query parameter: element id}`` (e.g. the warehouse chosen
    in the same form). What is typed stays valid input: the field accepts a
    value typed in full without picking a suggestion.

    Driven by the ``rg-autocomplete`` Stimulus controller (a static file;
    no inline script).
    """

    template_name = "plugins/widgets/autocomplete_input.html"

    def __init__(
        self,
        attrs=None,
        *,
        source_url: str = "",
        params: dict[str, str] | None = None,
        min_chars: int = 2,
    ):
        super().__init__(attrs={"autocomplete": "off", **(attrs or {})})
        self.source_url = source_url
        self.params = params or {}
        self.min_chars = min_chars

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        input_id = widget_attrs.get("id") or f"id_{name}"
        widget_attrs.update(
            {
                "role": "combobox",
                "aria-autocomplete": "list",
                "aria-expanded": "false",
                "aria-controls": f"{input_id}-listbox",
                "data-rg-autocomplete-target": "input",
                "data-action": (
                    "input->rg-autocomplete#search "
                    "keydown->rg-autocomplete#navigate "
                    "blur->rg-autocomplete#closeSoon"
                ),
            }
        )
        context["widget"].update(
            listbox_id=f"{input_id}-listbox",
            source_url=str(self.source_url),
            params_json=json.dumps(self.params),
            min_chars=self.min_chars,
        )
        return context

    class Media:
        js = ["plugins/js/autocomplete.js"]
        css = {"all": ["plugins/css/autocomplete.css"]}
