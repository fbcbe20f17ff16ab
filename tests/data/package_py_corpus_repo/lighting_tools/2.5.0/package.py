name = "lighting_tools"
requires = ["python-3.9+<3.12"]
variants = [["maya-2023"], ["maya-2024"]]
