"""The deployable's settings, unchanged, plus the bench's statement counter in front of every request."""

from commerce.settings import *  # noqa: F403
from commerce.settings import MIDDLEWARE

MIDDLEWARE = ["bench.sqlcount.SqlCountMiddleware", *MIDDLEWARE]
