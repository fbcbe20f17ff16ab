name = 'corp'
version = '1.0'
description = '\N{SNOWMAN}'
