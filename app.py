"""The `flask --app app` entry point and the WSGI application for gunicorn (app:app)."""

from samlinger import create_app

app = create_app()
