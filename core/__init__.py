"""Base layer: settings, paths, the YAML loader, the source schema, network policy, child-process helpers.

Everything else builds on these; nothing here imports another package of ours.
"""
