"""Dates and times in notices, always in the councils' local time (carebroker/lib/london.py).

`{{ deadline|london_time }}` -> "10:00 on Monday 23 November 2026";
`{{ start|long_date }}` -> "Monday 7 December 2026".
"""

from django import template

from carebroker.lib import london

register = template.Library()
register.filter("long_date", london.long_date)
register.filter("london_time", london.london_time)
