name = 'corp'
version = '1.0'
variants = [['python>=2.7', 'maya-2018+<2020'], ['!foo', '~bar>1']]
