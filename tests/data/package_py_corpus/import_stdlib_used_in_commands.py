import os, sys
import os.path as osp
name = "render_submit"
version = "2.3.0"
requires = ["python-3"]

def commands():
    env.PATH.append(os.path.join("{root}", "bin"))
