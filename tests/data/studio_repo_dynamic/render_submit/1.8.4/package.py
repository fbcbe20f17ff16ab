name = "render_submit"
version = "1.8.4"

late = globals()["late"]  # keeps linters quiet about the loader's names
early = globals()["early"]

_farm = "deadline-10"


@early()
def requires():
    import os  # noqa: F401  (left over from an older version)
    return [_farm, "python-3.9"]


@early()
def description():
    return "Submit %s renders to %s" % (name, _farm)


tests = {
    "unit": "pytest {root}/tests",
    "py39": {
        "command": "pytest {root}/tests",
        "on_variants": {"type": "requires", "value": ["python-3.9"]},
    },
}


def commands():
    env.PATH.append("{root}/bin")
