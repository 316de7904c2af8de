"""The NDA register and its disclosure logs."""
