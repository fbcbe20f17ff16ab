name = 'corp'
version = '1.0'
requires = [r'foo', R"bar", rb'' and 'x']
