"""Data-subject requests: privacy center, verification, legal clocks, export and erasure driven by the data map."""
