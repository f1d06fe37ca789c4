"""Rounds and gatherings as the organisers create, publish, change and cancel them."""
