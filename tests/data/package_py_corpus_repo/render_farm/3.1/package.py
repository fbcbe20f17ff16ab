name = "render_farm"
version = "3.2"  # the file says otherwise: the file is read as it is
requires = ["python"]
