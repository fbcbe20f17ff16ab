name = 'x'
version = '1'

@early()
def requires():
    if build_variant_index == False:
        return ['a']
    return []
