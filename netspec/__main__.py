"""``python -m netspec`` works like ``netspec``."""

from netspec.cli import run

run()
