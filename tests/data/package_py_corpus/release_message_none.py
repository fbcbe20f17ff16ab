name = 'corp'
version = '1.0'
release_message = None
revision = {'a': 1}
vcs = 'git'
changelog = 'x'
