"""Behind the proxy of docs/DEPLOYMENT.md only X-Forwarded-For and -Proto are believed: a client cannot
choose the host or port that absolute URLs are built with."""

import uuid

from flask import jsonify, request, url_for

from samlinger import create_app

from .conftest import base_config, create_tables

FORGED = {"Host": "samlinger.example.no", "X-Forwarded-Host": "evil.example", "X-Forwarded-Port": "8443",
          "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}


def _app(tmp_path, **overrides):
    config = base_config(f"sqlite:///{tmp_path / f'{uuid.uuid4().hex}.sqlite'}", tmp_path)
    config.update(TESTING=False, **overrides)
    app = create_app(config)
    with app.app_context():
        create_tables()

    @app.get("/_seen")
    def seen():
        return jsonify(host=request.host, scheme=request.scheme, client=request.remote_addr,
                       url=url_for("gatherings.index", _external=True))
    return app


def test_a_forged_forwarded_host_changes_nothing(tmp_path):
    seen = _app(tmp_path, PROXY_FIX=1).test_client().get("/_seen", headers=FORGED).get_json()
    assert seen["host"] == "samlinger.example.no"
    assert seen["url"] == "https://samlinger.example.no/"
    assert (seen["scheme"], seen["client"]) == ("https", "203.0.113.9"), "what the proxy sets still counts"


def test_without_a_proxy_no_forwarded_header_counts(tmp_path):
    seen = _app(tmp_path).test_client().get("/_seen", headers=FORGED).get_json()
    assert (seen["host"], seen["scheme"], seen["client"]) == ("samlinger.example.no", "http", "127.0.0.1")
