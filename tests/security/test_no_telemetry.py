"""FastAPI's own OpenTelemetry export stays off: it would send validation failures with their input values
(personal data) and exception messages to any exporter the environment configures."""

from __future__ import annotations

from fastapi import FastAPI


def test_fastapi_telemetry_is_off(app: FastAPI) -> None:
    config = app._telemetry  # FastAPI 0.165 keeps its telemetry settings here
    assert not any(config[k] for k in ("tracing", "metrics", "logs", "operation_spans", "auto_configure"))
    assert app._native_telemetry.enabled() is False
