"""rez's package filter handed to pyrer: its rules read from rez's own objects.

rez's `PackageFilterList` is taken apart rule by rule (kind, `rule.family()`,
text), so that pyrer applies exactly the rules rez would, filed under the
families rez files them under. Anything pyrer does not know (a studio's own
filter or rule class, timestamp rules, a glob or regex it cannot read exactly
as Python does) leaves the resolve to rez's solver, with the reason counted.
"""

from __future__ import annotations

from typing import Any, Union

import pyrer

Rules = list[tuple[str, Union[str, None], str]]


def native_filter(package_filter: Any) -> pyrer.PackageFilter | str | None:
    """pyrer's form of `package_filter`: None if it hides nothing, else why rez must apply it."""
    if not package_filter:
        return None
    from rez.package_filter import PackageFilter, PackageFilterList

    if type(package_filter) is not PackageFilterList:
        return "package_filter_class"
    filters: list[tuple[Rules, Rules]] = []
    for f in package_filter.filters:
        if type(f) is not PackageFilter:
            return "package_filter_class"
        excludes, includes = _rules(f._excludes), _rules(f._includes)
        if isinstance(excludes, str):
            return excludes
        if isinstance(includes, str):
            return includes
        filters.append((excludes, includes))
    try:
        return pyrer.PackageFilter(filters)
    except ValueError:
        return "package_filter_rule"


def _rules(by_family: dict[Any, list[Any]]) -> Rules | str:
    from rez.package_filter import GlobRule, RangeRule, RegexRule, TimestampRule

    rules: Rules = []
    for family_rules in by_family.values():
        for rule in family_rules:
            kind = type(rule)
            if kind is GlobRule:
                rules.append(("glob", rule.family(), rule.txt))
            elif kind is RegexRule:
                rules.append(("regex", rule.family(), rule.txt))
            elif kind is RangeRule:
                rules.append(("range", rule.family(), str(rule._requirement)))
            elif kind is TimestampRule:
                if rule.match_untimestamped:  # only built in code; rez never parses one
                    return "package_filter_rule"
                label = "after" if rule.reverse else "before"
                rules.append((label, rule.family(), str(int(rule.timestamp))))
            else:
                return "package_filter_rule"
    return rules
