name = 'corp'
version = '1.0'
try:
    requires = ['a']
except Exception:
    pass
