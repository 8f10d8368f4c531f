"""``python -m netspec`` works like ``netspec``."""

from netspec.cli import entry_point

if __name__ == "__main__":  # not when a worker process started by spawn imports this module
    entry_point()
