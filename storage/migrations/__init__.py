"""Alembic migration environment, shipped inside the package so an installed radar can upgrade its database."""
