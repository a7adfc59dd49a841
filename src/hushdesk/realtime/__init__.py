"""Live updates to agents and visitors (WebSocket fan-out)."""
