from rez.utils.lint_helper import env, building, scope
name = 'conf'
version = '1.0.0'
with scope("config") as c:
    c.release_packages_path = "/sw/released"
