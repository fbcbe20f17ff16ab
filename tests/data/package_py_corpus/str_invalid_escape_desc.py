name = 'corp'
version = '1.0'
description = 'C:\path\dir'
