"""The HTTP edge: app wiring, dependencies, security headers, error mapping, HTML pages."""
