"""The emulator's own control API under ``/_emulator``: ``responses`` and ``urls``.

It holds no entities of its own (no ``models`` or ``seed``): its backend is the emulator itself.
"""
