"""What the OpenAPI document promises about errors, and the ``Allow`` header of a 405, both derived from the
route table so that new routes are covered without anybody remembering to.

- ``ERRORS``: the error responses every JSON route can give (routers may pass it as ``responses=``;
  ``document_errors(app)`` adds whatever a router forgot to every ``/api/`` route). 400 is ``invalid_json``
  (a body that is not JSON or not UTF-8), 413 the body-size limit, 422 validation, 429 rate limits.
- ``allowed_methods``: Starlette answers 405 with the methods of the first route object that matched the path,
  but FastAPI registers one route object per method, so ``OPTIONS /api/v1/contacts`` would say
  ``Allow: POST`` although GET exists too. We list every method of every route that matches the path.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.routing import Match
from starlette.types import Scope

from hushdesk.web.route_table import iter_routes


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorBody(BaseModel):
    error: ErrorDetail


ERROR_STATUSES = (400, 401, 403, 404, 405, 409, 413, 422, 429)
ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorBody} for code in ERROR_STATUSES}


# Unicode White_Space: what pydantic-core strips (``str_strip_whitespace``) and what its regex engine (Rust)
# means by \s. ECMAScript's \s (JSON Schema) differs (no U+0085, adds U+FEFF), so patterns are rewritten with
# this explicit class and the schema means exactly what the server enforces.
_SPACE = ("\\t\\n\\u000b\\u000c\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029"
          "\\u202f\\u205f\\u3000")
NON_BLANK = f"[^{_SPACE}]"


def portable_pattern(pattern: str) -> str:
    """Replace \\s (inside or outside a character class) with the explicit White_Space class."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            pair = pattern[i:i + 2]
            if pair == "\\s":
                out.append(_SPACE if in_class else f"[{_SPACE}]")
            else:
                out.append(pair)
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        out.append(char)
        i += 1
    return "".join(out)


def _request_schemas(document: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            content = (operation.get("requestBody") or {}).get("content", {}) if isinstance(operation, dict) else {}
            for media in content.values():
                ref = (media.get("schema") or {}).get("$ref", "")
                if ref:
                    names.add(ref.rsplit("/", 1)[-1])
    return names


def _state_non_blank(document: dict[str, Any]) -> None:
    """Request models strip whitespace before checking ``min_length``: a blank string is refused. Say so in
    the schema (a pattern needing one non-space character), so that clients and fuzzers know it."""
    components = document.get("components", {}).get("schemas", {})
    pending = list(_request_schemas(document))
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen or name not in components:
            continue
        seen.add(name)
        for prop in components[name].get("properties", {}).values():
            for option in [prop, *prop.get("anyOf", []), prop.get("items", {})]:
                ref = option.get("$ref", "")
                if ref:
                    pending.append(ref.rsplit("/", 1)[-1])
                if option.get("type") != "string":
                    continue
                if "pattern" in option:
                    option["pattern"] = portable_pattern(option["pattern"])
                elif option.get("minLength", 0) >= 1:
                    option["pattern"] = NON_BLANK


def document_errors(app: FastAPI) -> None:
    """Document the error responses on every /api/ route and state the non-blank rule in the schema."""
    for route in iter_routes(app):
        if isinstance(route, APIRoute) and route.path.startswith("/api/") and route.include_in_schema:
            for code, spec in ERRORS.items():
                route.responses.setdefault(code, spec)
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = build()
            _state_non_blank(document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def allowed_methods(app: FastAPI, scope: Scope) -> list[str]:
    methods: set[str] = set()
    probe = dict(scope)
    for route in iter_routes(app):
        route_methods = getattr(route, "methods", None)
        if not route_methods:
            continue
        match, _ = route.matches(probe)
        if match in (Match.FULL, Match.PARTIAL):
            methods |= set(route_methods)
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)
