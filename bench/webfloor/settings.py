"""The project's settings with one more URL (webfloor/urls.py); bench/web.py only."""

from carebroker import settings as _project

globals().update({name: value for name, value in vars(_project).items() if name.isupper()})
ROOT_URLCONF = "webfloor.urls"
