"""Helpers for Lab 3: datasets, models, training, metrics and plots."""
