name = 'corp'
version = '1.0'
with scope('config') as config:
    release_packages_path = '/some/path'
    config.build_thread_count = 4
requires = ['foo']
