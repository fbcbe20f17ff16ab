name = 'os'
version = 'CentOS-7'
description = 'Operating system package for the legacy render farm nodes.'
authors = ['rez-bind']
requires = [
    'platform-linux',
    'arch-x86_64',
]
relocatable = True
cachable = False
studio_eol = (2024, 6, 30)