late = globals()['early']
name = 'x'
version = '1'

@late()
def tools():
    return []
