"""Architecture tooling: the boundary check, the module map, per-module test slices and the runtime query guard.

Everything here reads the source (``ast``) and, where it helps, the app
registry; the one list of modules is ``contracts.container.MODULES``, so a
new module is covered the moment it is listed there.
"""
