import studio_site_config
name = "corp"
version = "1.0"
