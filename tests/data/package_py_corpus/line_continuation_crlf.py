name = \
  'corp'
version = '1'
