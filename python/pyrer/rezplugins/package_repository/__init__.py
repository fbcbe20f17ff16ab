"""pyrer's package_repository plugin (``pyrer@``), for rez's plugin scan."""
