"""gunicorn settings for samlinger: `gunicorn -c deploy/gunicorn.conf.py app:app` (docs/DEPLOYMENT.md).

Workers and the address are given on the command line; this file makes the access log safe to keep:
manage and set-password tokens are masked (samlinger/logmask.py).
"""

logger_class = "samlinger.logmask.MaskedLogger"
accesslog = "-"
