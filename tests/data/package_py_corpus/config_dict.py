name = 'corp'
version = '1.0'
config = {'release_packages_path': '/x'}
