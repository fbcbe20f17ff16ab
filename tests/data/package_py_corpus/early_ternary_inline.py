name = 'render_farm'
version = '5.1'

@early()
def requires(): return ['deadline-10'] if this.version == '5.1' else ['deadline-9']
