"""Map errors to responses: JSON with a stable code for the API, an HTML page (or redirect) for browsers."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from hushdesk.kit.errors import DomainError, RateLimited, Unauthenticated
from hushdesk.web.openapi import allowed_methods

log = logging.getLogger(__name__)


def wants_html(request: Request) -> bool:
    path = request.url.path
    if path.startswith(("/api/", "/widget/api", "/healthz")):
        return False
    return "text/html" in request.headers.get("accept", "") or request.headers.get("hx-request") == "true"


def error_body(code: str, message: str, details: object = None) -> dict[str, object]:
    body: dict[str, object] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return {"error": body}


def domain_error_json(exc: DomainError) -> JSONResponse:
    """A domain error as the API answers it (also used by the ingest fast path, web/fast_ingest.py)."""
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
    return JSONResponse(error_body(exc.code, exc.message, exc.details), status_code=exc.status, headers=headers)


def _html_error(request: Request, status: int, message: str) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    response: Response = templates.TemplateResponse(request, "error.html", {"status": status, "message": message},
                                                    status_code=status)
    return response


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        if wants_html(request):
            if isinstance(exc, Unauthenticated) and request.headers.get("hx-request") != "true":
                return RedirectResponse("/login?next=" + request.url.path, status_code=303)
            if isinstance(exc, Unauthenticated):
                return HTMLResponse("", status_code=401, headers={"HX-Redirect": "/login"})
            return _html_error(request, exc.status, exc.message)
        return domain_error_json(exc)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        details = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        if wants_html(request):
            return _html_error(request, 422, "; ".join(str(d["msg"]) for d in details)[:500])
        if any(d["type"] == "json_invalid" for d in details):
            return JSONResponse(error_body("invalid_json", "the request body is not valid JSON", details),
                                status_code=422)
        return JSONResponse(error_body("validation_error", "the request is invalid", details), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed", 400: "bad_request"}.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        if exc.status_code == 400 and "parsing the body" in message:
            # FastAPI's own answer to a body that is not valid JSON (documented in docs/api.md).
            code, message = "invalid_json", "the request body is not valid JSON"
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request.app, request.scope))
        if wants_html(request):
            response = _html_error(request, exc.status_code, message)
            response.headers.update(headers)
            return response
        return JSONResponse(error_body(code, message), status_code=exc.status_code, headers=headers or None)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # The log record carries the type and request id only; messages may hold personal data.
        log.error("unhandled %s on %s %s (request %s)", type(exc).__name__, request.method, request.url.path,
                  getattr(request.state, "request_id", "-"))
        if wants_html(request):
            return _html_error(request, 500, "something went wrong; nothing was saved")
        return JSONResponse(error_body("internal_error", "something went wrong; nothing was saved"), status_code=500)
