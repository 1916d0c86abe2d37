"""PolicyRadar: future-industry policy watch for Chinese government sites."""

__version__ = "0.1.0"
