//! End-to-end tests of `parse_static_package` on whole sources.

use super::bail::{Construct, Violation};
use super::*;

fn ok(src: &str) -> StaticPackage {
    match parse_static_package(src) {
        Ok(p) => p,
        Err(e) => panic!("bailed ({e}) on:\n{src}"),
    }
}

fn bail(src: &str) -> Bail {
    match parse_static_package(src) {
        Ok(p) => panic!("accepted {p:?} from:\n{src}"),
        Err(e) => e,
    }
}

#[test]
fn benchmark_style_file() {
    let p = ok("# -*- coding: utf-8 -*-\n\nname = 'cope'\n\nversion = '3.79.3'\n\n\
                requires = ['bonus-18.2.0+<19', 'foo>=1']\n\nvariants = \\\n    [['wave-2.7', 'cartload-1.1.6'],\n    ['wave-3.6']]\n\n\
                timestamp = 1600129484\n\nformat_version = 2\n");
    assert_eq!(p.name(), "cope");
    assert_eq!(p.version(), "3.79.3");
    assert_eq!(
        p.requires().collect::<Vec<_>>(),
        ["bonus-18.2.0+<19", "foo-1+"]
    );
    assert_eq!(
        p.variants()
            .map(Iterator::collect::<Vec<_>>)
            .collect::<Vec<_>>(),
        [vec!["wave-2.7", "cartload-1.1.6"], vec!["wave-3.6"]]
    );
}

#[test]
fn functions_docstrings_and_scopes_are_ignored() {
    let p = ok("\"\"\"doc\"\"\"\nname = 'a'; version = \"1.0\"\n\
                def commands():\n    env.PATH.append('{root}/bin')\n    if building:\n        pass\n\
                with scope('config') as c:\n    release_packages_path = '/x'\n    c.y = 1\n\
                description = '''multi\nline'''\n");
    assert_eq!((p.name(), p.version()), ("a", "1.0"));
    assert!(p.requires().len() == 0 && p.num_variants() == 0);
}

#[test]
fn last_assignment_wins_and_chains_bind_all() {
    let p = ok("name = 'a'\nversion = '1'\nrequires = ['x']\nrequires = b = ['y']\n");
    assert_eq!(p.requires().collect::<Vec<_>>(), ["y"]);
}

#[test]
fn assignment_targets() {
    let base = "name = 'a'\nversion = '1'\n";
    let p = ok(&format!(
        "{base}x = True\ny = z = None\nrequires = r = ['q']\n"
    ));
    assert_eq!(p.requires().collect::<Vec<_>>(), ["q"]);
    assert_eq!(bail(&format!("{base}x = y\n")), Bail::NonLiteral);
    assert_eq!(bail(&format!("{base}x = y = z\n")), Bail::NonLiteral);
    assert_eq!(bail(&format!("{base}x = lambda = 1\n")), Bail::Syntax);
    assert_eq!(bail(&format!("{base}x = __debug__ = 1\n")), Bail::Syntax);
    assert_eq!(
        bail(&format!("{base}x = early = 1\n")),
        Bail::Unsupported(Construct::RebindsLoaderName)
    );
    assert!(parse_static_package(&format!("{base}x = True = 1\n")).is_err());
    assert_eq!(
        bail(&format!("{base}x: int = 1\n")),
        Bail::Unsupported(Construct::AnnotatedAssignment)
    );
    assert_eq!(bail(&format!("{base}x += 1\n")), Bail::AugmentedAssignment);
}

#[test]
fn scope_blocks_do_not_leak_names() {
    let p = ok("name = 'a'\nversion = '1'\nwith scope('config'):\n    version = '2'\n");
    assert_eq!(p.version(), "1");
}

#[test]
fn lint_helper_imports_bind_none() {
    let p = ok("from rez.utils.lint_helper import env, building, scope\n\
                name = 'a'\nversion = '1'\nrequires = ['b-2']\n\
                def commands():\n    env.X = '1'\n");
    assert_eq!(p.requires().collect::<Vec<_>>(), ["b-2"]);
    let p = ok(
        "from rez.utils.lint_helper import (\n    env as e,\n    this,\n)\n\
                name = 'a'\nversion = '1'\n",
    );
    assert_eq!(p.name(), "a");
    let base = "name = 'a'\nversion = '1'\n";
    for (src, bail) in [
        ("from rez.utils.lint_helper import *\n", Bail::Import),
        ("from rez.utils.lint_helpers import env\n", Bail::Import),
        ("from rez.utils import lint_helper\n", Bail::Import),
        ("from rez.utils.lint_helper import requires\n", Bail::Import),
        ("from rez.utils.lint_helper import late\n", Bail::Import),
        (
            "from rez.utils.lint_helper import env; x = 1\n",
            Bail::Import,
        ),
        (
            "from rez.utils.lint_helper import scope\nwith scope('config'):\n    a = 1\n",
            Bail::Unsupported(Construct::WithStatement),
        ),
    ] {
        let full = format!("{base}{src}");
        assert_eq!(parse_static_package(&full).map(|_| ()), Err(bail), "{src}");
    }
}

#[test]
fn dynamic_files_bail() {
    let base = "name = 'a'\nversion = '1'\n";
    let cases: &[(&str, Bail)] = &[
        (
            "@late()\ndef requires():\n    return []\n",
            Bail::Unsupported(Construct::LateFunction),
        ),
        (
            "@early()\ndef requires():\n    import os\n    return [os.environ['X']]\n",
            Bail::Unsupported(Construct::EarlyFunction),
        ),
        ("import studio_helpers\n", Bail::Import),
        ("if True:\n    requires = []\n", Bail::ControlFlow),
        (
            "requires = ['a']\nrequires += ['b']\n",
            Bail::AugmentedAssignment,
        ),
        ("requires = base\n", Bail::NonLiteral),
        ("requires = ['a'] + ('b',)\n", Bail::NonLiteral),
        (
            "requires = ('a',)\n",
            Bail::Schema(Violation::RequirementsNotList),
        ),
        (
            "requires = [1]\n",
            Bail::Schema(Violation::RequirementNotStr),
        ),
        ("requires = ['foo<<1']\n", Bail::InvalidRequirement),
        (
            "def requires():\n    return []\n",
            Bail::Unsupported(Construct::DefOfPackageAttribute),
        ),
        ("authors = 'me'\n", Bail::Schema(Violation::WrongType)),
        ("def commands():\n    print 'x'\n", Bail::Syntax),
        ("x = [1\n", Bail::Syntax),
        (
            "requires = [f'{x:>3}']\n",
            Bail::Unsupported(Construct::FString),
        ),
    ];
    for (extra, want) in cases {
        assert_eq!(bail(&format!("{base}{extra}")), *want, "{extra}");
    }
    assert_eq!(bail("name = 'a'\n"), Bail::MissingVersion);
    assert_eq!(bail("version = '1'\n"), Bail::MissingName);
    assert_eq!(
        bail("name = 1\nversion = '1'\n"),
        Bail::Schema(Violation::WrongType)
    );
    assert_eq!(bail("name = 'a'\nversion = '1..2'\n"), Bail::InvalidVersion);
}

#[test]
fn string_forms() {
    let p = ok("name = ('fo' r'o' \\\n  u\"\")\nversion = '1\\x2e0'\n\
                requires = [f'ba' F\"r\", '''b''', \"\"\"c\\\n\"\"\"]\nx = rb'\\d'\n");
    assert_eq!(p.name(), "foo");
    assert_eq!(p.version(), "1.0");
    assert_eq!(p.requires().collect::<Vec<_>>(), ["bar", "b", "c"]);
}

#[test]
fn crlf_bom_tabs() {
    let p = ok("\u{feff}name = 'a'\r\nversion = '1'\r\ndef commands():\r\n\tenv.A = 1\r\n\r\nrequires = [\r\n\t'b',\r\n]\r\n");
    assert_eq!(p.requires().collect::<Vec<_>>(), ["b"]);
}

#[test]
fn never_panics_on_garbage() {
    for src in [
        "",
        "\\",
        "'",
        "(((",
        "def",
        "def f(",
        "with scope(",
        "with scope('x') as",
        "x = -",
        "{",
        "0x",
        "\u{feff}",
        "\r",
        "@",
        "name = 'a' 'b' b'c'",
    ] {
        let _ = parse_static_package(src);
    }
}

/// Deterministic mutation fuzzing over the committed corpus: random byte
/// edits, splices and truncations must never panic (the Python functions
/// promise never to raise). Hypothesis drives a differential fuzz in Python.
#[test]
fn mutated_corpus_never_panics() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/package_py_corpus");
    let mut seeds: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| std::fs::read(e.path()).ok())
                .collect()
        })
        .unwrap_or_default();
    seeds.sort();
    assert!(seeds.len() >= 100, "corpus missing at {dir:?}");
    const ALPHABET: &[u8] = b"\\'\"#()[]{}:;,.=+-*@\n\r\t \x0cabfrux019_\xc3\xa9{}";
    let mut rng = crate::test_rng::XorShift::new(0x9e37_79b9_7f4a_7c15);
    let mut next = move || rng.next_u64();
    for round in 0..100_000 {
        let seed = &seeds[round % seeds.len()];
        let mut bytes = seed.clone();
        for _ in 0..1 + next() % 4 {
            let at = if bytes.is_empty() {
                0
            } else {
                (next() as usize) % (bytes.len() + 1)
            };
            match next() % 4 {
                0 => bytes.insert(at, ALPHABET[(next() as usize) % ALPHABET.len()]),
                1 if at < bytes.len() => {
                    bytes.remove(at);
                }
                2 => bytes.truncate(at),
                _ => {
                    let other = &seeds[(next() as usize) % seeds.len()];
                    let from = (next() as usize) % (other.len() + 1);
                    bytes.splice(at..at, other[from..].iter().take(40).copied());
                }
            }
        }
        if let Ok(text) = std::str::from_utf8(&bytes) {
            let _ = parse_static_package(text);
        }
    }
}

#[test]
fn runs_statically_follows_the_module_not_the_schema() {
    use super::runs_statically;
    // the schema of `tests` and `config` is left to rez, yet the module is static
    assert!(runs_statically(
        "name = 'a'\nversion = '1'\ntests = {'unit': 'pytest'}\nconfig = {'x': 1}\n"
    ));
    assert!(runs_statically(
        "def commands():\n    env.PATH.append('{root}')\n"
    ));
    assert!(runs_statically("name = 'a'\n")); // no version: the schema's business
    assert!(!runs_statically("import os\nname = os.environ['X']\n"));
    assert!(runs_statically(
        "@early()\ndef description():\n    return 'x'\n"
    ));
    assert!(!runs_statically(
        "@early()\ndef description():\n    return open('README').read()\n"
    ));
    assert!(!runs_statically("name = 'a' + suffix\n"));
    assert!(!runs_statically(
        "def commands(x=open('/etc/passwd')):\n    pass\n"
    ));
    assert!(!runs_statically("if True:\n    name = 'a'\n"));
}

#[test]
fn version_from_directories_as_rez_repository_lists_them() {
    use super::{parse_static_package_in, VersionFallback};
    let dirs = |parent, grandparent| VersionFallback::Directories {
        parent,
        grandparent,
    };
    let src = "name = 'tool'\nrequires = ['python-3']\n";
    let versioned = parse_static_package_in(src, dirs("1.2.3", "tool")).unwrap();
    assert_eq!(versioned.version(), "1.2.3");
    let unversioned = parse_static_package_in(src, dirs("tool", "repo")).unwrap();
    assert_eq!(unversioned.version(), "");
    // a folder rez would not list as that version, or a name the folders
    // do not give, is left to rez
    assert!(parse_static_package_in(src, dirs("1..0", "tool")).is_err());
    assert_eq!(
        parse_static_package_in(src, dirs("1.0", "other")).unwrap_err(),
        Bail::MissingVersion
    );
    assert_eq!(
        parse_static_package_in(src, VersionFallback::None).unwrap_err(),
        Bail::MissingVersion
    );
    // a version in the file is the file's, in every form
    let own = "name = 'tool'\nversion = '2.0'\n";
    assert_eq!(
        parse_static_package_in(own, dirs("1.0", "tool"))
            .unwrap()
            .version(),
        "2.0"
    );
    let known = parse_static_package_in(src, VersionFallback::Known("4.5")).unwrap();
    assert_eq!(known.version(), "4.5");
}

#[test]
fn scope_attribute_paths_as_rez_scope_objects_take_them() {
    let head = "name = 'a'\nversion = '1'\nwith scope('config') as c:\n";
    for ok in [
        "    c.plugins.release_vcs.git.allow_no_upstream = True\n",
        "    c.a.b = 1\n    c.a.c = 2\n    c.x = [1]\n",
        "    c.data = 5\n    c.items = 1\n", // set, not read: the scope's data
        "    c.a.b = 1\n    c.a = 2\n",      // overwrite after the nested set
    ] {
        assert!(parse_static_package(&format!("{head}{ok}")).is_ok(), "{ok}");
    }
    for declined in [
        "    c.a = 1\n    c.a.b = 2\n", // AttributeError in rez: an int
        "    c.a.b = 1\n    c.a.b.c = 2\n",
        "    c.copy.x = 1\n", // a method, not a child scope
        "    c.name.x = 1\n", // the scope's own state
        "    c._x.y = 1\n",
        "    d.a = 1\n",
    ] {
        assert_eq!(
            parse_static_package(&format!("{head}{declined}")).unwrap_err(),
            Bail::Unsupported(Construct::StatementInScopeBlock),
            "{declined}"
        );
    }
    assert!(parse_static_package(&format!("{head}    c.a.b = c.x\n")).is_err());
    // rez shares one scope object between blocks of the same name, and moves
    // a block's plain names into it when the block ends
    for declined in [
        format!("{head}    c.a = 1\nwith scope('config') as c:\n    c.a.b = 2\n"),
        format!("{head}    a = 1\nwith scope('config') as d:\n    d.a.b = 2\n"),
    ] {
        assert!(parse_static_package(&declined).is_err(), "{declined}");
    }
    for ok in [
        format!("{head}    a = 1\n    c.a.b = 2\n"), // moved only at the end of the block
        format!("{head}    c.a = 1\nwith scope('other') as c:\n    c.a.b = 2\n"),
        format!("{head}    with scope('plugins') as p:\n        p.a = 1\n    c.a.b = 2\n"),
    ] {
        assert!(parse_static_package(&ok).is_ok(), "{ok}");
    }
}

#[test]
fn strings_built_at_top_level() {
    let pkg = ok("name = 'alembic'\n_py = '3.9'\nversion = '1.' + '8'\n\
                  uuid = 'repository.%s' % name\n\
                  requires = ['python-' + _py, 'imath-{}'.format(3), str(_py)]\n");
    assert_eq!(pkg.version(), "1.8");
    assert_eq!(
        pkg.requires().collect::<Vec<_>>(),
        ["python-3.9", "imath-3", "3.9"]
    );
    for bad in [
        "name = 'a'\nversion = '1'\ndescription = '%s %s' % name\n",
        "name = 'a'\nversion = '1'\ndescription = unbound + 'x'\n",
        "name = 'a'\nversion = '1'\nn = 1\ndescription = 'x' + n\n",
        "name = 'a'\nversion = '1'\nstr = 'x'\ndescription = str(name)\n",
        "name = 'a'\nversion = '1'\ndescription = '{:>3}'.format(name)\n",
        "name = 'a'\nversion = '1'\ndef f():\n    pass\ndescription = f + 'x'\n",
    ] {
        assert!(parse_static_package(bad).is_err(), "{bad}");
    }
    // scope blocks keep their names to themselves
    assert!(parse_static_package(
        "name = 'a'\nversion = '1'\nwith scope('config') as c:\n    x = name + 'y'\n"
    )
    .is_err());
    // deeply nested string building is bounded like literals are
    let deep = format!(
        "name = 'a'\nversion = '1'\ndescription = {}'x'{}\n",
        "str(".repeat(500),
        ")".repeat(500)
    );
    assert!(parse_static_package(&deep).is_err());
}

#[test]
fn quiet_stdlib_imports() {
    let pkg = ok(
        "import os, sys\nimport os.path as osp\nname = 'a'\nversion = '1'\n\
                  def commands():\n    env.X = os.sep\n",
    );
    assert_eq!(pkg.version(), "1");
    for (src, why) in [
        ("import studio\nname = 'a'\nversion = '1'\n", Bail::Import),
        (
            "import os\nname = 'a'\nversion = os.sep\n",
            Bail::NonLiteral,
        ),
        (
            "import json as requires\nname = 'a'\nversion = '1'\n",
            Bail::Import,
        ),
        (
            "import os as early\nname = 'a'\nversion = '1'\n",
            Bail::Import,
        ),
        (
            "import os as str\nname = 'a'\nversion = '1'\n",
            Bail::Import,
        ),
        ("import os.pathx\nname = 'a'\nversion = '1'\n", Bail::Import),
        ("import os,\nname = 'a'\nversion = '1'\n", Bail::Import),
    ] {
        assert_eq!(bail(src), why, "{src}");
    }
    // a module is not a string to build with
    assert!(parse_static_package("import os\nname = 'a' + os\nversion = '1'\n").is_err());
}

/// The requires and variants of a file that must be accepted.
fn solved(src: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let p = ok(src);
    (
        p.requires().map(str::to_string).collect(),
        p.variants()
            .map(|v| v.map(str::to_string).collect())
            .collect(),
    )
}

#[test]
fn early_functions_with_static_bodies_run() {
    let base = "name = 'a'\nversion = '1.2'\n";
    let run = |body: &str| solved(&format!("{base}{body}")).0;
    assert_eq!(
        run("@early()\ndef requires():\n    return ['b-1', 'c>=2']\n"),
        ["b-1", "c-2+"]
    );
    // `building` is False outside a build, whatever the module bound
    assert_eq!(
        run("building = True\n@early()\ndef requires():\n    \"\"\"doc\"\"\"\n    if building:\n        return ['cmake']\n    elif not testing:\n        return ['py-' + this.version]\n    else:\n        return []\n"),
        ["py-1.2"]
    );
    // the globals are the module's final ones
    assert_eq!(
        run("@early()\ndef requires():\n    base = common + [extra]\n    return base\ncommon = ['x']\nextra = 'y'\n"),
        ["x", "y"]
    );
    assert_eq!(
        run("@early()\ndef requires(): return ['z'] if this.name == 'a' else []\n"),
        ["z"]
    );
    // rebound later: the function is gone
    assert_eq!(
        run("@early()\ndef requires():\n    return nope\nrequires = ['w']\n"),
        ["w"]
    );
    // an early function that has run is its result to `this`
    assert_eq!(
        run("@early()\ndef tools():\n    return ['t']\n@early()\ndef requires():\n    return this.tools + ['r']\n"),
        ["t", "r"]
    );
    // an unused quiet import changes nothing
    assert_eq!(
        run("@early()\ndef requires():\n    import os, os.path as osp\n    return ['q']\n"),
        ["q"]
    );
    // a non-solver field still has to run
    ok(&format!(
        "{base}@early()\ndef description():\n    return '%s %s' % (name, version)\n"
    ));
}

#[test]
fn early_functions_that_rez_would_not_run_the_same_decline() {
    let base = "name = 'a'\nversion = '1'\n";
    let early = Bail::Unsupported(Construct::EarlyFunction);
    for body in [
        // NameError, UnboundLocalError
        "@early()\ndef requires():\n    return [missing]\n",
        "@early()\ndef requires():\n    if False:\n        name = 'b'\n    return [name]\n",
        // another early function that has not run yet: rez raises
        "@early()\ndef requires():\n    return this.tools\n@early()\ndef tools():\n    return []\n",
        "@early()\ndef requires():\n    return this.requires\n",
        // the global is still the function
        "@early()\ndef tools():\n    return []\n@early()\ndef requires():\n    return tools\n",
        "@early()\ndef requires():\n    return [x for x in 'ab']\n",
        "@early()\ndef requires():\n    global name\n    return []\n",
        "@early()\ndef requires():\n    x = 1\n    x += 1\n    return []\n",
        "@early()\ndef requires():\n    return list(common)\ncommon = []\n",
        "@early()\ndef requires():\n    if 1 == True:\n        return []\n",
        "@early()\ndef requires(data):\n    return []\n",
        "@early()\ndef requires():\n    return os.environ\nimport os\n",
        "@early()\ndef requires():\n    import os\n    return [os.sep]\n",
        "@early()\ndef requires():\n    import studio_env\n    return []\n",
        "@early()\ndef requires():\n    if building:\n        import os as x\n    return x\nx = []\n",
        "@early()\ndef requires():\n    from os import sep\n    return []\n",
        "@early()\ndef requires():\n    return this.config\nwith scope('config'):\n    x = 1\n",
    ] {
        assert_eq!(bail(&format!("{base}{body}")), early, "{body}");
    }
    for (body, want) in [
        ("@early\ndef requires():\n    return []\n", Bail::Decorator),
        (
            "@staticmethod\ndef requires():\n    return []\n",
            Bail::Decorator,
        ),
        (
            "@include('x')\n@early()\ndef requires():\n    return []\n",
            Bail::Unsupported(Construct::IncludeDecorator),
        ),
        (
            "@early()\n@include('x')\ndef requires():\n    return []\n",
            Bail::Decorator,
        ),
        (
            "@early()\ndef requires():\n    return ('a',)\n",
            Bail::Schema(Violation::RequirementsNotList),
        ),
        (
            "@early()\ndef requires():\n    pass\n",
            Bail::Schema(Violation::RequirementsNotList),
        ),
        (
            "@early()\ndef early():\n    return 1\n",
            Bail::Unsupported(Construct::RebindsLoaderName),
        ),
        ("@early()\ndef requires():\n    print 'x'\n", Bail::Syntax),
    ] {
        assert_eq!(bail(&format!("{base}{body}")), want, "{body}");
    }
}

#[test]
fn names_bound_to_any_value_and_list_sums() {
    let (requires, variants) = solved(
        "name = 'a'\nversion = '1'\ncommon = ['x']\nrequires = common + ['y']\n\
         py = ['python-3']\nvariants = [py, py + ['maya']]\n",
    );
    assert_eq!(requires, ["x", "y"]);
    assert_eq!(variants, [vec!["python-3"], vec!["python-3", "maya"]]);
}

#[test]
fn loader_names_rebound_to_themselves() {
    let base = "name = 'a'\nversion = '1'\n";
    ok(&format!(
        "late = globals()['late']\nearly = globals().get('early')\n{base}"
    ));
    let other = Bail::Unsupported(Construct::RebindsLoaderName);
    for line in [
        "late = globals()['early']\n",
        "late = globals()\n",
        "late = None\n",
        "globals = dict\nlate = globals()['late']\n",
    ] {
        let src = format!("{base}{line}");
        let got = bail(&src);
        assert!(got == other || got == Bail::NonLiteral, "{line}: {got:?}");
    }
}

#[test]
fn tests_follow_rez_schema() {
    let base = "name = 'a'\nversion = '1'\n";
    for good in [
        "tests = {}\n",
        "tests = {'unit': 'pytest', 'lint': ['flake8', '.']}\n",
        "tests = {'unit': {'command': 'pytest', 'requires': ['pytest-4+'], 'run_on': ['default', 'pre_release'], 'on_variants': {'type': 'requires', 'value': ['python-3']}, 'extra': 1}}\n",
        "tests = {'unit': {'command': ['a'], 'on_variants': True}}\n",
        // a repeated key keeps its last value
        "tests = {'unit': 1, 'unit': 'ok'}\n",
    ] {
        ok(&format!("{base}{good}"));
    }
    let wrong = Bail::Schema(Violation::WrongType);
    for bad in [
        "tests = []\n",
        "tests = {'': 'x'}\n",
        "tests = {'unit': None}\n",
        "tests = {'unit': {'requires': []}}\n",
        "tests = {'unit': {'command': 'x', 'requires': ['a-1.']}}\n",
        "tests = {'unit': {'command': 'x', 'run_on': 1}}\n",
        "tests = {'unit': {'command': 'x', 'on_variants': {'type': 'other', 'value': []}}}\n",
        "tests = {'unit': {'command': 'x', 'on_variants': {'type': 'requires'}}}\n",
        "tests = {'unit': {'command': 'x', 'on_variants': {'type': 'requires', 'value': [], 'x': 1}}}\n",
        "tests = {'unit': 'x', 'unit': None}\n",
    ] {
        assert_eq!(bail(&format!("{base}{bad}")), wrong, "{bad}");
    }
    assert_eq!(
        bail(&format!("{base}with scope('tests'):\n    unit = 'x'\n")),
        Bail::Unsupported(Construct::Tests)
    );
}

#[test]
fn names_assigned_anywhere_in_an_early_function_are_local() {
    let base = "name = 'a'\nversion = '1'\nx = ['g']\n";
    let early = Bail::Unsupported(Construct::EarlyFunction);
    for body in [
        "    if building:\n        x: list = []\n    return x\n",
        "    if building:\n        x: list\n    return x\n",
        "    return x @ early()\n",
        "    if building:\n        x = []\n    return x\n",
        "    if building: x = []\n    return x\n",
        "    if building:\n        y = x = []\n    return x\n",
        "    if building:\n        x, y = [], []\n    return x\n",
    ] {
        let src = format!("{base}@early()\ndef requires():\n{body}");
        assert_eq!(bail(&src), early, "{body}");
    }
    // a header's condition is not an assignment target
    let src = format!("{base}@early()\ndef requires():\n    if x: y = 1\n    return x\n");
    assert_eq!(ok(&src).requires().collect::<Vec<_>>(), ["g"]);
}

#[test]
fn fstrings_with_plain_name_fields() {
    let base = "name = 'a'\nversion = '1.2'\nn = 3\n";
    let run = |body: &str| solved(&format!("{base}{body}")).0;
    assert_eq!(
        run("requires = [f'b-{version}', f'{name}_x-{n}+']\n"),
        ["b-1.2", "a_x-3+"]
    );
    assert_eq!(
        run("requires = [f'b' 'c' f'-{ version }']\ndescription = f'{{x}}'\n"),
        ["bc-1.2"]
    );
    assert_eq!(
        run("@early()\ndef requires():\n    v = '2'\n    return [f'{this.name}_lib-{v}', f'py-{build_variant_index}']\n"),
        ["a_lib-2", "py-0"]
    );
    let fstring = Bail::Unsupported(Construct::FString);
    for (body, want) in [
        ("requires = [f'{version!r}']\n", fstring),
        ("requires = [f'{version:>4}']\n", fstring),
        ("requires = [f'{n + 1}']\n", fstring),
        ("requires = [f'\\n{version}']\n", fstring),
        ("requires = [f'{this.name}']\n", Bail::NonLiteral),
        ("requires = [f'{missing}']\n", Bail::NonLiteral),
        ("requires = [f'{flag}']\nflag = True\n", Bail::NonLiteral),
    ] {
        assert_eq!(bail(&format!("{base}{body}")), want, "{body}");
    }
    // in a scope block f-strings with fields still decline
    assert_eq!(
        bail(&format!(
            "{base}with scope('config') as c:\n    c.x = f'{{{{name}}}}'\n    c.y = f'{{name}}'\n"
        )),
        fstring
    );
}

#[test]
fn string_methods() {
    let base = "name = 'a'\nversion = '1.2'\n";
    let run = |body: &str| solved(&format!("{base}{body}")).0;
    assert_eq!(
        run("requires = ['  B-1 \\n'.strip().lower(), 'c-x'.replace('x', version), '-'.join(['d', '2']), 'xxe-1x'.strip('x'), ' f'.lstrip(), 'g '.rstrip(None)]\n"),
        ["b-1", "c-1.2", "d-2", "e-1", "f", "g"]
    );
    ok(&format!(
        "{base}description = \"\"\"\n    Long text.\n\"\"\".strip()\n"
    ));
    for body in [
        "requires = ['\\u00a0a'.strip()]\n",
        "requires = ['\\x1ca'.strip()]\n",
        "requires = ['\u{e9}'.upper()]\n",
        "requires = ['a'.strip(chars='a')]\n",
        "requires = ['a'.replace('a', 'b', 1)]\n",
        "requires = ['-'.join(['a', 1])]\n",
        "requires = ['a'.split('-')]\n",
        "requires = [version.title()]\n",
        "x = []\nrequires = x.append('a')\n",
    ] {
        assert_eq!(bail(&format!("{base}{body}")), Bail::NonLiteral, "{body}");
    }
}

#[test]
fn return_annotations_of_builtin_types() {
    let base = "name = 'a'\nversion = '1'\n";
    ok(&format!("{base}def commands() -> None:\n    pass\n@early()\ndef description() -> str:\n    return 'x'\ndef f() -> 'list':\n    pass\n"));
    let other = Bail::Unsupported(Construct::ReturnAnnotation);
    for body in [
        "def f() -> List[str]:\n    pass\n",
        "str = 1\ndef f() -> str:\n    pass\n",
        "def f() -> Missing:\n    pass\n",
        "def f() -> 'a' 'b':\n    pass\n",
    ] {
        assert_eq!(bail(&format!("{base}{body}")), other, "{body}");
    }
}

#[test]
fn list_comprehensions_over_known_lists() {
    let base = "name = 'a'\nversion = '1'\npys = ['3.9', '3.10']\n";
    let run = |body: &str| solved(&format!("{base}{body}"));
    assert_eq!(
        run("variants = [['python-%s' % v, 'maya'] for v in pys]\n").1,
        [vec!["python-3.9", "maya"], vec!["python-3.10", "maya"]]
    );
    assert_eq!(
        run("v = 'shadowed'\nrequires = [f'py-{v}' for v in pys if v != '3.9']\n").0,
        ["py-3.10"]
    );
    assert_eq!(
        run("requires = [\n    'x-' + p\n    for p in ['1', '2']\n    if p\n    if p == '2'\n]\n")
            .0,
        ["x-2"]
    );
    assert_eq!(
        run("requires = [r for r in [v + '+' for v in ['a-1', 'b-2']]]\n").0,
        ["a-1+", "b-2+"]
    );
    assert_eq!(
        run("@early()\ndef requires():\n    base = ['a', 'b']\n    return [x + '-1' for x in base]\n").0,
        ["a-1", "b-1"]
    );
    for body in [
        "requires = [a for a, b in [['x', 'y']]]\n",
        "requires = [a for a in pys for b in pys]\n",
        "requires = [a for a in 'xy']\n",
        "requires = [a.upper() for a in undefined]\n",
        "requires = [missing for a in pys]\n",
        "requires = [a for a in pys if a > '3']\n",
        "requires = (a for a in pys)\n",
    ] {
        assert_eq!(bail(&format!("{base}{body}")), Bail::NonLiteral, "{body}");
    }
    // the loop variable does not leak (Python 3)
    assert_eq!(
        bail(&format!("{base}requires = [v for v in pys]\nx = v\n")),
        Bail::NonLiteral
    );
}
