"""pyrer's rez plugins, found by rez's scan of every top-level package on
``sys.path`` for a ``rezplugins`` folder (rez 3.0 and later): wherever pyrer
is importable (site-packages, ``pip install --target`` + ``PYTHONPATH``, a rez
package of its own), rez finds them, and rez catches any error a plugin module
raises while it loads. Nothing here belongs to rez's own ``rezplugins``."""
