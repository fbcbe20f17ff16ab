name = 'corp'
version = '1.0'
def commands():
	env.PATH.append('{root}/bin')
	if x:
		pass
requires = ['foo']
