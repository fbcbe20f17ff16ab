//! A small deterministic generator (xorshift64) for the randomized unit
//! tests: reproducible cases without a dependency.

pub struct XorShift(u64);

impl XorShift {
    /// `seed` must not be zero (xorshift stays at zero).
    pub fn new(seed: u64) -> XorShift {
        assert_ne!(seed, 0, "a zero seed generates only zeros");
        XorShift(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A value in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}
