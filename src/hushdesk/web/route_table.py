"""Flatten the app's route table (FastAPI keeps included routers nested) for generated tests and docs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from starlette.routing import BaseRoute


def iter_routes(app: FastAPI) -> Iterator[BaseRoute]:
    def walk(routes: list[Any]) -> Iterator[BaseRoute]:
        for route in routes:
            original = getattr(route, "original_router", None)
            if original is not None:
                yield from walk(list(original.routes))
            else:
                yield route

    yield from walk(list(app.routes))
