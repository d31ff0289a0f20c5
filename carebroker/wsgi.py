import os

from django.core.wsgi import get_wsgi_application

from carebroker import var

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carebroker.settings")
var.prepare()  # the web server, like `carebroker ...`, makes var/ and the development key
application = get_wsgi_application()
