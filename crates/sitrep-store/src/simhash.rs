//! Near-duplicate detection: 64-bit simhash over word trigrams.
//!
//! Two re-publications of one wire story differ by a headline, a dateline, a sentence; their
//! simhashes differ in a few bits. We call texts within [`NEAR`] bits near-duplicates.

/// Maximum Hamming distance for two texts to count as near-duplicates.
pub const NEAR: u32 = 3;

fn fnv(s: &[u8]) -> u64 {
    s.iter().copied().fold(0xcbf2_9ce4_8422_2325, fnv_step)
}

/// The simhash of a text: lowercased alphanumeric words, hashed in overlapping trigrams
/// ("w1 w2 w3", FNV-1a), each trigram voting on every bit; a text of fewer than three words votes
/// with each word. The words are lowercased once into one buffer, one space apart, so each
/// trigram is a slice of it.
pub fn simhash(text: &str) -> u64 {
    let mut joined: Vec<u8> = Vec::with_capacity(text.len());
    let mut votes = Votes::default();
    // The last three words' spans in `joined`, oldest first, and how many words there were.
    let mut recent = [(0, 0); 3];
    let mut words = 0usize;
    crate::words::runs(
        text,
        |b| b.is_ascii_alphanumeric(),
        char::is_alphanumeric,
        |w, ascii| {
            if !joined.is_empty() {
                joined.push(b' ');
            }
            let start = joined.len();
            if ascii {
                joined.extend(w.bytes().map(|b| b.to_ascii_lowercase()));
            } else {
                let mut utf8 = [0; 4];
                for c in w.chars().flat_map(char::to_lowercase) {
                    joined.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
                }
            }
            recent = [recent[1], recent[2], (start, joined.len())];
            words += 1;
            if words >= 3 {
                votes.add(fnv(&joined[recent[0].0..recent[2].1]));
            }
        },
    );
    if words < 3 {
        for &(s, e) in &recent[3 - words..] {
            votes.add(fnv(&joined[s..e]));
        }
    }
    votes.hash()
}

/// Per-bit vote counts, eight bits per step: byte `b` of a hash adds `SPREAD[b]`, whose eight
/// byte lanes are that byte's bits, to one lane accumulator. Lanes are flushed to wide counters
/// before they can overflow.
struct Votes {
    lanes: [u64; 8],
    pending: u32,
    ones: [u32; 64],
    total: u32,
}

/// `SPREAD[b]` has byte lane `k` set to bit `k` of `b`.
const SPREAD: [u64; 256] = {
    let mut t = [0u64; 256];
    let mut b = 0;
    while b < 256 {
        let mut k = 0;
        while k < 8 {
            if b >> k & 1 == 1 {
                t[b] |= 1 << (8 * k);
            }
            k += 1;
        }
        b += 1;
    }
    t
};

impl Default for Votes {
    fn default() -> Self {
        Votes {
            lanes: [0; 8],
            pending: 0,
            ones: [0; 64],
            total: 0,
        }
    }
}

impl Votes {
    fn add(&mut self, h: u64) {
        for (byte, lane) in self.lanes.iter_mut().enumerate() {
            *lane += SPREAD[(h >> (8 * byte)) as usize & 0xff];
        }
        self.pending += 1;
        self.total += 1;
        if self.pending == 255 {
            self.flush();
        }
    }

    fn flush(&mut self) {
        for (byte, lane) in self.lanes.iter_mut().enumerate() {
            for k in 0..8 {
                self.ones[8 * byte + k] += ((*lane >> (8 * k)) & 0xff) as u32;
            }
            *lane = 0;
        }
        self.pending = 0;
    }

    /// Bit set where more hashes had it set than not.
    fn hash(mut self) -> u64 {
        self.flush();
        let total = self.total;
        self.ones.iter().enumerate().fold(
            0u64,
            |h, (bit, &n)| if 2 * n > total { h | 1 << bit } else { h },
        )
    }
}

fn fnv_step(h: u64, b: u8) -> u64 {
    (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
}

/// The four 16-bit bands of a simhash: texts within [`NEAR`] bits share at least one.
pub fn bands(h: u64) -> [i64; 4] {
    [0, 1, 2, 3].map(|b| ((h >> (16 * b)) & 0xffff) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition, written plainly: the fast version must give the same bits.
    fn reference(text: &str) -> u64 {
        let words: Vec<String> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| w.chars().flat_map(char::to_lowercase).collect())
            .collect();
        let mut acc = [0i32; 64];
        let mut add = |h: u64| {
            for (bit, a) in acc.iter_mut().enumerate() {
                *a += if h >> bit & 1 == 1 { 1 } else { -1 };
            }
        };
        if words.len() < 3 {
            words.iter().for_each(|w| add(fnv(w.as_bytes())));
        } else {
            for w in words.windows(3) {
                add(fnv(w.join(" ").as_bytes()));
            }
        }
        acc.iter()
            .enumerate()
            .fold(0u64, |h, (bit, a)| if *a > 0 { h | 1 << bit } else { h })
    }

    #[test]
    fn fast_simhash_matches_the_definition() {
        for t in [
            "",
            "one",
            "two words",
            "Three word text",
            "Shelling hit Kharkiv overnight, killing 4 — officials said.",
            "  ÉLAN  Ünïcode  İstanbul   straße ΣΊΣΥΦΟΣ ,, 12 x",
            "ZÜRICH StraÉ aÑb",
            "Ü x",
        ] {
            assert_eq!(simhash(t), reference(t), "{t:?}");
        }
        // Long enough for the vote lanes to be flushed several times.
        let long: String = (0..2000).map(|i| format!("word{} ", i % 97)).collect();
        assert_eq!(simhash(&long), reference(&long));
    }

    #[test]
    fn a_lightly_edited_copy_is_near_and_another_story_is_not() {
        let a = "M23 rebels fired mortar rounds into Sake on Tuesday, killing six civilians and wounding 14, the army said. The group denied targeting civilians and said it had returned fire after an army attack on its positions. Residents fled toward Goma as shells fell on the market.";
        let b = "M23 rebels fired mortar rounds into Sake on Tuesday, killing six civilians and wounding 14, the army said on Wednesday. The group denied targeting civilians and said it had returned fire after an army attack on its positions. Residents fled toward Goma as shells fell on the market.";
        let c = "Protesters marched through Nairobi on Tuesday against a new fuel levy, and police fired tear gas at crowds near parliament. Dozens were arrested, police said, and shops in the city centre stayed closed.";
        assert!(
            (simhash(a) ^ simhash(b)).count_ones() <= 12,
            "{}",
            (simhash(a) ^ simhash(b)).count_ones()
        );
        assert!((simhash(a) ^ simhash(c)).count_ones() > NEAR);
    }
}
