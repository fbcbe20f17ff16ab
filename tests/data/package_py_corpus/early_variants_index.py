name = 'maya_tools'
version = '2.0.0'

@early()
def variants():
    base = [['maya-2022'], ['maya-2023']]
    if build_variant_index == 0:
        return base
    return []
