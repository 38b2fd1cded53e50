"""Settings of the bare view: the least Django needs to route a request to a view."""

import os

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY") or "bench-ceiling-not-a-secret"
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1").split(",")
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict = {}
ROOT_URLCONF = "bench.ceiling.urls"
WSGI_APPLICATION = "bench.ceiling.wsgi.application"
USE_TZ = True
USE_I18N = False
