name = 'corp'
version = '1.0'
async def commands():
    pass
