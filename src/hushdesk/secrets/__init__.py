"""BYOK secrets: stored encrypted under the workspace key; after saving, only the last four characters show."""
