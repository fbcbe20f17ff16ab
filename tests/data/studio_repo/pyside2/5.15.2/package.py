name = "pyside2"
version = "5.15.2"
description = "Qt for Python (Qt 5.15 LTS) for standalone studio tools."
authors = ["The Qt Company"]
tools = ["pyside2-uic", "pyside2-rcc", "pyside2-designer"]
requires = ["python-3.9"]
variants = [["platform-linux", "arch-x86_64"]]
relocatable = True
timestamp = 1600130022

def commands():
    env.PYTHONPATH.prepend("{root}/python")
    env.PATH.append("{root}/bin")
    env.QT_PLUGIN_PATH.append("{root}/python/PySide2/Qt/plugins")
    env.QT_QPA_PLATFORM_PLUGIN_PATH = "{root}/python/PySide2/Qt/plugins/platforms"
