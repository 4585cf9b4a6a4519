"""improve: collaborative improvement for adult social care teams."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from jinja2 import ChainableUndefined, ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings from the environment, then the caller's overrides."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    os.makedirs(app.instance_path, exist_ok=True)

    from improve.config import engine_options, settings

    app.config.from_mapping(settings(app.instance_path))
    if config:
        app.config.from_mapping(config)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    )

    _trust_proxies(app, app.config.get("PROXIES", 0))
    _configure_templates(app)
    _init_extensions(app)
    _register_blueprints(app)
    return app


def _trust_proxies(app: Flask, proxies: int) -> None:
    """Behind `proxies` reverse proxies, take the browser's address and scheme from the headers
    they add, so the per-network limits count each person, not the proxy. Never trusted without
    proxies: a browser could send any X-Forwarded-For. Links in email use BASE_URL, never the
    Host a request claims, so X-Forwarded-Host is ignored."""
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=0
        )


def _configure_templates(app: Flask) -> None:
    # The GOV.UK macros expect ChainableUndefined and their own package-prefixed template paths.
    app.jinja_env.undefined = ChainableUndefined
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(os.path.join(app.root_path, app.template_folder or "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


def _init_extensions(app: Flask) -> None:
    from govuk_frontend_wtf.main import WTFormsHelpers

    from improve import (
        auth,
        cli,
        errors,
        htmx,
        mail,
        permissions,
        security,
        static_files,
        submissions,
        widget_cache,
    )
    from improve.extensions import csrf, db, login_manager, migrate
    from improve.extensions import htmx as htmx_extension

    db.init_app(app)
    # Batch mode lets later migrations alter SQLite tables, which cannot ALTER most things.
    migrate.init_app(
        app, db, render_as_batch=True, compare_type=True, render_item=_render_migration_item
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    htmx_extension.init_app(app)
    WTFormsHelpers(app)
    widget_cache.init_app(app)
    auth.init_login(app)
    htmx.init_app(app)
    security.init_app(app)
    static_files.init_app(app)
    permissions.init_app(app)
    errors.init_app(app)
    submissions.init_app(app)
    cli.init_app(app)
    mail.init_app(app)


def _render_migration_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write our UTC timestamp type into migrations as the plain column type it stores, so a
    migration never imports application code."""
    from improve.models.base import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _register_blueprints(app: Flask) -> None:
    from improve.routing import IdConverter

    app.url_map.converters["id"] = IdConverter
    from improve.admin import bp as admin_bp
    from improve.aims import bp as aims_bp
    from improve.auth import bp as auth_bp
    from improve.collaboratives import bp as collaboratives_bp
    from improve.comments import bp as comments_bp
    from improve.coordination import bp as coordination_bp
    from improve.cycles import bp as cycles_bp
    from improve.drivers import bp as drivers_bp
    from improve.exports import bp as exports_bp
    from improve.help import bp as help_bp
    from improve.history import bp as history_bp
    from improve.home import bp as home_bp
    from improve.ideas import bp as ideas_bp
    from improve.measures import bp as measures_bp
    from improve.panel import bp as panel_bp
    from improve.reports import bp as reports_bp
    from improve.teams import bp as teams_bp

    app.register_blueprint(home_bp)
    app.register_blueprint(help_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(collaboratives_bp, url_prefix="/collaboratives")
    app.register_blueprint(teams_bp, url_prefix="/teams")
    # Team records: their URLs carry their own ids, scoped by improve.permissions loaders.
    for blueprint in (aims_bp, drivers_bp, cycles_bp, comments_bp, history_bp, measures_bp):
        app.register_blueprint(blueprint)
    # The collaborative as a whole (issue 5): each registers its own full URLs.
    for blueprint in (reports_bp, coordination_bp, panel_bp, ideas_bp, exports_bp):
        app.register_blueprint(blueprint)
    # The read-only JSON API (issue 19, point 5), and its token pages under "Your account".
    from improve.api import bp as api_bp
    from improve.api import tokens_bp as api_tokens_bp

    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(api_tokens_bp)
    # Communities of practice (issue 20, point 2): each route carries its own full URL.
    from improve.communities import bp as communities_bp

    app.register_blueprint(communities_bp)
    # A community of practice's research needs and evaluation (issue 20, points 4 and 5).
    from improve.community_feedback import bp as community_feedback_bp
    from improve.research import bp as research_bp

    app.register_blueprint(research_bp)
    app.register_blueprint(community_feedback_bp)
    # Priority-setting rounds of a collaborative or a CoP (issue 20, point 1).
    from improve.priorities import bp as priorities_bp

    app.register_blueprint(priorities_bp)
