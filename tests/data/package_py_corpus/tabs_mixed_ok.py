name = 'corp'
version = '1.0'
def commands():
	    a = 1
	    b = 2
