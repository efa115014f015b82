"""The ``steerco`` command."""
