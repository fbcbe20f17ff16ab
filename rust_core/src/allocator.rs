//! The process's allocator: mimalloc, asked for plain blocks whenever the
//! alignment allows.
//!
//! The `mimalloc` crate passes every request to `mi_malloc_aligned`. In
//! mimalloc 3 that call takes its fast path only while the size class's
//! current page has a free block; once that page is full it falls back to
//! over-allocating a larger block (unless the block size is a power of
//! two), so the class never gets a fresh page and every later request of
//! that size takes the slow path, wastes bytes and marks its page for the
//! slower interior-pointer free. A fresh solve allocates hundreds of
//! thousands of such blocks (issue 12). mimalloc's blocks are always
//! aligned to at least a pointer's size, so up to that alignment the plain
//! calls are exact; larger alignments still go to the aligned calls.

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys::{
    mi_free, mi_malloc, mi_malloc_aligned, mi_realloc, mi_realloc_aligned, mi_zalloc,
    mi_zalloc_aligned,
};

/// The alignment every mimalloc block has (block sizes are multiples of a
/// pointer, pages start 16-byte aligned).
const PLAIN_ALIGN: usize = std::mem::size_of::<usize>();

pub struct Mimalloc;

// SAFETY: every pointer returned comes from mimalloc with at least the
// layout's alignment (see `PLAIN_ALIGN`) and is freed by mimalloc.
unsafe impl GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match layout.align() <= PLAIN_ALIGN {
            true => mi_malloc(layout.size()),
            false => mi_malloc_aligned(layout.size(), layout.align()),
        }
        .cast()
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        match layout.align() <= PLAIN_ALIGN {
            true => mi_zalloc(layout.size()),
            false => mi_zalloc_aligned(layout.size(), layout.align()),
        }
        .cast()
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        mi_free(ptr.cast::<c_void>());
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let ptr = ptr.cast::<c_void>();
        match layout.align() <= PLAIN_ALIGN {
            true => mi_realloc(ptr, new_size),
            false => mi_realloc_aligned(ptr, new_size, layout.align()),
        }
        .cast()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_have_the_alignment_asked() {
        let a = Mimalloc;
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            for size in [1, 7, 8, 24, 40, 56, 72, 100, 1000, 5000] {
                let layout = Layout::from_size_align(size, align).unwrap();
                // SAFETY: non-zero sizes; each block is freed once, by its layout
                unsafe {
                    let blocks: Vec<*mut u8> = (0..300).map(|_| a.alloc(layout)).collect();
                    let zeroed = a.alloc_zeroed(layout);
                    assert!(std::slice::from_raw_parts(zeroed, size)
                        .iter()
                        .all(|&b| b == 0));
                    let grown = a.realloc(a.alloc(layout), layout, size * 3 + 1);
                    for &p in blocks.iter().chain([&zeroed, &grown]) {
                        assert!(!p.is_null());
                        assert_eq!(p as usize % align, 0, "size {size} align {align}");
                    }
                    for p in blocks.into_iter().chain([zeroed]) {
                        a.dealloc(p, layout);
                    }
                    a.dealloc(grown, Layout::from_size_align(size * 3 + 1, align).unwrap());
                }
            }
        }
    }
}
