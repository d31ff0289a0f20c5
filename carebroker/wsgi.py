import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from carebroker import var

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carebroker.settings")
var.prepare()  # the web server, like `carebroker ...`, makes var/ and the development key
application = get_wsgi_application()
# Every view imported now (through the URLconf), then everything made so far (Django, the
# app, its modules: about 150,000 objects) moved out of the garbage collector's sight. A
# page makes thousands of objects, so the collector runs during most requests, and each of
# its full passes walked all of those again: 3 to 4 ms a request on the provider portal at
# 100,000 packages, in-process (bench/README.md). Nothing made here is ever freed anyway.
get_resolver().url_patterns  # noqa: B018 - imports the views
gc.freeze()
