name = "site_config"
version = "4.1.0"


@early()
def requires():
    import os
    return [os.environ.get("STUDIO_SITE_PACKAGE", "site_default")]
