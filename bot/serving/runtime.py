"""Rasa's command line with the measured performance fixes of rasa_patches applied:
``python -m bot.serving.runtime run ...`` (serve.sh and the scaled mode start Rasa this way)."""

from __future__ import annotations

import sys

from bot.serving import rasa_patches


def main() -> None:
    rasa_patches.apply()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    sys.exit(main())
