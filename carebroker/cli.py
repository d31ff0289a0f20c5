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


def dashed(name: str) -> str:
    return name.replace("_", "-")


def overview() -> str:
    """`carebroker help`: our commands first, by the dashed names people type, each with its
    one-line help; Django's own after them (issue 10)."""
    import django
    from django.core.management import get_commands, load_command_class

    django.setup()
    ours, theirs = [], []
    for name, app in sorted(get_commands().items()):
        (ours if app.startswith("carebroker") else theirs).append((name, app))
    lines = ["Usage: carebroker COMMAND [options]   (carebroker help COMMAND for its options)", ""]
    lines.append("carebroker's commands:")
    width = max(len(dashed(name)) for name, _ in ours)
    for name, app in ours:
        text = (load_command_class(app, name).help or "").strip().splitlines()
        lines.append(f"  {dashed(name).ljust(width)}  {text[0] if text else ''}".rstrip())
    lines += ["", "Django's commands (for administrators):"]
    names = [name for name, _ in theirs]
    for start in range(0, len(names), 6):
        lines.append("  " + ", ".join(names[start : start + 6]))
    return "\n".join(lines)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carebroker.settings")
    var.prepare()  # var/ and the development key: made by commands, never by settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    argv = [sys.argv[0], *sys.argv[1:]]
    argv[0] = "carebroker"
    try:
        if len(argv) == 1 or (len(argv) == 2 and argv[1] in ("help", "--help", "-h")):
            print(overview())
            return
        argv[1] = command_name(argv[1])
        if argv[1] == "help" and len(argv) > 2:
            argv[2] = command_name(argv[2])
        execute_from_command_line(argv)
    except ImproperlyConfigured as error:
        # A bad or missing setting ("SECRET_KEY: required ...") is one line, not a traceback.
        sys.stderr.write(f"carebroker: {error}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
