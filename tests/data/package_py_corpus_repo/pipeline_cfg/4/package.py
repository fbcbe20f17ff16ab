name = "pipeline_cfg"
requires = []
private_build_requires = ["cmake-3"]
hashed_variants = True
variants = [["platform-linux"]]
