//! Ordering of one version token, as rez's `AlphanumericVersionToken`.
//!
//! A token ("rc02", "2", "alpha3") is split into maximal runs of digits and
//! non-digits (subtokens). Subtokens compare as: any alpha run before any
//! numeric run; alpha runs by code point; numeric runs by value, then by text
//! (so "01" < "1"). Tokens compare as the lists of their subtokens. Comparing
//! walks both strings run by run and never allocates.

use std::cmp::Ordering;

/// True for the characters rez allows inside a version token: `[a-zA-Z0-9_]`.
#[inline]
pub fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Splits the next maximal digit / non-digit run off `s`.
#[inline]
fn next_run(s: &[u8]) -> (&[u8], bool, &[u8]) {
    let numeric = s[0].is_ascii_digit();
    let end = s
        .iter()
        .position(|b| b.is_ascii_digit() != numeric)
        .unwrap_or(s.len());
    (&s[..end], numeric, &s[end..])
}

/// Compares two digit strings by integer value, then by text.
#[inline]
fn cmp_numeric(a: &[u8], b: &[u8]) -> Ordering {
    let strip = |s: &[u8]| -> usize { s.iter().take_while(|&&c| c == b'0').count() };
    let (za, zb) = (strip(a), strip(b));
    let (va, vb) = (&a[za..], &b[zb..]);
    va.len()
        .cmp(&vb.len())
        .then_with(|| va.cmp(vb))
        .then_with(|| a.cmp(b))
}

#[inline]
fn cmp_subtoken(a: &[u8], a_num: bool, b: &[u8], b_num: bool) -> Ordering {
    match (a_num, b_num) {
        (false, false) => a.cmp(b),
        (false, true) => Ordering::Less,
        (true, false) => Ordering::Greater,
        (true, true) => cmp_numeric(a, b),
    }
}

/// Compares two (valid) tokens the way rez orders them.
pub fn cmp_tokens(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.is_empty(), b.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            (false, false) => {}
        }
        let (ra, na, rest_a) = next_run(a);
        let (rb, nb, rest_b) = next_run(b);
        // rez compares lists element-wise with `==` first, then `<`.
        if ra != rb || na != nb {
            return cmp_subtoken(ra, na, rb, nb);
        }
        a = rest_a;
        b = rest_b;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_orderings() {
        // rez's docstring examples; note alpha runs compare by code point,
        // so "A" < "_" < "a" despite the docstring's wording.
        for (lo, hi) in [
            ("3", "4"),
            ("01", "1"),
            ("beta", "1"),
            ("alpha3", "alpha4"),
            ("alpha", "alpha3"),
            ("gamma33", "33gamma"),
            ("A", "_"),
            ("_", "a"),
            ("Z", "a"),
            ("9", "10"),
            ("1", "1a"),
            ("1_", "1a"),
        ] {
            assert_eq!(cmp_tokens(lo, hi), Ordering::Less, "{lo} < {hi}");
            assert_eq!(cmp_tokens(hi, lo), Ordering::Greater, "{hi} > {lo}");
        }
    }

    #[test]
    fn huge_numbers_compare_by_value() {
        assert_eq!(
            cmp_tokens("99999999999999999999999", "100000000000000000000000"),
            Ordering::Less
        );
        assert_eq!(cmp_tokens("007", "7"), Ordering::Less);
        assert_eq!(cmp_tokens("7", "7"), Ordering::Equal);
    }
}
