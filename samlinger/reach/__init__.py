"""Reach: which municipalities the gatherings reached, over rounds and years (figures.py)."""
