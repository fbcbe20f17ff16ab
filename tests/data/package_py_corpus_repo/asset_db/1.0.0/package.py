name = "asset_db"
requires = ["python-3"]
tests = {"unit": "pytest"}
