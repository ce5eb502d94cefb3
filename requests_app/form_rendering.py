"""A form renderer that writes the site's field and widget templates in Python, for forms with many choices.

The inbox's filter form has some thirty fields and several hundred options (the countries alone are about 250).
Through the templates each option is two or three template includes, and the form took most of the page's time.
PythonFieldRenderer writes exactly what these templates write, character for character, in a third of the time; the
inbox (and unit queue) use it for the filter form, the inquiry page for its write form, and the forms with the SDG
picker (186 checkboxes and the country list: the public intake form, editing an inquiry's details) for all theirs:

- templates/django/forms/field.html (one field: label, description, input, validation message),
- templates/django/forms/widgets/input.html with ds_attrs.html (and Django's text, date, checkbox and other
  single-input templates, which include it),
- templates/django/forms/widgets/select.html with Django's select_option.html and attrs.html,
- templates/django/forms/widgets/multiple_input.html and input_option.html (checkbox groups and radio buttons, and
  one checkbox on its own, as the SDG picker draws each goal and target).

Anything else it leaves to the templates. The tests render every field of the filter form (test_inbox.py) and of the
write form (test_inquiry_page.py) both ways, in both languages, unbound, bound and with errors, and require the same
HTML: a change to one of those templates must be made here too (the tests say where they differ).
"""

import html
from typing import Any

from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import gettext

_FIELD = "django/forms/field.html"
_SELECT = "django/forms/widgets/select.html"
_SELECT_OPTION = "django/forms/widgets/select_option.html"
_MULTIPLE = {"django/forms/widgets/checkbox_select.html", "django/forms/widgets/radio.html"}
_INPUT_OPTIONS = {"django/forms/widgets/checkbox_option.html", "django/forms/widgets/radio_option.html"}
# Django's templates for one <input>: each is just {% include "django/forms/widgets/input.html" %}.
_INPUTS = {
    f"django/forms/widgets/{name}.html"
    for name in ("text", "date", "checkbox", "hidden", "number", "email", "url", "search", "tel", "time")
}


def escape_text(value: object) -> str:
    """What Django's escape() writes (it is html.escape), without its wrapper that looks for lazy arguments: for the
    HTML this project writes in Python (here, timeline_rendering.py, list_rendering.py)."""
    return html.escape(str(value))


def _text(value: Any) -> str:
    """{{ value }}: escaped unless marked safe. What django.utils.html.conditional_escape does (Django's escape() is
    html.escape()), without its wrapper that looks for lazy arguments on each of a form's thousand calls."""
    if isinstance(value, SafeData):
        return str(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return escape_text(value)


def _formatted(value: Any) -> str:
    """{{ value|stringformat:'s' }}: the value as text, escaped unless the value was marked safe."""
    return str(value) if isinstance(value, SafeData) else escape_text(value)


def _attrs(attrs: dict[str, Any]) -> str:
    """Django's widgets/attrs.html."""
    return "".join(
        f" {_text(name)}" + ("" if value is True else f'="{_formatted(value)}"')
        for name, value in attrs.items()
        if value is not False
    )


def _ds_attrs(attrs: dict[str, Any]) -> str:
    """widgets/ds_attrs.html: Django's attributes with "ds-input" added to the class."""
    css = attrs.get("class")
    return f' class="ds-input{" " + _text(css) if css else ""}"' + "".join(
        f" {_text(name)}" + ("" if value is True else f'="{_formatted(value)}"')
        for name, value in attrs.items()
        if name != "class" and value is not False
    )


def _input(widget: dict[str, Any]) -> str:
    """widgets/input.html, with its closing newline."""
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}{_ds_attrs(widget["attrs"])}>\n'


def _input_option(option: dict[str, Any]) -> str:
    """widgets/input_option.html (through Django's checkbox_option.html or radio_option.html), with its newlines."""
    label = ""
    if option["wrap_label"]:
        target = option["attrs"].get("id")
        target_attr = f' for="{_text(target)}"' if target else ""
        label = f'<label class="ds-label" data-weight="regular"{target_attr}>{_text(option["label"])}</label>'
    return f"{_input(option)}{label}\n\n"


def _multiple_input(widget: dict[str, Any]) -> str:
    """widgets/multiple_input.html: radio buttons or checkboxes, each a Designsystemet field."""
    element_id, css = widget["attrs"].get("id"), widget["attrs"].get("class")
    id_attr = f' id="{_text(element_id)}"' if element_id else ""
    html = f'<div{id_attr} class="field-options{" " + _text(css) if css else ""}">'
    for group, options, _index in widget["optgroups"]:
        if group:
            html += f'\n  <div class="field-options__group"><p class="ds-label">{_text(group)}</p>'
        for option in options:
            html += f'\n  <div class="ds-field">{_input_option(option)}</div>'
        if group:
            html += "\n  </div>"
    return html + "\n</div>"


def _select(widget: dict[str, Any]) -> str:
    """widgets/select.html with Django's select_option.html."""
    html = f'<select name="{_text(widget["name"])}"{_ds_attrs(widget["attrs"])}>'
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            html += f'\n  <optgroup label="{_text(group_name)}">'
        for option in group_choices:
            html += (
                f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"
            )
        if group_name:
            html += "\n  </optgroup>"
    return html + "\n</select>"


def _options_use(widget: dict[str, Any], templates: set[str]) -> bool:
    return all(
        option["template_name"] in templates for _group, options, _index in widget["optgroups"] for option in options
    )


def _field(field: BoundField) -> str:
    """field.html: one field as a Designsystemet field, or a fieldset for radio buttons and checkbox groups."""
    optional = "" if field.field.required else f' <span class="field-optional">({_text(gettext("optional"))})</span>'
    help_text = (
        f'<div class="field-description" id="{_text(field.auto_id)}_helptext">{_text(field.help_text)}</div>'
        if field.help_text
        else ""
    )
    errors = (
        f'<p class="ds-validation-message" id="{_text(field.auto_id)}_error">'
        + " ".join(_text(error) for error in field.errors)
        + "</p>"
        if field.errors
        else ""
    )
    if field.use_fieldset:
        described = field.aria_describedby
        described_attr = f' aria-describedby="{_text(described)}"' if described else ""
        return (
            f'<fieldset class="ds-fieldset field"{described_attr}>\n'
            f'  <legend class="ds-label">{_text(field.label)}{optional}</legend>\n'
            f"  {help_text}\n"
            f"  {field}\n"
            f"  {errors}\n"
            "</fieldset>"
        )
    checkbox = getattr(field.field.widget, "input_type", None) == "checkbox"
    return (
        '<div class="ds-field field">\n'
        f"  {field if checkbox else ''}\n"
        f'  <label class="ds-label"{' data-weight="regular"' if checkbox else ""}'
        f' for="{_text(field.auto_id)}">{_text(field.label)}{optional}</label>\n'
        f"  {help_text}\n"
        f"  {'' if checkbox else field}\n"
        f"  {errors}\n"
        "</div>"
    )


class PythonFieldRenderer(TemplatesSetting):
    """The site's renderer (TemplatesSetting), with the field and widget templates above written in Python."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        html = self._python(template_name, context)
        return super().render(template_name, context, request) if html is None else mark_safe(html)  # noqa: S308

    def _python(self, template_name: str, context: dict[str, Any]) -> str | None:
        if template_name == _FIELD and not context["field"].field.show_hidden_initial:
            return _field(context["field"])
        widget = context.get("widget")
        if widget is None:
            return None
        if template_name in _INPUTS:
            return _input(widget).strip()
        if template_name == _SELECT and _options_use(widget, {_SELECT_OPTION}):
            return _select(widget)
        if template_name in _MULTIPLE and _options_use(widget, _INPUT_OPTIONS):
            return _multiple_input(widget)
        if template_name in _INPUT_OPTIONS and "wrap_label" in widget:
            return _input_option(widget).strip()  # one option on its own: BoundWidget.tag (the SDG picker)
        return None


FIELD_RENDERER = PythonFieldRenderer()
