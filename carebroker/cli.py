"""The `carebroker` console script: Django's management commands under the product's name."""

import os
import sys

from carebroker import var


def command_name(name: str) -> str:
    """The Django command for a documented name: "import-providers" -> "import_providers".

    Django command names cannot contain a dash; the product's documented names can.
    Options ("--help") are left as they are.
    """
    return name if name.startswith("-") else name.replace("-", "_")


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carebroker.settings")
    var.prepare()  # var/ and the development key: made by commands, never by settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    argv = [sys.argv[0], *sys.argv[1:]]
    argv[0] = "carebroker"
    if len(argv) > 1:
        argv[1] = command_name(argv[1])
    try:
        execute_from_command_line(argv)
    except ImproperlyConfigured as error:
        # A bad or missing setting ("SECRET_KEY: required ...") is one line, not a traceback.
        sys.stderr.write(f"carebroker: {error}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
