# the file names another family: rez lists it under its folder, pyrer leaves it to rez
name = "shader_library"
requires = ["python"]
