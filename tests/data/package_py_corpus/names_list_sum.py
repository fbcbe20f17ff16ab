name = 'comp_tools'
version = '4.0'
_base = ['python-3.9', 'numpy-1.20+']
requires = _base + ['opencv-4']
_py = ['python-3.9']
variants = [_py + ['nuke-13'], _py + ['nuke-14']]
