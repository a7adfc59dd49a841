"""Workspaces, roles and the actor resolved once at the edge of each request."""
