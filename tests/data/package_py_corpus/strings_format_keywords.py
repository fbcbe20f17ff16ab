name = "alembic"
version = "1.8.5"
help = "https://docs.example/alembic-{version}".format(version=str(version))
requires = ["imath-3", "python-{}".format("3.9")]
