name = 'corp'
version = '1.0'
   
	
  # c
requires = ['foo']
