"""gunicorn settings for samlinger: `gunicorn -c deploy/gunicorn.conf.py app:app` (docs/DEPLOYMENT.md).

Workers and the address are given on the command line; this file makes the access log safe to keep:
manage and set-password tokens are masked (samlinger/logmask.py). It also tells the app how many workers serve,
so that it warns at start when the rate limits are counted per process (samlinger/startup_checks.py).
"""

import os

logger_class = "samlinger.logmask.MaskedLogger"
accesslog = "-"


def on_starting(server):
    """Before any worker starts (and loads the app): how many workers this gunicorn runs."""
    os.environ["SAMLINGER_GUNICORN_WORKERS"] = str(server.cfg.workers)
