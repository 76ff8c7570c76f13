"""Cell functions (ABCGRADE and its siblings): one registry, standard library only.

See :mod:`xlgrade.cells.model` for the rules every entry follows.
"""
