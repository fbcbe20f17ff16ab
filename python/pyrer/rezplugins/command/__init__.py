"""pyrer's command plugin (``rez pyrer-index``), for rez's plugin scan."""
