"""Experiments: the five studies as named recipes, run as resumable trials into a report folder."""
