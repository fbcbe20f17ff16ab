name = "lighting_tools"
requires = ["python-3.11"]
