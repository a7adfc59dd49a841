"""Privacy: processing purposes, per-contact flags and consent, and the right-to-know facts of the data map."""
