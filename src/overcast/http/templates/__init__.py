"""API Gateway's mapping templates: Velocity (VTL) as REST APIs run it, and selection patterns.

Pure: no store, no HTTP. Hand-written rather than built on airspeed, whose templates can reach
any Python attribute (`$s.__class__...`), which would let whoever writes an API's templates run
code in the server; here a template reaches only the values and Java methods listed in
values.py and methods.py.
"""

from __future__ import annotations

from overcast.http.templates.errors import TemplateError
from overcast.http.templates.render import Rendered, TemplateInput, render
from overcast.http.templates.selection import select_pattern

__all__ = ["Rendered", "TemplateError", "TemplateInput", "render", "select_pattern"]
