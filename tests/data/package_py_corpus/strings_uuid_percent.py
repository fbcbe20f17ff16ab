name = "alembic"
version = "1.8.5"
uuid = "repository.%s" % name
description = "Alembic %s for the %s pipeline" % (version, "lighting")
requires = ["python-3"]
