name = 'corp'
version = '1.0'
def commands():
    if x:
        y = 1
      z = 2
