"""WSGI entry point for any WSGI server: `gunicorn wsgi:app`."""

from qms import create_app

app = create_app()
