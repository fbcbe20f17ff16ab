name = 'corp'
version = '1.0'
def commands():
    x = 1
      y = 2
