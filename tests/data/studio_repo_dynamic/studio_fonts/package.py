name = "studio_fonts"
# unversioned: rez names it by its folder
description = "Licensed fonts for burn-ins and slates."


@early()
def tools():
    return []


def commands():
    env.STUDIO_FONT_PATH = "{root}/fonts"
