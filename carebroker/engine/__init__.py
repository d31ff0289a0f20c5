"""The sourcing engine: pure Python, no Django, fully typed (``mypy --strict``).

Plain values and frozen dataclasses go in, small value objects come out; nothing
here reads the clock (every function takes ``now`` or a start time).
"""
