//! Cheap structural checks of a data file before LMDB maps it.
//!
//! LMDB 0.9 checks a meta page's magic and version but trusts its other
//! fields: a damaged map size makes the open fail for good (the memo would
//! stay unusable on every run), and a damaged root page number or a stale
//! meta chosen through a damaged transaction id sends readers into pages
//! that are not what they claim. Reading the two meta pages (8 KiB, with
//! plain `read`, never the map) catches those before any process faults.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// LMDB's magic number and the data format version of LMDB 0.9.
const MAGIC: u32 = 0xBEEF_C0DE;
const DATA_VERSION: u32 = 1;
/// No memo grows anywhere near this (16 TiB).
const MAX_MAP: u64 = 1 << 44;
/// "No page": the root of an empty database.
const P_INVALID: u64 = u64::MAX;
/// A B-tree of 4 KiB pages this deep would hold far more than any memo.
const MAX_DEPTH: u16 = 16;

// Offsets inside a meta page (64-bit build): a 16-byte page header, then
// magic u32, version u32, address u64, map size u64, two database records
// (free pages, main) of 48 bytes each, the last page number and the txn id.
const AT_MAGIC: usize = 16;
const AT_VERSION: usize = 20;
const AT_MAPSIZE: usize = 32;
const AT_DBS: usize = 40;
const DB_LEN: usize = 48;
const AT_LAST_PG: usize = AT_DBS + 2 * DB_LEN;
const AT_TXNID: usize = AT_LAST_PG + 8;

struct Meta {
    page_size: u64,
    map_size: u64,
    last_pg: u64,
    txnid: u64,
    /// (depth, root, pages counted in the record) of the free and main trees.
    dbs: [(u16, u64, u64); 2],
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap_or_default())
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap_or_default())
}

fn meta(page: &[u8]) -> Option<Meta> {
    if u32_at(page, AT_MAGIC) != MAGIC || u32_at(page, AT_VERSION) != DATA_VERSION {
        return None;
    }
    let db = |i: usize| {
        let at = AT_DBS + i * DB_LEN;
        let pages = u64_at(page, at + 8)
            .saturating_add(u64_at(page, at + 16))
            .saturating_add(u64_at(page, at + 24));
        (u16_at(page, at + 6), u64_at(page, at + 40), pages)
    };
    Some(Meta {
        // LMDB keeps the page size in the free database's pad field.
        page_size: u32_at(page, AT_DBS) as u64,
        map_size: u64_at(page, AT_MAPSIZE),
        last_pg: u64_at(page, AT_LAST_PG),
        txnid: u64_at(page, AT_TXNID),
        dbs: [db(0), db(1)],
    })
}

/// Checks the meta pages of the data file at `path` (an absent or empty
/// file passes: LMDB creates one). Err says what is wrong.
pub fn check_meta_pages(path: &Path, file_len: u64) -> Result<(), String> {
    if file_len == 0 {
        return Ok(());
    }
    let Ok(mut file) = File::open(path) else {
        return Ok(());
    };
    let mut first = vec![0u8; 4096];
    file.read_exact(&mut first)
        .map_err(|e| format!("cannot read the first meta page: {e}"))?;
    let Some(m0) = meta(&first) else {
        return Err("the first meta page is not LMDB's".into());
    };
    let psize = m0.page_size;
    if !(512..=65536).contains(&psize) || !psize.is_power_of_two() {
        return Err(format!("page size {psize}"));
    }
    // The second meta page starts at `psize`.
    let mut second = vec![0u8; 4096];
    file.seek(SeekFrom::Start(psize))
        .and_then(|_| file.read_exact(&mut second))
        .map_err(|e| format!("cannot read the second meta page: {e}"))?;
    let m1 = meta(&second);
    // LMDB uses the meta with the larger transaction id; commits alternate
    // between the two pages, so their ids differ by one (both are 0 in a
    // file that never saw a commit) and each sits on the page of its parity.
    let (used, index) = match &m1 {
        Some(m1) if m1.txnid > m0.txnid => (m1, 1),
        _ => (&m0, 0),
    };
    if let Some(m1) = &m1 {
        if m0.txnid.abs_diff(m1.txnid) > 1 {
            return Err(format!(
                "meta transaction ids {} and {} are not consecutive",
                m0.txnid, m1.txnid
            ));
        }
    }
    if used.txnid != 0 && used.txnid & 1 != index {
        return Err(format!(
            "meta transaction id {} on meta page {index}",
            used.txnid
        ));
    }
    if used.map_size > MAX_MAP {
        return Err(format!("map size {}", used.map_size));
    }
    let pages = used.last_pg.saturating_add(1);
    if pages.saturating_mul(psize) > file_len {
        return Err(format!(
            "{file_len} bytes, the header needs {}",
            pages.saturating_mul(psize)
        ));
    }
    for (name, (depth, root, counted)) in ["free-page", "main"].iter().zip(used.dbs) {
        let empty = root == P_INVALID;
        if (empty && depth != 0)
            || (!empty && (depth == 0 || depth > MAX_DEPTH || root < 2 || root > used.last_pg))
            || counted > pages
        {
            return Err(format!(
                "{name} tree: root {root}, depth {depth}, {counted} pages"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta_page(txnid: u64, root: u64) -> Vec<u8> {
        let mut p = vec![0u8; 4096];
        p[AT_MAGIC..AT_MAGIC + 4].copy_from_slice(&MAGIC.to_le_bytes());
        p[AT_VERSION..AT_VERSION + 4].copy_from_slice(&DATA_VERSION.to_le_bytes());
        p[AT_MAPSIZE..AT_MAPSIZE + 8].copy_from_slice(&(1u64 << 20).to_le_bytes());
        p[AT_DBS..AT_DBS + 4].copy_from_slice(&4096u32.to_le_bytes());
        let free_root = AT_DBS + 40;
        p[free_root..free_root + 8].copy_from_slice(&P_INVALID.to_le_bytes());
        let main = AT_DBS + DB_LEN;
        p[main + 6..main + 8].copy_from_slice(&1u16.to_le_bytes());
        p[main + 16..main + 24].copy_from_slice(&1u64.to_le_bytes());
        p[main + 40..main + 48].copy_from_slice(&root.to_le_bytes());
        p[AT_LAST_PG..AT_LAST_PG + 8].copy_from_slice(&3u64.to_le_bytes());
        p[AT_TXNID..AT_TXNID + 8].copy_from_slice(&txnid.to_le_bytes());
        p
    }

    fn check(pages: &[Vec<u8>]) -> Result<(), String> {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!("pyrer-check-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = dir.join(format!("{n}.mdb"));
        let bytes: Vec<u8> = pages.concat();
        std::fs::write(&path, &bytes).unwrap();
        let result = check_meta_pages(&path, bytes.len() as u64);
        let _ = std::fs::remove_file(&path);
        result
    }

    #[test]
    fn sound_meta_pages_pass() {
        let data = vec![0u8; 4096];
        check(&[meta_page(4, 2), meta_page(5, 3), data.clone(), data]).unwrap();
    }

    #[test]
    fn damaged_fields_are_caught() {
        let data = vec![0u8; 4096];
        let bad_root = [
            meta_page(4, 2),
            meta_page(5, 99),
            data.clone(),
            data.clone(),
        ];
        assert!(check(&bad_root).unwrap_err().contains("main tree"));
        let far_apart = [
            meta_page(4, 2),
            meta_page(1 << 40, 3),
            data.clone(),
            data.clone(),
        ];
        assert!(check(&far_apart).unwrap_err().contains("consecutive"));
        let mut huge_map = meta_page(5, 3);
        huge_map[AT_MAPSIZE + 7] = 0x40;
        let huge = [meta_page(4, 2), huge_map, data.clone(), data.clone()];
        assert!(check(&huge).unwrap_err().contains("map size"));
        let short = [meta_page(4, 2), meta_page(5, 3), data];
        assert!(check(&short).unwrap_err().contains("needs"));
    }
}
