"""Background jobs: named job functions, enqueued after commit, run by Huey (embedded SQLite or Redis)."""
