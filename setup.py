"""Only for the optional C extension; everything else is in pyproject.toml.

``optional=True``: without a C compiler the install still succeeds and
pipeline.cnfold uses its pure-Python passes (same results, slower).
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("pipeline._textprep", ["pipeline/_textprep.c"], optional=True)])
