"""WSGI entry point for gunicorn (`gunicorn wsgi:app`). Never starts the scheduler."""

import gc

from app import create_app

app = create_app()
# What the app built at start-up (some 160,000 objects) lives as long as the worker: moved
# out of the collector's sight, a full collection no longer walks it (about 160 ms, every
# few hundred requests, measured on the similar-reports request).
gc.collect()
gc.freeze()
