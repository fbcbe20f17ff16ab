name = 'x'
version = '1'

@early()
def requires():
    return ['idx-' + str(build_variant_index)]
