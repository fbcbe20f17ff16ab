name = 'corp'
version = '1.0'
description = 'café ☃ 😀'
requires = ['foo']
