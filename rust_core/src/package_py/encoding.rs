//! What Python does to source bytes before tokenizing: strip a UTF-8 BOM,
//! honour a PEP 263 coding cookie, reject NUL bytes.
//!
//! The parser only sees `&str`, so the text is already UTF-8. It is decoded the
//! same way by Python unless a coding cookie names another codec; that case is
//! declined rather than emulated.

use super::bail::Bail;

/// Returns the text Python tokenizes: `source` without a leading BOM.
pub fn python_source(source: &str) -> Result<&str, Bail> {
    if source.as_bytes().contains(&0) {
        return Err(Bail::Encoding);
    }
    let text = source.strip_prefix('\u{feff}').unwrap_or(source);
    for line in first_lines(text).take(2) {
        if let Some(codec) = coding_cookie(line) {
            if !is_utf8_name(codec) {
                return Err(Bail::Encoding);
            }
        }
    }
    Ok(text)
}

/// The physical lines (`\n`, `\r\n` or `\r` terminated), lazily.
fn first_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let b = rest.as_bytes();
        let (line, skip) = match b.iter().position(|&c| c == b'\n' || c == b'\r') {
            Some(i) if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') => (&rest[..i], i + 2),
            Some(i) => (&rest[..i], i + 1),
            None => (rest, rest.len()),
        };
        rest = &rest[skip..];
        Some(line)
    })
}

/// The codec named by a PEP 263 cookie on this line (`# -*- coding: x -*-`),
/// if the line is a comment carrying one.
fn coding_cookie(line: &str) -> Option<&str> {
    let trimmed = line.trim_start_matches([' ', '\t', '\x0c']);
    let comment = trimmed.strip_prefix('#')?;
    // Python's pattern is `coding[:=]`, searched anywhere in the comment.
    let mut search = comment;
    let rest = loop {
        // `str::find` builds a two-way searcher per call: too slow here
        let b = search.as_bytes();
        let at = (0..b.len()).find(|&i| b[i] == b'c' && b[i..].starts_with(b"coding"))?;
        let after = &search[at + "coding".len()..];
        if let Some(r) = after.strip_prefix([':', '=']) {
            break r;
        }
        search = after;
    };
    let rest = rest.trim_start_matches([' ', '\t']);
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '.'))
        .unwrap_or(rest.len());
    if end == 0 {
        // `coding:` followed by nothing a codec name can start with: Python
        // keeps searching later in the line; be conservative.
        return Some("");
    }
    Some(&rest[..end])
}

/// `utf-8`, `utf8` or `utf-8-*`, ignoring case and `_` for `-`.
fn is_utf8_name(codec: &str) -> bool {
    let norm = |c: &u8| {
        if *c == b'_' {
            b'-'
        } else {
            c.to_ascii_lowercase()
        }
    };
    let mut b = codec.as_bytes().iter().map(norm);
    let head: [u8; 4] = [b.next(), b.next(), b.next(), b.next()].map(|c| c.unwrap_or(0));
    match head {
        [b'u', b't', b'f', b'8'] => b.next().is_none(),
        [b'u', b't', b'f', b'-'] => matches!((b.next(), b.next()), (Some(b'8'), None | Some(b'-'))),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_is_stripped() {
        assert_eq!(python_source("\u{feff}x = 1").unwrap(), "x = 1");
    }

    #[test]
    fn utf8_cookies_are_accepted() {
        for src in [
            "# -*- coding: utf-8 -*-\nx = 1",
            "#!/usr/bin/env python\n# coding=UTF_8\n",
            "# vim: set fileencoding=utf8 :\n",
            "# coding: utf-8-unix\n",
            "# coding: UTF8\n",
            "# coding: utf_8_sig\n",
        ] {
            assert!(python_source(src).is_ok(), "{src}");
        }
    }

    #[test]
    fn other_cookies_and_nul_bail() {
        assert_eq!(python_source("# coding: latin-1\n"), Err(Bail::Encoding));
        for other in ["utf", "utf-", "utf-16", "utf8-x", "utf-8x", "utf-88", "u"] {
            assert!(!is_utf8_name(other), "{other}");
        }
        assert_eq!(python_source("\n# coding: cp1252\n"), Err(Bail::Encoding));
        assert_eq!(python_source("x = 1\0"), Err(Bail::Encoding));
        // a cookie on line 3 is ignored by Python
        assert!(python_source("\n\n# coding: latin-1\n").is_ok());
        assert_eq!(
            python_source("x = 1\r\n# coding: latin-1\r\n"),
            Err(Bail::Encoding)
        );
        assert_eq!(
            python_source("# coding is fun; coding=latin-1\n"),
            Err(Bail::Encoding)
        );
    }
}
