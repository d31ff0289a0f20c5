"""Static files: WhiteNoise, plus GOV.UK Frontend's fonts and images at /assets/.

GOV.UK Frontend's compiled CSS asks for `/assets/fonts/...` and `/assets/images/...`, outside
STATIC_URL. WhiteNoise's own WHITENOISE_ROOT can serve them only by serving a whole folder at
the site's root (all of GOV.UK Frontend's 900 files, scanned each time the middleware is
made); this serves just the assets folder under /assets/ (settings.GOVUK_ASSETS: the
collected copy in production, node_modules in development).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from whitenoise.middleware import WhiteNoiseMiddleware


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_files(str(settings.GOVUK_ASSETS), prefix="/assets/")
