"""The topics, grouped by theme; each module exposes TOPICS, a tuple of Topic in teaching order."""
